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

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/simoffice"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestBetreibungsamtJourney is Tamara's journey to the end: the case is
// delivered to the simulated Betreibungsamt over the real connector, the
// office works it, and the signed extract arrives in her account, where
// it verifies.
func TestBetreibungsamtJourney(t *testing.T) {
	t.Parallel()
	b := startServer(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config, url string) { c.PublicURL = url })
	// A moment's delay: an office calling back at once could start the
	// case before Schalter has noted the transmission on the timeline.
	office := &simoffice.Office{Secret: []byte(simoffice.DevSecret), APIKey: simoffice.DevAPIKey, Log: slog.New(slog.DiscardHandler), Client: b.srv.Client(),
		Delay: 200 * time.Millisecond}
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
	pay(t, b, tamara, number)

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
	require.Equal(t, []string{"payment_due:resident", "received:system", "received:system", "in_progress:system", "in_progress:system", "done:system"}, steps,
		"submitted, paid, transmitted, started, document ready, done")
	require.Equal(t, 1, office.Received())

	// The extract and the receipt of the payment (rendered on their own
	// queue, so in either order).
	docs := b.do(t, req{path: "/api/v1/me/documents", header: tamara}).json(t)["items"].([]any)
	require.Len(t, docs, 2)
	doc := ofKind(t, docs, "betreibungsregisterauszug")
	ofKind(t, docs, "receipt")
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

// TestBetreibungsamtPolledJourney is the journey with an office system
// that cannot call back: the simulated Betreibungsamt keeps its statuses
// (uploading the extract through the office API still), and Schalter's
// status poll, configured by an administrator, moves the case.
func TestBetreibungsamtPolledJourney(t *testing.T) {
	t.Parallel()
	b := startServer(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config, url string) { c.PublicURL = url })
	office := &simoffice.Office{Log: slog.New(slog.DiscardHandler), Client: b.srv.Client(), NoStatusCallback: true}
	mux := http.NewServeMux()
	mux.Handle("/cases", office)
	mux.HandleFunc("/status", office.Status)
	sim := httptest.NewServer(mux)
	t.Cleanup(sim.Close)

	ctx := context.Background()
	count := func(kind string) int {
		var n int
		require.NoError(t, b.store.Pool().QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'", kind).Scan(&n))
		return n
	}
	// The leader's first round of polls, at start, is over before the
	// connector exists: the test decides when the office is asked.
	require.Eventually(t, func() bool { return count("connector_poll_offices") == 1 }, 10*time.Second, 10*time.Millisecond)

	// The administrator connects the office's system with a status URL.
	admin := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "admin@uster.ch", store.Role{Role: account.RoleAdmin})["Cookie"])}
	for _, tc := range []struct{ endpoint, status, field string }{
		{sim.URL + "/cases", "ftp://fachanwendung/status", "body.status_url"},
		{"http://fachanwendung.uster.ch/cases", sim.URL + "/status", "body.endpoint_url"},
		{sim.URL + "/cases", "http://fachanwendung.uster.ch/status", "body.status_url"},
		{"https://office:secret@fachanwendung.uster.ch/cases", sim.URL + "/status", "body.endpoint_url"},
		{sim.URL + "/cases", "https://fachanwendung.uster.ch/status#news", "body.status_url"},
	} {
		requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/admin/connectors/betreibungsamt", header: admin,
			body: `{"endpoint_url":"` + tc.endpoint + `","status_url":"` + tc.status + `"}`}), http.StatusUnprocessableEntity, tc.field)
	}
	put := b.do(t, req{method: http.MethodPut, path: "/api/v1/admin/connectors/betreibungsamt", header: admin,
		body: `{"endpoint_url":"` + sim.URL + `/cases","status_url":"` + sim.URL + `/status"}`})
	require.Equal(t, http.StatusOK, put.status, string(put.body))
	creds := put.json(t)
	office.Secret, office.APIKey = []byte(creds["secret"].(string)), creds["api_key"].(string)
	list := b.do(t, req{path: "/api/v1/admin/connectors", header: admin}).json(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, sim.URL+"/status", list[0].(map[string]any)["status_url"])

	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"])}
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"betreibungsregisterauszug-bestellen","data":` + extractData + `}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + create.json(t)["id"].(string) + `"}`})
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	number := sub.json(t)["number"].(string)
	pay(t, b, tamara, number)
	require.Eventually(t, func() bool { return office.Received() == 1 }, 10*time.Second, 10*time.Millisecond)
	office.Wait() // worked there: the extract uploaded, the status kept

	mine := func() map[string]any { return b.do(t, req{path: "/api/v1/me/cases/" + number, header: tamara}).json(t) }
	require.Equal(t, "received", mine()["status"], "the office did not call back")
	require.NotContains(t, b.logs.String(), "operation=connectorSetStatus")
	// The period's job (enqueued by the leader every five minutes, here at
	// once) polls the office's system, twice: the second changes nothing.
	for i := range 2 {
		require.NoError(t, b.store.Enqueue(ctx, connector.PollOfficesArgs{}, nil))
		require.Eventually(t, func() bool { return count("connector_poll") == i+1 }, 10*time.Second, 10*time.Millisecond)
		require.Equal(t, "done", mine()["status"], "the poll closes the case")
	}
	var steps []string
	for _, e := range mine()["timeline"].([]any) {
		ev := e.(map[string]any)
		steps = append(steps, ev["status"].(string)+":"+ev["by"].(string))
	}
	require.Equal(t, []string{"payment_due:resident", "received:system", "received:system", "received:system", "done:system"}, steps,
		"submitted, paid, transmitted, document ready, done by the poll, once")
	docs := b.do(t, req{path: "/api/v1/me/documents", header: tamara}).json(t)["items"].([]any)
	require.Len(t, docs, 2, "the extract came through the office API's upload; the receipt")
	ofKind(t, docs, "betreibungsregisterauszug")
	ofKind(t, docs, "receipt")
}

// ofKind is the document of a kind in a list of the account's documents.
func ofKind(t *testing.T, docs []any, kind string) map[string]any {
	t.Helper()
	for _, d := range docs {
		if m := d.(map[string]any); m["kind"] == kind {
			return m
		}
	}
	t.Fatalf("no document of kind %s in %v", kind, docs)
	return nil
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
