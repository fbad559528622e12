package drafts

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/store"
)

// Links a draft and an address may get per day: enough to retry a typo,
// too few to use Schalter for mailing strangers.
const (
	linksPerDraft   = 3
	linksPerAddress = 5
	linkWindow      = 24 * time.Hour
)

// MailLink sends a guest a "continue later" link for their draft to
// email, in lang. The link works once, for ResumeFor. An account's drafts
// need none: the account shows them on every device.
func (s *Service) MailLink(ctx context.Context, owner Owner, id uuid.UUID, email, lang string) error {
	typed, normalized, err := account.NormalizeEmail(email)
	if err != nil {
		return err
	}
	if owner.IsZero() {
		return apperr.New(apperr.NotFound, "no such draft")
	}
	d, err := s.st.Draft(ctx, owner.store(), id)
	if err != nil {
		return err
	}
	if !owner.IsGuest() {
		return apperr.New(apperr.Conflict, "this draft is in your account, which shows it on every device; no link is needed")
	}
	if s.Outbox == nil {
		return apperr.New(apperr.Unavailable, "e-mail is not set up on this server; log in to keep the draft instead")
	}
	for _, l := range []struct {
		key string
		max int
	}{{"draft-link:" + id.String(), linksPerDraft}, {"draft-link-to:" + normalized, linksPerAddress}} {
		key := sha256.Sum256([]byte(l.key))
		ok, err := s.st.Attempt(ctx, key[:], l.max, linkWindow)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.TooMany(linkWindow, "enough links were sent for this draft or to this address today")
		}
	}
	token, hash := account.NewToken()
	msg := linkMail(lang, s.City, s.PublicURL+"/drafts/resume#"+token, d.ExpiresAt)
	msg.To = typed
	job, err := s.Outbox.Job("draft_link", msg)
	if err != nil {
		return err
	}
	return s.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.AddDraftResume(ctx, hash, id, time.Now().Add(ResumeFor)); err != nil {
			return err
		}
		return q.Enqueue(ctx, job, nil)
	})
}

// Resume spends a "continue later" token and gives its draft to opener
// (the browser that opened the link, or the account logged in there): a
// guest's draft lives in one browser, and the link moves it.
func (s *Service) Resume(ctx context.Context, token string, opener Owner) (*Draft, error) {
	if opener.IsZero() {
		return nil, errNobody
	}
	var d store.Draft
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		id, err := q.UseDraftResume(ctx, account.HashToken(token))
		if err != nil {
			return err
		}
		before, err := q.DraftByID(ctx, id)
		if err != nil {
			return err
		}
		if d, err = q.RebindDraft(ctx, id, opener.store(), time.Now().Add(opener.retention())); err != nil {
			return err
		}
		// The files the guest attached go with the draft.
		return q.MoveAttachments(ctx, before.Owner, opener.store())
	})
	if err != nil {
		return nil, err
	}
	return s.withIssues(ctx, d)
}

// linkMail is the "continue later" mail in lang (German when unknown).
func linkMail(lang, city, link string, expires time.Time) mail.Message {
	zurich, _ := time.LoadLocation("Europe/Zurich")
	until := time.Now().Add(ResumeFor).In(zurich).Format("02.01.2006 15:04")
	kept := expires.In(zurich).Format("02.01.2006")
	t := linkTexts[lang]
	if t.subject == "" {
		t = linkTexts["de"]
	}
	return mail.Message{Subject: t.subject, Text: fmt.Sprintf(t.body, city, link, until, kept, city)}
}

var linkTexts = map[string]struct{ subject, body string }{
	"de": {"Ihr Entwurf: hier weiterfahren",
		"Guten Tag\n\nSie haben beim Online-Schalter der Stadt %s einen Antrag begonnen. Mit diesem Link fahren Sie auf einem beliebigen Gerät weiter:\n\n%s\n\n" +
			"Der Link funktioniert einmal und bis %s. Der Entwurf wird am %s gelöscht, wenn Sie ihn nicht weiter bearbeiten.\n" +
			"Wenn Sie keinen Antrag begonnen haben, können Sie diese Nachricht ignorieren.\n\nStadt %s"},
	"fr": {"Votre brouillon : reprendre ici",
		"Bonjour,\n\nVous avez commencé une demande au guichet en ligne de la Ville de %s. Ce lien vous permet de la reprendre sur n'importe quel appareil :\n\n%s\n\n" +
			"Le lien ne fonctionne qu'une fois, jusqu'au %s. Le brouillon sera supprimé le %s si vous ne le modifiez plus.\n" +
			"Si vous n'avez commencé aucune demande, vous pouvez ignorer ce message.\n\nVille de %s"},
	"it": {"La sua bozza: riprenda da qui",
		"Buongiorno\n\nHa iniziato una domanda allo sportello online della Città di %s. Con questo link può continuare su qualsiasi dispositivo:\n\n%s\n\n" +
			"Il link funziona una sola volta, fino al %s. La bozza sarà cancellata il %s se non la modifica più.\n" +
			"Se non ha iniziato nessuna domanda, può ignorare questo messaggio.\n\nCittà di %s"},
	"en": {"Your draft: continue here",
		"Hello\n\nYou started an application at the online counter of the City of %s. This link lets you continue on any device:\n\n%s\n\n" +
			"The link works once, until %s. The draft will be deleted on %s unless you keep working on it.\n" +
			"If you did not start an application, you can ignore this message.\n\nCity of %s"},
}
