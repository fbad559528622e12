package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/attachments"
	"github.com/schalter-ch/schalter/internal/books"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/devidp"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/editing"
	"github.com/schalter-ch/schalter/internal/eid"
	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/idempotency"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
	"github.com/schalter-ch/schalter/internal/privacy"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/sms"
	"github.com/schalter-ch/schalter/internal/snapshot"
	"github.com/schalter-ch/schalter/internal/store"
)

// Wire builds every domain service and adapter the HTTP edge needs, once:
// the secret box, the mail outbox (mail itself is delivered by the job
// queue, see Workers), the SMS gateway or its development sink, the
// passkey relying party, the eID client and, in development, its
// identity provider. `schalter serve` and the API tests both call it;
// serve adds the search engine and the job queue once they run.
func Wire(cfg *config.Config, st *store.Store, log *slog.Logger) (api.Deps, error) {
	accounts := &account.Service{Store: st, City: cfg.City.ShortName, PublicURL: cfg.PublicURL, Log: log}
	if cfg.SecretKey != "" {
		box, err := secretbox.New(cfg.SecretKey)
		if err != nil {
			return api.Deps{}, fmt.Errorf("SCHALTER_SECRET_KEY: %w", err)
		}
		accounts.Secrets = box
		if cfg.SMTPAddr != "" {
			accounts.Outbox = &mail.Outbox{Box: box}
		}
	}
	if rp, err := account.NewRelyingParty(cfg.PublicURL, cfg.City.Name); err == nil {
		accounts.Passkeys = rp
	} else {
		log.Warn("passkeys are off", "err", err)
	}
	switch {
	case cfg.SMSURL != "":
		accounts.SMS = &sms.HTTP{URL: cfg.SMSURL, Token: cfg.SMSToken, From: cfg.SMSFrom}
	case cfg.Env != "production":
		// Development and tests: codes stay on the machine, readable in
		// the log and in SCHALTER_DATA_DIR/sms-outbox.jsonl.
		accounts.SMS = &sms.DevSink{Log: log, Dir: cfg.DataDir}
		log.Info("no SMS gateway (SCHALTER_SMS_URL): SMS codes stay on this machine", "file", filepath.Join(cfg.DataDir, sms.OutboxFile))
	}
	// In production without a gateway SMS codes are off (503).
	orderForms := forms.New(st, account.ProfileFields)
	orderDrafts := drafts.New(st, orderForms)
	orderDrafts.Outbox, orderDrafts.PublicURL, orderDrafts.City = accounts.Outbox, cfg.PublicURL, cfg.City.ShortName
	orderCases := cases.New(st, orderForms, casePrefix(cfg.City))
	orderCases.City = cfg.City.Name
	docs := documents.New(st, accounts.Secrets, cfg.PublicURL)
	connectors := connector.New(st, accounts.Secrets, orderCases, docs, cfg.PublicURL)
	orderCases.OnSubmit = connectors.Enqueue
	d := api.Deps{
		Accounts:    accounts,
		Privacy:     privacy.New(st, accounts),
		Editing:     editing.New(st, orderForms),
		Favourites:  favourites.New(st),
		Drafts:      orderDrafts,
		Cases:       orderCases,
		Documents:   docs,
		Connectors:  connectors,
		Attachments: attachments.New(st, attachments.PGBlobs{}),
		Forms:       orderForms,
		Idempotency: idempotency.New(st),
		Catalogue:   snapshot.New(st, log),
		Sessions:    pgxstore.New(st.Pool()),
		Health:      st,
	}
	var err error
	if d.EID, d.DevIdP, err = wireEID(cfg, log); err != nil {
		return api.Deps{}, err
	}
	var dev *devpay.Provider
	if d.Payments, dev, err = wirePayments(cfg, st, orderCases, docs, accounts.Secrets, log); err != nil {
		return api.Deps{}, err
	}
	if dev != nil {
		d.DevPay, d.DevPayProvider = dev.Handler(), dev
	}
	d.Reconcile = reconcile.New(d.Payments, reconcile.Config{Dir: cfg.CamtDir, Log: log})
	d.Books = books.New(d.Payments)
	return d, nil
}

// wirePayments builds the payments with the ledger and the providers
// configured, and books new cases' bills in their submission.
func wirePayments(cfg *config.Config, st *store.Store, c *cases.Service, docs *documents.Service, box *secretbox.Box, log *slog.Logger) (*payments.Service, *devpay.Provider, error) {
	chart, err := ledger.LoadChart(db.SeedFS(), "finance.yaml")
	if err != nil {
		return nil, nil, err
	}
	p := cfg.Payments
	if p.IBAN == "" { // a configuration built in code (tests)
		p.IBAN = config.DemoIBAN
	}
	if p.Creditor[0] == "" {
		p.Creditor = [5]string{cfg.City.Name, "Oberlandstrasse", "78", "8610", "Uster"}
	}
	var providers []payprovider.Provider
	var dev *devpay.Provider
	if p.Dev {
		if cfg.Env == "production" {
			return nil, nil, fmt.Errorf("the development payment provider must never run in production")
		}
		dev = devpay.New(st, cfg.PublicURL, devpay.Secret(box))
		providers = append(providers, dev)
		log.Warn("development payment provider on: its checkout marks anything as paid; never use this in production")
	}
	if p.Stripe.On() {
		sp, err := wireStripe(cfg, log)
		if err != nil {
			return nil, nil, err
		}
		providers = append(providers, sp)
	}
	svc, err := payments.New(st, payments.Config{Account: p.IBAN, PublicURL: cfg.PublicURL, City: cfg.City.Name,
		Creditor: qrbill.Address{Name: p.Creditor[0], Street: p.Creditor[1], BuildingNumber: p.Creditor[2], PostalCode: p.Creditor[3], Town: p.Creditor[4], Country: "CH"}},
		ledger.New(chart), c, docs, providers...)
	if err != nil {
		return nil, nil, err
	}
	c.OnCreated = svc.Bill
	return svc, dev, nil
}

