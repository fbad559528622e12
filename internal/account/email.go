package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// emailChangeFor is how long the link to a new address works.
const emailChangeFor = 24 * time.Hour

// RequestEmailChange mails a confirmation link to the new address and
// tells the old one. The account keeps its address until the link is
// used. An address that already has an account gets the "someone tried"
// note instead, and the caller sees the same answer (no enumeration).
func (s *Service) RequestEmailChange(ctx context.Context, id uuid.UUID, email string) error {
	typed, normalized, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := s.limit(ctx, "email:"+id.String(), "too many requests"); err != nil {
		return err
	}
	acc, err := s.Store.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	if strings.EqualFold(acc.Email, typed) {
		return apperr.InvalidFields("this is already your address", apperr.FieldError{Path: "body.email", Message: "same as the current address"})
	}
	if _, err := s.Store.AccountByEmail(ctx, normalized); err == nil {
		return s.send(ctx, s.Store.Queries, "registered_again", typed, s.text("registered_again", ""))
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	token, hash := NewToken()
	return s.withNotice(ctx, id, "email_change_requested", func(q *store.Queries) error {
		if err := q.CreateEmailChangeToken(ctx, hash, id, typed, time.Now().Add(emailChangeFor)); err != nil {
			return err
		}
		return s.send(ctx, q, "email_change", typed, mailText{
			subject: "Bitte bestätigen Sie Ihre neue E-Mail-Adresse",
			body: fmt.Sprintf("Guten Tag\n\nFür Ihr Konto beim Online-Schalter der Stadt %s soll künftig diese Adresse gelten. "+
				"Bitte bestätigen Sie das mit diesem Link (gültig 24 Stunden):\n\n%s\n\n"+
				"Wenn Sie das nicht veranlasst haben, ignorieren Sie diese Nachricht.\n\nStadt %s", s.City, s.PublicURL+"/account/email#"+token, s.City),
		})
	})
}

// ConfirmEmailChange moves the account to the new address with the token
// from the link, once, and tells both addresses.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		id, old, _, err := q.ChangeEmailWithToken(ctx, HashToken(token), func(e string) string { _, n, _ := NormalizeEmail(e); return n })
		if err != nil {
			return err
		}
		// The old address hears of it too: if someone else did this, its
		// owner can still react.
		if err := s.mailNotice(ctx, q, old, "email_changed", securityText(s.City, "email_changed")); err != nil {
			return err
		}
		return s.notify(ctx, q, id, "email_changed")
	})
}
