package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// guestOf is the guest cookie an answer set, as a request header.
func guestOf(t *testing.T, r resp) map[string]string {
	t.Helper()
	c := cookieOf(r, "schalter_guest")
	require.NotEmpty(t, c, "the answer sets the guest cookie")
	require.Contains(t, c, "HttpOnly")
	require.Contains(t, c, "Secure")
	return map[string]string{"Cookie": strings.Split(c, ";")[0]}
}

func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range h {
		out[hk] = hv
	}
	return out
}

// TestDrafts: a guest starts a draft, saves it as they type, loses a
// save to another tab, and logs in; the draft moves to the account.
func TestDrafts(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts?lang=fr", header: map[string]string{"Idempotency-Key": "draft-1"},
		body: `{"service":"hund-anmelden","data":{"dog_name":"Bello","microchip_number":"12"},"section":"dog"}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	g := guestOf(t, create)
	require.Equal(t, `"1"`, create.header.Get("ETag"))
	require.Equal(t, "private, no-store", create.header.Get("Cache-Control"))
	d := create.json(t)
	id := d["id"].(string)
	require.Equal(t, "Déclarer un chien et payer la taxe sur les chiens", d["service_title"], "in the language asked for")
	require.EqualValues(t, 7, d["retention_days"])
	require.Equal(t, true, d["guest"])
	require.Len(t, d["issues"], 1, "the microchip number, not the missing fields")
	require.Equal(t, "body.data.microchip_number", d["issues"].([]any)[0].(map[string]any)["location"])

	draft := "/api/v1/drafts/" + id
	save := func(h map[string]string, etag, body string) resp {
		if etag != "" {
			h = with(h, "If-Match", etag)
		}
		return b.do(t, req{method: http.MethodPatch, path: draft, header: h, body: body})
	}
	requireProblem(t, save(g, "", `{"data":{}}`), http.StatusUnprocessableEntity, "header.If-Match")
	requireProblem(t, save(g, "3", `{"data":{}}`), http.StatusUnprocessableEntity, "header.If-Match")
	requireProblem(t, save(g, `"1"`, `{"data":{"cat":"Minka"}}`), http.StatusUnprocessableEntity, "body.data.cat")
	requireProblem(t, save(g, `"1"`, `{"data":[]}`), http.StatusUnprocessableEntity, "body.data")
	requireProblem(t, save(g, `"1"`, `{"data":{},"section":"cats"}`), http.StatusUnprocessableEntity, "body.section")

	phone := save(g, `"1"`, `{"data":{"dog_name":"Bello","microchip_number":"756098100123456"},"section":"dog"}`)
	require.Equal(t, http.StatusOK, phone.status, string(phone.body))
	require.Equal(t, `"2"`, phone.header.Get("ETag"))
	require.Empty(t, phone.json(t)["issues"])

	// Another tab still holds revision 1.
	stale := save(g, `"1"`, `{"data":{"dog_name":"Rex"}}`)
	p := requireProblem(t, stale, http.StatusPreconditionFailed)
	current := p["current"].(map[string]any)
	require.EqualValues(t, 2, current["revision"])
	require.Equal(t, "Bello", current["data"].(map[string]any)["dog_name"], "the problem shows the version saved meanwhile")
	got := b.do(t, req{path: draft, header: g})
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, `"2"`, got.header.Get("ETag"))

	// The retry of the first request is a replay, not a second draft.
	again := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts?lang=fr", header: map[string]string{"Idempotency-Key": "draft-1"},
		body: `{"service":"hund-anmelden","data":{"dog_name":"Bello","microchip_number":"12"},"section":"dog"}`})
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	require.Equal(t, id, again.json(t)["id"])
	require.Empty(t, cookieOf(again, "schalter_guest"), "a replay never hands out a credential")

	// Nobody else reaches it.
	other := guestOf(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", body: `{"service":"zuzug-anmelden","data":{}}`}))
	requireProblem(t, b.do(t, req{path: draft, header: other}), http.StatusNotFound)
	requireProblem(t, save(other, `"2"`, `{"data":{}}`), http.StatusNotFound)
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: draft, header: other}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: draft}), http.StatusNotFound)
	list := b.do(t, req{path: "/api/v1/drafts", header: other}).json(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, "zuzug-anmelden", list[0].(map[string]any)["service"])

	// Logging in with the guest cookie moves the draft to the account.
	loginAs(t, b, "tamara@example.ch")
	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", header: g,
		body: mustJSON(t, map[string]string{"email": "tamara@example.ch", "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, login.status, string(login.body))
	tamara := map[string]string{"Cookie": strings.Split(cookieOf(login, "schalter_session"), ";")[0]}
	mine := b.do(t, req{path: "/api/v1/drafts?lang=de", header: tamara}).json(t)["items"].([]any)
	require.Len(t, mine, 1)
	require.Equal(t, id, mine[0].(map[string]any)["id"])
	require.Equal(t, false, mine[0].(map[string]any)["guest"])
	require.EqualValues(t, 30, mine[0].(map[string]any)["retention_days"])
	require.Equal(t, "Hund anmelden und Hundeabgabe", mine[0].(map[string]any)["service_title"])
	require.Empty(t, b.do(t, req{path: "/api/v1/drafts", header: g}).json(t)["items"], "the guest cookie no longer reaches it")
	requireProblem(t, b.do(t, req{path: draft, header: loginAs(t, b, "bruno@example.ch")}), http.StatusNotFound)

	requireProblem(t, b.do(t, req{path: "/api/v1/drafts/not-a-uuid", header: tamara}), http.StatusUnprocessableEntity, "path.id")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"grillplatz-waldhuette-reservieren","data":{}}`}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"Hund anmelden","data":{}}`}), http.StatusUnprocessableEntity, "body.service")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts/" + id + "/continue-later", header: tamara, body: `{"email":"tamara@example.ch"}`}), http.StatusConflict)

	// A 10 MB body is refused before it is read, nothing stored.
	huge := `{"service":"hund-anmelden","data":{"comment":"` + strings.Repeat("x", 10<<20) + `"}}`
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: huge}), http.StatusRequestEntityTooLarge)
	requireProblem(t, b.do(t, req{method: http.MethodPatch, path: draft, header: with(tamara, "If-Match", `"2"`), body: huge}), http.StatusRequestEntityTooLarge)
	require.Len(t, b.do(t, req{path: "/api/v1/drafts", header: tamara}).json(t)["items"], 1)

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: draft, header: tamara}).status)
	requireProblem(t, b.do(t, req{path: draft, header: tamara}), http.StatusNotFound)
}

// TestContinueLater: a guest on the phone mails themselves a link and
// opens it on the laptop, where the draft continues; the link works once.
func TestContinueLater(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", body: `{"service":"sperrgut-abfuhr-bestellen","data":{}}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	phone := guestOf(t, create)
	id := create.json(t)["id"].(string)

	link := "/api/v1/drafts/" + id + "/continue-later?lang=it"
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: link, header: phone, body: `{"email":"kein-mail"}`}), http.StatusUnprocessableEntity, "body.email")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: link, body: `{"email":"tamara@example.ch"}`}), http.StatusNotFound)
	require.Equal(t, http.StatusAccepted, b.do(t, req{method: http.MethodPost, path: link, header: phone, body: `{"email":"tamara@example.ch"}`}).status)

	token := ""
	re := regexp.MustCompile(`/drafts/resume#([A-Za-z0-9_-]+)`)
	require.Eventually(t, func() bool {
		for _, m := range sink.Messages(t) {
			if m.To == "tamara@example.ch" && strings.Contains(m.Subject, "bozza") {
				token = re.FindStringSubmatch(m.Text)[1]
			}
		}
		return token != ""
	}, 10*time.Second, 50*time.Millisecond, "the link arrives, in Italian")

	resume := func(h map[string]string, tok string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts/resume", header: h, body: mustJSON(t, map[string]string{"token": tok})})
	}
	opened := resume(nil, token)
	require.Equal(t, http.StatusOK, opened.status, string(opened.body))
	laptop := guestOf(t, opened)
	require.Equal(t, id, opened.json(t)["id"])
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/drafts/" + id, header: laptop}).status)
	requireProblem(t, b.do(t, req{path: "/api/v1/drafts/" + id, header: phone}), http.StatusNotFound)
	requireProblem(t, resume(nil, token), http.StatusNotFound)
	requireProblem(t, resume(nil, "x"), http.StatusUnprocessableEntity, "body.token")
}
