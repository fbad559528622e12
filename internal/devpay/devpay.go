// Package devpay is the development payment provider that make run and
// the tests use: a hosted "checkout" page on Schalter's own server where
// you choose paid, declined or cancelled (or paid with the webhook lost,
// to see the backstop work), a provider-side record of each session that
// Lookup reads, and webhooks signed exactly as Stripe signs them
// (Stripe-Signature, HMAC-SHA256 over "timestamp.payload"), sent by a job
// like a real provider's, at least once.
//
// It takes no money and must never run in production: the server refuses
// it there (see internal/cli).
package devpay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

// Name is the provider's key.
const Name = "dev"

// Provider is the development provider.
type Provider struct {
	st *store.Store
	// PageURL is where the checkout pages are served (…/devpay/).
	PageURL string
	// WebhookURL receives the signed events; Secret signs them.
	WebhookURL string
	Secret     string
	Client     *http.Client
}

// New returns the provider; publicURL is the server's origin.
func New(st *store.Store, publicURL, secret string) *Provider {
	base := strings.TrimRight(publicURL, "/")
	return &Provider{st: st, PageURL: base + "/devpay/", WebhookURL: base + "/api/v1/payments/webhooks/" + Name, Secret: secret,
		Client: &http.Client{Timeout: 10 * time.Second}}
}

// Name implements payprovider.Provider.
func (p *Provider) Name() string { return Name }

// StartCheckout implements payprovider.Provider.
func (p *Provider) StartCheckout(ctx context.Context, c payprovider.Checkout) (payprovider.Session, error) {
	id := "dps_" + rand.Text()
	err := p.st.AddDevSession(ctx, store.DevSession{ID: id, Payment: c.Payment, Reference: c.Reference, Amount: c.Amount, Description: c.Description,
		Language: c.Language, SuccessURL: c.SuccessURL, CancelURL: c.CancelURL, ExpiresAt: c.ExpiresAt})
	return payprovider.Session{ID: id, RedirectURL: p.PageURL + id, ExpiresAt: c.ExpiresAt}, err
}

// Lookup implements payprovider.Provider.
func (p *Provider) Lookup(ctx context.Context, session string) (payprovider.Status, error) {
	d, err := p.st.DevSession(ctx, session)
	if apperr.CodeOf(err) == apperr.NotFound {
		return payprovider.Status{}, payprovider.ErrUnknownSession
	}
	if err != nil {
		return payprovider.Status{}, err
	}
	return status(d), nil
}

func status(d store.DevSession) payprovider.Status {
	st := payprovider.Status{Session: d.ID, State: d.State}
	if d.State == payprovider.Pending && time.Now().After(d.ExpiresAt) {
		st.State = payprovider.Expired
	}
	if d.State == payprovider.Paid {
		st.Amount, st.Method = d.Amount, "card"
		if d.Charge != nil {
			st.Charge = *d.Charge
		}
		if d.DecidedAt != nil {
			st.PaidAt = *d.DecidedAt
		}
	}
	return st
}

// event is the JSON of a development webhook.
type event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Session string `json:"session"`
	State   string `json:"state"`
	Amount  int64  `json:"amount"`
	Charge  string `json:"charge,omitempty"`
	PaidAt  int64  `json:"paid_at,omitempty"`
}

// ParseWebhook implements payprovider.Provider with Stripe's signature
// scheme (five minutes' tolerance).
func (p *Provider) ParseWebhook(payload []byte, header http.Header) (payprovider.Event, error) {
	if err := webhook.ValidatePayload(payload, header.Get("Stripe-Signature"), p.Secret); err != nil {
		return payprovider.Event{}, payprovider.ErrSignature
	}
	var e event
	if err := json.Unmarshal(payload, &e); err != nil || e.ID == "" {
		return payprovider.Event{}, fmt.Errorf("devpay: not an event: %v", err)
	}
	out := payprovider.Event{ID: e.ID, Type: e.Type, Created: time.Unix(e.Created, 0)}
	if e.Session != "" {
		out.Status = payprovider.Status{Session: e.Session, State: e.State, Amount: e.Amount, Charge: e.Charge, Method: "card"}
		if e.PaidAt > 0 {
			out.Status.PaidAt = time.Unix(e.PaidAt, 0)
		}
	}
	return out, nil
}

// Refund implements payprovider.Provider.
func (p *Provider) Refund(ctx context.Context, r payprovider.Refund) (payprovider.RefundResult, error) {
	if _, err := p.st.RefundDevSession(ctx, r.Charge, r.Amount); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return payprovider.RefundResult{ID: "dre_" + r.IdempotencyKey, State: "failed"}, nil
		}
		return payprovider.RefundResult{}, err
	}
	return payprovider.RefundResult{ID: "dre_" + r.IdempotencyKey, State: "succeeded"}, nil
}