// stripeTimeout bounds one call to Stripe: StartCheckout runs while the
// person waits for the payment page, and a refund job that hangs holds the
// payment's row lock.
const stripeTimeout = 20 * time.Second

// wireStripe builds the Stripe Checkout provider (its Name, "stripe", makes
// the webhook URL /api/v1/payments/webhooks/stripe). With SCHALTER_STRIPE_MOCK
// startStripeMock must have filled in stripe-mock's URL, key and secret.
func wireStripe(cfg *config.Config, log *slog.Logger) (*stripeprovider.Provider, error) {
	s := cfg.Payments.Stripe
	if s.Mock && s.SecretKey == "" {
		return nil, errors.New("SCHALTER_STRIPE_MOCK: stripe-mock is not running (schalter serve starts it)")
	}
	sp, err := stripeprovider.New(stripeprovider.Config{SecretKey: s.SecretKey, WebhookSecret: s.WebhookSecret, APIURL: s.APIURL,
		PaymentMethods: s.Methods, HTTPClient: &http.Client{Timeout: stripeTimeout}})
	if err != nil {
		return nil, fmt.Errorf("SCHALTER_STRIPE_*: %w", err)
	}
	endpoint := s.APIURL
	if endpoint == "" {
		endpoint = "https://api.stripe.com"
	}
	// Which account kind and where, never the key or the secret.
	log.Info("Stripe payments on", "api", endpoint, "live", s.Live(), "methods", strings.Join(s.Methods, ","), "webhook", cfg.PublicURL+"/api/v1/payments/webhooks/"+sp.Name())
	return sp, nil
}

// stripeMockStart bounds starting stripe-mock, including its first build
// into Go's build cache (about 20 seconds).
const stripeMockStart = 2 * time.Minute

// startStripeMock starts the pinned stripe-mock for SCHALTER_STRIPE_MOCK and
// points the Stripe configuration at it, with stripe-mock's test key and a
// webhook secret of this run (stripe-mock sends no webhooks; whoever plays
// Stripe's part signs with it). stop ends stripe-mock; call it when the
// server stops. Without SCHALTER_STRIPE_MOCK it does nothing.
func startStripeMock(ctx context.Context, cfg *config.Config, log *slog.Logger) (stop func(), err error) {
	s := &cfg.Payments.Stripe
	if !s.Mock {
		return func() {}, nil
	}
	if cfg.Env == "production" {
		// config.FromEnv refuses this already; stripe-mock takes no money.
		return nil, errors.New("refusing to start: stripe-mock (SCHALTER_STRIPE_MOCK) is not allowed in production")
	}
	startCtx, cancel := context.WithTimeout(ctx, stripeMockStart)
	defer cancel()
	url, stop, err := stripemock.StartProcess(startCtx)
	if err != nil {
		return nil, fmt.Errorf("SCHALTER_STRIPE_MOCK: %w", err)
	}
	s.SecretKey, s.APIURL, s.WebhookSecret = stripemock.Key, url, "whsec_"+rand.Text()
	log.Warn("Stripe payments go to stripe-mock: its checkout pages do not exist and nothing is ever paid there; never use this in production", "url", url)
	return stop, nil
}

// wireEID builds the eID client, and the development identity provider
// when SCHALTER_EID_DEV asks for it.
func wireEID(cfg *config.Config, log *slog.Logger) (*eid.Client, *devidp.Provider, error) {
	c := cfg.EID
	if c.Issuer == "" {
		return nil, nil, nil
	}
	levels := make([]eid.ACRLevel, 0, len(c.Levels))
	for _, l := range c.Levels {
		level, ok := account.ParseLevel(l.Level)
		if !ok {
			return nil, nil, fmt.Errorf("SCHALTER_EID_LEVELS: unknown level %q", l.Level)
		}
		levels = append(levels, eid.ACRLevel{ACR: l.ACR, Level: level})
	}
	callback := cfg.PublicURL + api.EIDCallbackPath
	client := eid.New(eid.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: callback, Levels: levels})
	if !c.Dev {
		return client, nil, nil
	}
	if cfg.Env == "production" {
		// config.FromEnv and serve refuse this already; a provider that
		// logs anyone in as anyone must not start by any other path either.
		return nil, nil, fmt.Errorf("the development identity provider must never run in production")
	}
	idp, err := devidp.New(c.Issuer, devidp.Client{ID: c.ClientID, Secret: c.ClientSecret, RedirectURIs: []string{callback}})
	if err != nil {
		return nil, nil, err
	}
	log.Warn("development identity provider mounted: anyone can log in as a demo person; never use this in production", "issuer", c.Issuer)
	return client, idp, nil
}

// casePrefix is the configured case number prefix, or, for a
// configuration built in code without one (tests), the first three
// letters of the city's short name.
func casePrefix(c config.City) string {
	if c.CasePrefix != "" {
		return c.CasePrefix
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(c.ShortName) {
		if r >= 'A' && r <= 'Z' && b.Len() < 3 {
			b.WriteRune(r)
		}
	}
	if b.Len() < 2 {
		return "CH"
	}
	return b.String()
}
