package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/sms"
	"github.com/schalter-ch/schalter/internal/store"
)

const smsPassword = "grüne Velos fahren leise"

var smsCodeRe = regexp.MustCompile(`^Ihr Code für Schalter Uster: (\d{6})\. Gültig 5 Minuten\. Niemandem weitergeben\.$`)

// smsServer is a test server whose dev SMS sink writes its outbox to dir.
func smsServer(t *testing.T, configure func(*config.Config)) (b *testBundle, dir string) {
	t.Helper()
	dir = t.TempDir()
	b = serverWith(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config) {
		c.DataDir = dir
		if configure != nil {
			configure(c)
		}
	})
	return b, dir
}

// smsCode reads the code of the newest SMS to a number from the dev
// sink's outbox, as a developer does with `make run`.
func smsCode(t *testing.T, dir, to string) string {
	t.Helper()
	msgs, err := sms.ReadOutbox(dir)
	require.NoError(t, err)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			m := smsCodeRe.FindStringSubmatch(msgs[i].Text)
			require.Len(t, m, 2, msgs[i].Text)
			return m[1]
		}
	}
	t.Fatalf("no SMS to %s in the outbox", to)
	return ""
}

// enableSMS creates an account whose SMS codes were switched on two hours
// ago (with an authenticator app too when totp), so the resend limit,
// which the server applies in real time, is free.
func enableSMS(t *testing.T, st *store.Store, email, phone string, totp bool) (id uuid.UUID, totpSecret string) {
	t.Helper()
	ctx := context.Background()
	box, err := secretbox.New(secretKey)
	require.NoError(t, err)
	sink := &sms.DevSink{}
	svc := &account.Service{Store: st, City: "Uster", Secrets: box, SMS: sink, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	acc, err := svc.CreateUser(ctx, email, smsPassword)
	require.NoError(t, err)
	_, err = svc.BeginSMS(ctx, acc.ID, phone)
	require.NoError(t, err)
	msgs := sink.Messages()
	sent := smsCodeRe.FindStringSubmatch(msgs[len(msgs)-1].Text)
	require.Len(t, sent, 2)
	require.NoError(t, svc.ConfirmSMS(ctx, acc.ID, sent[1]))
	if totp {
		setup, err := svc.BeginTOTP(ctx, acc.ID, email)
		require.NoError(t, err)
		_, err = svc.ConfirmTOTP(ctx, acc.ID, code(t, setup.Secret, time.Now().Add(-30*time.Second)))
		require.NoError(t, err)
		totpSecret = setup.Secret
	}
	return acc.ID, totpSecret
}

func (b *testBundle) login(t *testing.T, email string) resp {
	t.Helper()
	return b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": smsPassword})})
}

func codeBody(t *testing.T, code string) string { return mustJSON(t, map[string]string{"code": code}) }

func wrongCode(c string) string {
	n, _ := strconv.Atoi(c)
	return strconv.Itoa(100000 + (n+1)%900000)
}

// TestSMSSetup: a resident switches SMS codes on with a code sent to the
// number, sees them in /me and the export, and switches them off.
func TestSMSSetup(t *testing.T) {
	t.Parallel()
	mails := mailtest.Start(t)
	b, outbox := smsServer(t, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = mails.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	svc := &account.Service{Store: b.store, City: "Uster"}
	for _, e := range []string{"anna@example.ch", "bruno@example.ch"} {
		_, err := svc.CreateUser(context.Background(), e, smsPassword)
		require.NoError(t, err)
	}
	anna, bruno := sessionOf(b.login(t, "anna@example.ch"), nil), sessionOf(b.login(t, "bruno@example.ch"), nil)
	begin := func(h map[string]string, phone string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/sms", header: h, body: mustJSON(t, map[string]string{"phone": phone})})
	}
	confirm := func(h map[string]string, code string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/sms/confirm", header: h, body: codeBody(t, code)})
	}
	factors := func(h map[string]string) map[string]any {
		r := b.do(t, req{path: "/api/v1/me", header: h})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		return r.json(t)["factors"].(map[string]any)
	}
	require.Equal(t, map[string]any{"totp": false, "sms": "", "password": true, "passkeys": float64(0)}, factors(anna))

	t.Run("bad numbers", func(t *testing.T) {
		for _, phone := range []string{"", "abc", "079 123", "044 123 45 67", "0800 FLOWERS", "+999 123 456 78", "+41 79 123 45 67 89", strings.Repeat("0", 33)} {
			requireProblem(t, begin(anna, phone), http.StatusUnprocessableEntity, "body.phone")
		}
		requireProblem(t, begin(nil, "079 123 45 67"), http.StatusUnauthorized)
		msgs, err := sms.ReadOutbox(outbox)
		require.NoError(t, err)
		require.Empty(t, msgs, "nothing sent")
	})

	sent := begin(anna, "0041 79 123 45 67")
	require.Equal(t, http.StatusAccepted, sent.status, string(sent.body))
	require.Equal(t, "no-store", sent.header.Get("Cache-Control"))
	require.Equal(t, "+41 79 *** ** 67", sent.json(t)["sent_to"])
	expires, err := time.Parse(time.RFC3339, sent.json(t)["expires_at"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(5*time.Minute), expires, 10*time.Second)
	code := smsCode(t, outbox, "+41791234567")

	again := begin(anna, "079 123 45 67")
	requireProblem(t, again, http.StatusTooManyRequests)
	wait, err := strconv.Atoi(again.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After: %q", again.header.Get("Retry-After"))
	require.True(t, wait > 0 && wait <= 60, "Retry-After %d", wait)

	requireProblem(t, confirm(bruno, code), http.StatusUnauthorized) // another resident cannot confirm my code
	require.Equal(t, "", factors(bruno)["sms"])

	// A number not confirmed yet can be dropped without a second factor;
	// its code goes with it, and nobody is told SMS codes were switched off.
	require.Equal(t, http.StatusAccepted, begin(bruno, "078 111 22 33").status)
	brunoCode := smsCode(t, outbox, "+41781112233")
	require.Equal(t, "+41781112233", b.do(t, req{path: "/api/v1/me/export", header: bruno}).json(t)["login"].(map[string]any)["sms"].(map[string]any)["phone"])
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sms", header: bruno}).status)
	require.NotContains(t, b.do(t, req{path: "/api/v1/me/export", header: bruno}).json(t)["login"], "sms")
	requireProblem(t, confirm(bruno, brunoCode), http.StatusUnauthorized)
	requireProblem(t, confirm(anna, wrongCode(code)), http.StatusUnauthorized)
	requireProblem(t, confirm(anna, "12-34-56"), http.StatusUnauthorized)

	ok := confirm(anna, code)
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	auth := ok.json(t)["auth"].(map[string]any)
	require.Equal(t, "two_factor", auth["level"], "proving the phone steps the session up")
	require.Equal(t, []any{"pwd", "sms"}, auth["methods"])
	stepped := sessionOf(ok, nil)
	require.NotEmpty(t, stepped["Cookie"])
	require.NotEqual(t, anna["Cookie"], stepped["Cookie"], "a new session id at step-up")
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: anna}), http.StatusUnauthorized)
	require.Equal(t, map[string]any{"totp": false, "sms": "+41 79 *** ** 67", "password": true, "passkeys": float64(0)}, factors(stepped))
	requireProblem(t, confirm(stepped, code), http.StatusUnauthorized) // replayed
	requireProblem(t, begin(stepped, "079 765 43 21"), http.StatusConflict)

	exp := b.do(t, req{path: "/api/v1/me/export", header: stepped}).json(t)
	smsData := exp["login"].(map[string]any)["sms"].(map[string]any)
	require.Equal(t, "+41791234567", smsData["phone"])
	require.NotEmpty(t, smsData["confirmed_at"])
	doc := b.do(t, req{path: "/api/v1/me/export?format=html", header: stepped})
	require.Equal(t, http.StatusOK, doc.status)
	require.Contains(t, string(doc.body), "Codes per SMS")
	require.Contains(t, string(doc.body), "+41791234567")

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sms", header: stepped}).status)
	require.Equal(t, "", factors(stepped)["sms"])
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sms", header: stepped}), http.StatusNotFound)
	require.NotContains(t, b.do(t, req{path: "/api/v1/me/export", header: stepped}).json(t)["login"], "sms")

	var notices []string
	for _, m := range mails.Messages(t) {
		if m.To == "anna@example.ch" {
			notices = append(notices, m.Text)
		}
	}
	for _, m := range mails.Messages(t) {
		require.False(t, m.To == "bruno@example.ch" && strings.Contains(m.Text, "SMS"), "no notice for a number never confirmed: %s", m.Text)
	}
	all := strings.Join(notices, "\n")
	require.Contains(t, all, "Codes per SMS als zweiter Faktor eingerichtet")
	require.Contains(t, all, "Codes per SMS wurden soeben als zweiter Faktor Ihres Kontos ausgeschaltet")
	require.NotContains(t, all, "ß")
}

// TestSMSLogin: a password and a code by SMS log in; with an authenticator
// app as well, the person chooses.
func TestSMSLogin(t *testing.T) {
	t.Parallel()
	b, outbox := smsServer(t, nil)
	enableSMS(t, b.store, "lina@example.ch", "+41765551234", false)

	first := b.login(t, "lina@example.ch")
	p := requireProblem(t, first, http.StatusUnauthorized, "body.code")
	require.Equal(t, []any{"sms"}, p["errors"].([]any)[0].(map[string]any)["value"])
	pending := sessionOf(first, nil)
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: pending}), http.StatusUnauthorized)

	send := func(h map[string]string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor/sms", header: h})
	}
	second := func(h map[string]string, code string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: h, body: codeBody(t, code)})
	}
	requireProblem(t, send(nil), http.StatusUnauthorized) // no password first
	sent := send(pending)
	require.Equal(t, http.StatusAccepted, sent.status, string(sent.body))
	require.Equal(t, "+41 76 *** ** 34", sent.json(t)["sent_to"])
	smsC := smsCode(t, outbox, "+41765551234")

	requireProblem(t, second(nil, smsC), http.StatusUnauthorized)
	requireProblem(t, second(pending, wrongCode(smsC)), http.StatusUnauthorized)
	ok := second(pending, smsC)
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	me := ok.json(t)
	require.Equal(t, "two_factor", me["auth"].(map[string]any)["level"])
	require.Equal(t, []any{"pwd", "sms"}, me["auth"].(map[string]any)["methods"])
	require.Equal(t, "+41 76 *** ** 34", me["factors"].(map[string]any)["sms"])
	require.NotEmpty(t, cookieOf(ok, "schalter_session"))
	require.NotEqual(t, pending["Cookie"], sessionOf(ok, nil)["Cookie"], "a new session id after the second step")

	// The same code again is a replay.
	again := sessionOf(b.login(t, "lina@example.ch"), nil)
	requireProblem(t, second(again, smsC), http.StatusUnauthorized)

	t.Run("both factors: the person chooses", func(t *testing.T) {
		_, secret := enableSMS(t, b.store, "mara@example.ch", "+41781112233", true)
		first := b.login(t, "mara@example.ch")
		p := requireProblem(t, first, http.StatusUnauthorized, "body.code")
		require.Equal(t, []any{"otp", "sms"}, p["errors"].([]any)[0].(map[string]any)["value"])
		require.Contains(t, p["detail"], "/api/v1/session/second-factor/sms")

		bySMS := sessionOf(first, nil)
		require.Equal(t, http.StatusAccepted, send(bySMS).status)
		r := second(bySMS, smsCode(t, outbox, "+41781112233"))
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		require.Equal(t, []any{"pwd", "sms"}, r.json(t)["auth"].(map[string]any)["methods"])

		byApp := sessionOf(b.login(t, "mara@example.ch"), nil)
		r = second(byApp, code(t, secret, time.Now()))
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		require.Equal(t, []any{"pwd", "otp"}, r.json(t)["auth"].(map[string]any)["methods"])
		require.Equal(t, map[string]any{"totp": true, "sms": "+41 78 *** ** 33", "password": true, "passkeys": float64(0)}, r.json(t)["factors"])
	})
}

