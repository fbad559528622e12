package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/simoffice"
)

// TestBetreibungsamtJourney is Tamara's journey to the end: the case is
// delivered to the simulated Betreibungsamt over the real connector, the
// office works it, and the signed extract arrives in her account, where
// it verifies.
func TestBetreibungsamtJourney(t *testing.T) {
	t.Parallel()
	b := startServer(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config, url string) { c.PublicURL = url })
	office := &simoffice.Office{Secret: []byte(simoffice.DevSecret), APIKey: simoffice.DevAPIKey, Log: slog.New(slog.DiscardHandler), Client: b.srv.Client()}
	sim := httptest.NewServer(office)
	t.Cleanup(sim.Close)
	box, err := secretbox.New(secretKey)
	require.NoError(t, err)
	_, err = connector.New(b.store, box, nil, nil, b.srv.URL).ConfigureWith(context.Background(), "betreibungsamt", sim.URL, simoffice.DevSecret, simoffice.DevAPIKey)
	require.NoError(t, err)

	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"])}
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"betreibungsregisterauszug-bestellen","data":` + extractData + `}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + create.json(t)["id"].(string) + `"}`})
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	number := sub.json(t)["number"].(string)

	var c map[string]any
	require.Eventually(t, func() bool {
		c = b.do(t, req{path: "/api/v1/me/cases/" + number, header: tamara}).json(t)
		return c["status"] == "done"
	}, 20*time.Second, 50*time.Millisecond, "the office closes the case")
	var steps []string
	for _, e := range c["timeline"].([]any) {
		ev := e.(map[string]any)
		steps = append(steps, ev["status"].(string)+":"+ev["by"].(string))
	}
	require.Equal(t, []string{"received:resident", "received:system", "in_progress:system", "in_progress:system", "done:system"}, steps,
		"submitted, transmitted, started, document ready, done")
	require.Equal(t, 1, office.Received())

	docs := b.do(t, req{path: "/api/v1/me/documents", header: tamara}).json(t)["items"].([]any)
	require.Len(t, docs, 1)
	doc := docs[0].(map[string]any)
	require.Equal(t, "Auszug aus dem Betreibungsregister", doc["title"])
	require.Equal(t, "betreibungsamt", doc["office"])
	pdf := b.do(t, req{path: "/api/v1/me/documents/" + doc["id"].(string), header: tamara})
	require.Equal(t, http.StatusOK, pdf.status)
	verify := "/api/v1/documents/" + doc["id"].(string) + "/verification"
	v := b.do(t, req{method: http.MethodPost, path: verify, body: string(pdf.body), header: map[string]string{"Content-Type": "application/pdf"}}).json(t)
	require.Equal(t, true, v["signature_valid"])
	require.Equal(t, true, v["file_matches"])
	require.Equal(t, "Betreibungsamt Uster", v["office_name"])
	require.Contains(t, string(b.do(t, req{path: "/api/v1/me/transparency", header: tamara}).body), "Fachanwendung betreibungsamt",
		"the handing to the office's system is in the log")

	// The office's key reaches its own cases only; a wrong key nothing.
	key := map[string]string{"Authorization": "Bearer " + simoffice.DevAPIKey}
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/connector/cases/" + number, header: key}).status)
	requireProblem(t, b.do(t, req{path: "/api/v1/connector/cases/" + number, header: map[string]string{"Authorization": "Bearer sco_wrong-wrong-wrong-wrong"}}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/connector/cases/" + number + "/status", header: key, body: `{"status":"in_progress"}`}), http.StatusConflict)
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/connector/documents/" + doc["id"].(string), header: key, body: "%PDF-1.4\n%%EOF"}), http.StatusNotFound) // an upload happens once
}

// TestSimulatedOfficeChecksDeliveries: the simulated office refuses a
// stale or changed delivery and takes a retried one once.
func TestSimulatedOfficeChecksDeliveries(t *testing.T) {
	t.Parallel()
	now := time.Now()
	office := &simoffice.Office{Secret: []byte("s3cret-s3cret-s3cret"), Log: slog.New(slog.DiscardHandler), Client: http.DefaultClient, Now: func() time.Time { return now }, Delay: time.Hour}
	sim := httptest.NewServer(office)
	t.Cleanup(sim.Close)
	body, err := json.Marshal(connector.Delivery{Number: "UST-2026-000001-3", Service: "betreibungsregisterauszug-bestellen", CallbackURL: "http://127.0.0.1:1/api/v1/connector", Data: json.RawMessage(`{}`)})
	require.NoError(t, err)
	send := func(sig string, b []byte) int {
		r, err := http.NewRequest(http.MethodPost, sim.URL, bytes.NewReader(b))
		require.NoError(t, err)
		r.Header.Set(connector.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	secret := []byte("s3cret-s3cret-s3cret")
	for _, tc := range []struct {
		name string
		sig  string
		body []byte
		want int
	}{
		{"stale", connector.Sign(secret, now.Add(-10*time.Minute), body), body, http.StatusUnauthorized},
		{"from the future", connector.Sign(secret, now.Add(10*time.Minute), body), body, http.StatusUnauthorized},
		{"changed body", connector.Sign(secret, now, body), bytes.Replace(body, []byte("000001"), []byte("000002"), 1), http.StatusUnauthorized},
		{"another secret", connector.Sign([]byte("other-other-other"), now, body), body, http.StatusUnauthorized},
		{"no signature", "", body, http.StatusUnauthorized},
		{"fine", connector.Sign(secret, now, body), body, http.StatusAccepted},
		{"a retry after a lost answer", connector.Sign(secret, now, body), body, http.StatusOK},
	} {
		require.Equal(t, tc.want, send(tc.sig, tc.body), tc.name)
	}
	require.Equal(t, 1, office.Received())
	require.True(t, strings.HasPrefix(simoffice.DevAPIKey, connector.APIKeyPrefix))
}