// Secret is the webhook secret of the development provider on a server
// with the secret box box: derived from its key, so that every replica
// (and a test that plays the provider) signs and checks alike.
func Secret(box *secretbox.Box) string {
	if box == nil {
		return "whsec_dev"
	}
	return fmt.Sprintf("whsec_%x", box.MAC([]byte("devpay-webhook"))[:16])
}

// Signed is a payload and its Stripe-Signature header, as the provider
// sends it (also for tests that play the provider).
func Signed(secret string, payload []byte, at time.Time) string {
	return fmt.Sprintf("t=%d,v1=%x", at.Unix(), webhook.ComputeSignature(at, payload, secret))
}

// Choices on the checkout page.
var choices = []struct{ Value, Label string }{
	{"paid", "Bezahlen (erfolgreich)"},
	{"failed", "Karte abgelehnt"},
	{"cancelled", "Abbrechen"},
	{"paid-lost", "Bezahlen, aber der Webhook geht verloren"},
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Testzahlung – Entwicklungsanbieter</title><link rel="icon" href="data:,"></head>
<body><main>
<h1>Testzahlung</h1>
<p>Dies ist der Zahlungsanbieter für Entwicklung und Tests. Es wird kein Geld bewegt.</p>
<dl><dt>Betrag</dt><dd>CHF {{.Amount}}</dd><dt>Beschreibung</dt><dd>{{.Description}}</dd><dt>Referenz</dt><dd>{{.Reference}}</dd></dl>
{{if .Open}}<form method="post">
<fieldset><legend>Ergebnis der Zahlung</legend>
{{range .Choices}}<button type="submit" name="choice" value="{{.Value}}">{{.Label}}</button>
{{end}}</fieldset></form>{{else}}<p role="status">Diese Zahlung ist abgeschlossen ({{.State}}).</p>{{end}}
</main></body></html>`))

// Handler serves the checkout pages under /devpay/.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /devpay/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, err := p.st.DevSession(r.Context(), r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, map[string]any{"Amount": fmt.Sprintf("%d.%02d", d.Amount/100, d.Amount%100), "Description": d.Description,
			"Reference": d.Reference, "Open": d.State == payprovider.Pending && time.Now().Before(d.ExpiresAt), "State": d.State, "Choices": choices})
	})
	mux.HandleFunc("POST /devpay/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, err := p.decide(r.Context(), r.PathValue("id"), r.FormValue("choice"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		to := d.SuccessURL
		if d.State != payprovider.Paid {
			to = d.CancelURL
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
	return mux
}

// decide records the choice and, unless the webhook is to be lost,
// enqueues it in the same transaction.
func (p *Provider) decide(ctx context.Context, id, choice string) (store.DevSession, error) {
	state, lost := choice, false
	if choice == "paid-lost" {
		state, lost = payprovider.Paid, true
	}
	if state != payprovider.Paid && state != payprovider.Failed && state != payprovider.Cancelled {
		return store.DevSession{}, fmt.Errorf("unknown choice %q", choice)
	}
	var d store.DevSession
	err := p.st.InTx(ctx, func(q *store.Queries) error {
		var charge *string
		if state == payprovider.Paid {
			c := "dch_" + rand.Text()
			charge = &c
		}
		var err error
		if d, err = q.DecideDevSession(ctx, id, state, charge); err != nil || lost {
			return err
		}
		return q.Enqueue(ctx, WebhookArgs{Session: id, Event: "dev_evt_" + rand.Text()}, nil)
	})
	return d, err
}

// WebhookArgs sends a session's outcome to Schalter's webhook.
type WebhookArgs struct {
	Session string `json:"session"`
	Event   string `json:"event"`
}

// Kind names the job in River.
func (WebhookArgs) Kind() string { return "devpay_webhook" }

// Worker sends the webhooks.
type Worker struct {
	river.WorkerDefaults[WebhookArgs]
	Provider *Provider
}

// Work implements river.Worker: a refusal or an outage is retried, as a
// provider does.
func (w *Worker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	p := w.Provider
	d, err := p.st.DevSession(ctx, job.Args.Session)
	if err != nil {
		return err
	}
	st := status(d)
	e := event{ID: job.Args.Event, Type: "checkout." + st.State, Created: time.Now().Unix(), Session: d.ID, State: st.State, Amount: st.Amount, Charge: st.Charge}
	if !st.PaidAt.IsZero() {
		e.PaidAt = st.PaidAt.Unix()
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", Signed(p.Secret, body, time.Now()))
	res, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		answer, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return fmt.Errorf("devpay: webhook answered %s: %s", res.Status, answer)
	}
	return nil
}