// TestSMSStepUp: a password session of an account with SMS codes steps up
// with a code by SMS, gets a new cookie, and may then switch SMS off.
func TestSMSStepUp(t *testing.T) {
	t.Parallel()
	b, outbox := smsServer(t, nil)
	_, err := (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "ohne@example.ch", smsPassword)
	require.NoError(t, err)
	without := sessionOf(b.login(t, "ohne@example.ch"), nil)

	// The session started before SMS codes were switched on (elsewhere), so
	// it has a password only.
	_, err = (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "vorher@example.ch", smsPassword)
	require.NoError(t, err)
	pwd := sessionOf(b.login(t, "vorher@example.ch"), nil)
	box, err := secretbox.New(secretKey)
	require.NoError(t, err)
	sink := &sms.DevSink{}
	past := &account.Service{Store: b.store, City: "Uster", Secrets: box, SMS: sink, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	id, err := b.store.AccountByEmail(context.Background(), "vorher@example.ch")
	require.NoError(t, err)
	_, err = past.BeginSMS(context.Background(), id.ID, "079 222 33 44")
	require.NoError(t, err)
	require.NoError(t, past.ConfirmSMS(context.Background(), id.ID, smsCodeRe.FindStringSubmatch(sink.Messages()[0].Text)[1]))

	// Switching SMS codes off needs two factors.
	p := requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sms", header: pwd}), http.StatusForbidden)
	require.Equal(t, "two_factor", p["required_level"])
	require.Contains(t, p["methods"], "sms")
	requireProblem(t, b.do(t, req{path: "/api/v1/me/services/aufenthaltsbewilligung-verlaengern/access", header: pwd}), http.StatusForbidden)

	sendUp := func(h map[string]string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up/sms", header: h})
	}
	requireProblem(t, sendUp(nil), http.StatusUnauthorized)
	requireProblem(t, sendUp(without), http.StatusNotFound) // no number set up
	sent := sendUp(pwd)
	require.Equal(t, http.StatusAccepted, sent.status, string(sent.body))
	code := smsCode(t, outbox, "+41792223344")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: without, body: codeBody(t, code)}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: pwd, body: codeBody(t, wrongCode(code))}), http.StatusUnauthorized)
	up := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: pwd, body: codeBody(t, code)})
	require.Equal(t, http.StatusOK, up.status, string(up.body))
	require.Equal(t, "two_factor", up.json(t)["auth"].(map[string]any)["level"])
	require.Equal(t, []any{"pwd", "sms"}, up.json(t)["auth"].(map[string]any)["methods"])
	two := sessionOf(up, nil)
	require.NotEmpty(t, two["Cookie"])
	require.NotEqual(t, pwd["Cookie"], two["Cookie"], "a new session id at step-up")
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: pwd}), http.StatusUnauthorized) // the old token is gone
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me/services/aufenthaltsbewilligung-verlaengern/access", header: two}).status)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: two, body: codeBody(t, code)}), http.StatusUnauthorized) // replayed

	// An SMS-only account gets recovery codes for a lost phone, with two
	// factors only; a recovery code then completes a login.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/recovery-codes", header: without}), http.StatusForbidden)
	rc := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/recovery-codes", header: two})
	require.Equal(t, http.StatusOK, rc.status, string(rc.body))
	codes := rc.json(t)["recovery_codes"].([]any)
	require.Len(t, codes, 10)
	pending := sessionOf(b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": "vorher@example.ch", "password": smsPassword})}), nil)
	in := b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: pending, body: codeBody(t, codes[0].(string))})
	require.Equal(t, http.StatusOK, in.status, string(in.body))
	again := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/recovery-codes", header: sessionOf(in, nil)})
	require.Equal(t, http.StatusOK, again.status)
	require.NotEqual(t, codes, again.json(t)["recovery_codes"], "new codes replace the old ones")

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sms", header: two}).status)
}

