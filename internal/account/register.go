package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/store"
)

// verifyFor is how long a verification link works.
const verifyFor = 24 * time.Hour

// Register starts an account with only an e-mail address and a password.
// The answer is the same whether or not the address has an account (no
// enumeration): a new address gets a verification link, a known one a
// note that someone tried to register with it. The account can log in
// once the address is verified.
func (s *Service) Register(ctx context.Context, email, pw string) error {
	typed, normalized, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	// Per address, so nobody can flood one inbox with verification or
	// "someone tried" mails from many client addresses.
	if err := s.limit(ctx, "register:"+normalized, "too many requests for this address"); err != nil {
		return err
	}
	local := normalized[:strings.Index(normalized, "@")]
	if err := password.Check(pw, local, s.City, "schalter"); err != nil {
		return apperr.InvalidFields(err.Error(), apperr.FieldError{Path: "body.password", Message: err.Error()})
	}
	// Hash in every case, so both paths cost the same time.
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		acc, err := q.CreateAccount(ctx, typed, normalized, hash, nil)
		return s.welcome(ctx, q, typed, acc, err)
	})
}

// welcome answers a registration by mail, after the attempt to create the
// account: a new account gets its verification link, a known address
// (Conflict) the note that someone tried to register with it. Both ways of
// registering (password, passkey) end here, so they cannot drift apart.
//
// It runs in the transaction that created the account (q), so the account,
// its verification token and the mail job commit together; the insert that
// failed on a known address ran in a savepoint, so the transaction can
// still enqueue the note.
func (s *Service) welcome(ctx context.Context, q *store.Queries, typed string, acc *store.Account, err error) error {
	if apperr.CodeOf(err) == apperr.Conflict {
		return s.send(ctx, q, "registered_again", typed, s.text("registered_again", ""))
	}
	if err != nil {
		return err
	}
	token, tokenHash := NewToken()
	if err := q.CreateEmailToken(ctx, tokenHash, acc.ID, "verify", time.Now().Add(verifyFor)); err != nil {
		return err
	}
	return s.send(ctx, q, "verify", typed, s.text("verify", s.PublicURL+"/account/verify#"+token))
}

// VerifyEmail confirms an address with the token from the link.
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	_, err := s.Store.VerifyEmail(ctx, HashToken(token))
	return err
}

// NewToken returns a random URL-safe token and the hash to store.
func NewToken() (token string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken hashes a token for storage and lookup.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

type mailText struct{ subject, body string }

func (s *Service) text(kind, link string) mailText {
	city := s.City
	switch kind {
	case "verify":
		return mailText{
			subject: "Bitte bestätigen Sie Ihre E-Mail-Adresse",
			body: fmt.Sprintf("Guten Tag\n\nSie haben ein Konto für den Online-Schalter der Stadt %s eröffnet. "+
				"Bitte bestätigen Sie Ihre E-Mail-Adresse mit diesem Link (gültig 24 Stunden):\n\n%s\n\n"+
				"Wenn Sie kein Konto eröffnet haben, können Sie diese Nachricht ignorieren.\n\nStadt %s", city, link, city),
		}
	case "reset_unknown":
		return mailText{
			subject: "Kein Konto mit dieser E-Mail-Adresse",
			body: fmt.Sprintf("Guten Tag\n\nFür diese E-Mail-Adresse wurde soeben ein neues Passwort für den Online-Schalter der Stadt %s angefordert. "+
				"Mit dieser Adresse besteht aber kein bestätigtes Konto. Vielleicht haben Sie sich mit einer anderen Adresse registriert, "+
				"oder Sie eröffnen ein Konto unter %s/account/register.\n\n"+
				"Wenn Sie nichts angefordert haben, können Sie diese Nachricht ignorieren.\n\nStadt %s", city, s.PublicURL, city),
		}
	default: // registered_again
		return mailText{
			subject: "Jemand wollte mit Ihrer E-Mail-Adresse ein Konto eröffnen",
			body: fmt.Sprintf("Guten Tag\n\nMit Ihrer E-Mail-Adresse besteht bereits ein Konto beim Online-Schalter der Stadt %s. "+
				"Soeben wurde versucht, damit ein weiteres zu eröffnen. Wenn Sie das waren: Melden Sie sich einfach an "+
				"oder setzen Sie Ihr Passwort zurück. Wenn nicht, müssen Sie nichts tun.\n\nStadt %s", city, city),
		}
	}
}

// send enqueues a mail in q's transaction: it goes out (with retries,
// see mail.Worker) if and only if the change it belongs to commits. The
// person never waits for the mail server, and a mail server that is down
// delays the mail instead of failing the request.
func (s *Service) send(ctx context.Context, q *store.Queries, purpose, to string, t mailText) error {
	if s.Outbox == nil {
		return apperr.New(apperr.Unavailable, "e-mail is not configured (SCHALTER_SMTP_ADDR); mails cannot be sent right now")
	}
	args, err := s.Outbox.Job(purpose, mail.Message{To: to, Subject: t.subject, Text: t.body})
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, args, nil)
}
