package account

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// EIDLogin is what a verified ID token of the state eID proves: who the
// provider (Issuer) says the person is (Subject), and how sure it is (ACR).
type EIDLogin struct {
	Issuer, Subject, ACR string
	// Email asks the provider for the person's e-mail address and whether
	// the provider verified it. It is called only when a new account is to
	// be opened, so known identities share nothing but sub and acr.
	Email func(context.Context) (email string, verified bool, err error)
}

// Why an eID login opens no account. The API turns each into a short code
// for the PWA (api/eid.go).
var (
	ErrEIDOtherAccount  = apperr.New(apperr.Conflict, "this eID identity is linked to another account")
	ErrEIDOtherIdentity = apperr.New(apperr.Conflict, "this account is linked to another identity of this eID provider; unlink it first")
	// Linking an identity to an account found by its e-mail address would
	// hand the account to whoever controls that claim at the provider:
	// the person logs in first and links the eID from the account page.
	ErrEIDEmailTaken = apperr.New(apperr.Conflict, "an account with this e-mail address exists; log in to it first and link the eID from the account page")
	ErrEIDNoEmail    = apperr.New(apperr.Invalid, "the eID provider gave no e-mail address; open an account with an e-mail address first and link the eID from the account page")
)

// SignInWithEID decides which account an eID login opens. current is the
// account of the session that started the login (uuid.Nil without one):
// its identity is linked to it, unless the identity belongs to another
// account. Without a session, a known identity opens its account and an
// unknown one a new account under the provider's e-mail address, if that
// address has no account yet.
func (s *Service) SignInWithEID(ctx context.Context, in EIDLogin, current uuid.UUID) (uuid.UUID, error) {
	known, err := s.Store.EIDByIdentity(ctx, in.Issuer, in.Subject)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return uuid.Nil, err
	}
	switch {
	case known != nil && current != uuid.Nil && known.Account != current:
		return uuid.Nil, ErrEIDOtherAccount
	case known != nil:
		return known.Account, s.Store.TouchEID(ctx, known.ID, in.ACR)
	case current != uuid.Nil:
		return current, s.linkEID(ctx, current, in)
	}
	return s.openWithEID(ctx, in)
}

func (s *Service) linkEID(ctx context.Context, id uuid.UUID, in EIDLogin) error {
	linked, err := s.Store.EIDs(ctx, id)
	if err != nil {
		return err
	}
	for _, l := range linked {
		if l.Issuer == in.Issuer {
			return ErrEIDOtherIdentity
		}
	}
	return s.withNotice(ctx, id, "eid_linked", func(q *store.Queries) error { return q.LinkEID(ctx, id, in.Issuer, in.Subject, in.ACR) })
}

// openWithEID opens an account without a password for a new identity.
// The address counts as verified only if the provider says so; otherwise
// the usual verification link is sent.
func (s *Service) openWithEID(ctx context.Context, in EIDLogin) (uuid.UUID, error) {
	claim, verified, err := in.Email(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if claim == "" {
		return uuid.Nil, ErrEIDNoEmail
	}
	typed, normalized, err := NormalizeEmail(claim)
	if err != nil {
		return uuid.Nil, ErrEIDNoEmail
	}
	var verifiedAt *time.Time
	if verified {
		now := time.Now()
		verifiedAt = &now
	}
	acc, err := s.Store.CreateAccountWithEID(ctx, typed, normalized, verifiedAt, in.Issuer, in.Subject, in.ACR)
	if apperr.CodeOf(err) == apperr.Conflict {
		// The address has an account, or the identity was linked by a
		// request racing this one: either way, nothing was created.
		if _, lookup := s.Store.AccountByEmail(ctx, normalized); lookup == nil {
			return uuid.Nil, ErrEIDEmailTaken
		}
		return uuid.Nil, ErrEIDOtherAccount
	}
	if err != nil {
		return uuid.Nil, err
	}
	if !verified {
		s.sendVerification(ctx, acc)
	}
	return acc.ID, nil
}

// sendVerification mails a verification link for an address the eID
// provider did not vouch for; the account works without it (the eID is
// its login), so a mail that fails is only logged.
func (s *Service) sendVerification(ctx context.Context, acc *store.Account) {
	token, hash := NewToken()
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		if err := q.CreateEmailToken(ctx, hash, acc.ID, "verify", time.Now().Add(verifyFor)); err != nil {
			return err
		}
		return s.send(ctx, q, "verify", acc.Email, s.text("verify", s.PublicURL+"/account/verify#"+token))
	})
	if err != nil && s.Log != nil {
		s.Log.WarnContext(ctx, "verification mail for an eID account not sent", "err", err)
	}
}

// EIDs lists the identities linked to an account.
func (s *Service) EIDs(ctx context.Context, id uuid.UUID) ([]store.EIDIdentity, error) {
	return s.Store.EIDs(ctx, id)
}

// UnlinkEID removes an identity from an account and tells its owner. The
// only way into an account stays: without a password or a passkey,
// unlinking its last eID would lock the person out (a password can be set
// with the reset link first).
func (s *Service) UnlinkEID(ctx context.Context, account, id uuid.UUID) error {
	acc, err := s.Store.AccountByID(ctx, account)
	if err != nil {
		return err
	}
	linked, err := s.Store.EIDs(ctx, account)
	if err != nil {
		return err
	}
	passkeys, err := s.Store.Passkeys(ctx, account)
	if err != nil {
		return err
	}
	if acc.PasswordHash == "" && len(passkeys) == 0 && len(linked) == 1 && linked[0].ID == id {
		return apperr.New(apperr.Conflict, "this eID is the only way into the account; set a password or add a passkey first")
	}
	return s.withNotice(ctx, account, "eid_unlinked", func(q *store.Queries) error { return q.UnlinkEID(ctx, account, id) })
}