// TestSMSGateway: with SCHALTER_SMS_URL the codes go to the HTTP gateway;
// a failing gateway is a 503 that logs neither the token nor the code; in
// production without a gateway SMS codes are off.
func TestSMSGateway(t *testing.T) {
	t.Parallel()
	const token = "gateway-token-for-tests-0123456789"
	var mu sync.Mutex
	var got []map[string]string
	status := http.StatusAccepted
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		_ = json.NewDecoder(r.Body).Decode(&m)
		m["authorization"] = r.Header.Get("Authorization")
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
		w.WriteHeader(status)
	}))
	t.Cleanup(gw.Close)
	last := func() map[string]string {
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, got)
		return got[len(got)-1]
	}

	b, outbox := smsServer(t, func(c *config.Config) { c.SMSURL, c.SMSToken, c.SMSFrom = gw.URL+"/send", token, "Uster" })
	svc := &account.Service{Store: b.store, City: "Uster"}
	for _, e := range []string{"gw1@example.ch", "gw2@example.ch"} {
		_, err := svc.CreateUser(context.Background(), e, smsPassword)
		require.NoError(t, err)
	}
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/sms", header: sessionOf(b.login(t, "gw1@example.ch"), nil), body: mustJSON(t, map[string]string{"phone": "079 123 45 67"})})
	require.Equal(t, http.StatusAccepted, r.status, string(r.body))
	m := last()
	require.Equal(t, "Bearer "+token, m["authorization"])
	require.Equal(t, "+41791234567", m["to"])
	require.Equal(t, "Uster", m["from"])
	require.Regexp(t, smsCodeRe, m["text"])
	msgs, err := sms.ReadOutbox(outbox)
	require.NoError(t, err)
	require.Empty(t, msgs, "the dev sink is not used with a gateway")

	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	r = b.do(t, req{method: http.MethodPost, path: "/api/v1/me/sms", header: sessionOf(b.login(t, "gw2@example.ch"), nil), body: mustJSON(t, map[string]string{"phone": "079 765 43 21"})})
	requireProblem(t, r, http.StatusServiceUnavailable)
	failed := smsCodeRe.FindStringSubmatch(last()["text"])[1]
	logs := b.logs.String()
	require.Contains(t, logs, "500 Internal Server Error")
	require.NotContains(t, logs, token)
	require.NotContains(t, logs, failed)
	require.NotContains(t, logs, m["text"])

	t.Run("production without a gateway", func(t *testing.T) {
		prod, outbox := smsServer(t, func(c *config.Config) { c.Env = "production" })
		_, err := (&account.Service{Store: prod.store, City: "Uster"}).CreateUser(context.Background(), "prod@example.ch", smsPassword)
		require.NoError(t, err)
		h := sessionOf(prod.login(t, "prod@example.ch"), nil)
		requireProblem(t, prod.do(t, req{method: http.MethodPost, path: "/api/v1/me/sms", header: h, body: mustJSON(t, map[string]string{"phone": "079 123 45 67"})}), http.StatusServiceUnavailable)
		p := requireProblem(t, prod.do(t, req{path: "/api/v1/me/services/aufenthaltsbewilligung-verlaengern/access", header: h}), http.StatusForbidden)
		require.NotContains(t, p["methods"], "sms", "not offered where it cannot work")
		msgs, err := sms.ReadOutbox(outbox)
		require.NoError(t, err)
		require.Empty(t, msgs)
	})
}
