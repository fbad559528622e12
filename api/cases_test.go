package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/store"
)

const extractData = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
	"locality":"Uster","same_address_5_years":"yes","purpose":"rental","delivery":"account","copies":1}`

// TestCaseJourney is Tamara's: a guest draft of the Betreibungsregisterauszug,
// login, a step-up to two factors at submission, the case number and its
// timeline; the Betreibungsamt opens and moves it, another office and
// another resident get nothing.
func TestCaseJourney(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", body: `{"service":"betreibungsregisterauszug-bestellen","data":{"given_name":"Tamara"}}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	g := guestOf(t, create)
	draft := create.json(t)["id"].(string)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPatch, path: "/api/v1/drafts/" + draft, header: with(g, "If-Match", `"1"`),
		body: `{"data":` + extractData + `}`}).status)

	submit := func(h map[string]string, body string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: h, body: body})
	}
	body := `{"draft":"` + draft + `","notify":["email"]}`
	requireProblem(t, submit(g, body), http.StatusUnauthorized)

	loginAs(t, b, "tamara@example.ch")
	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", header: g,
		body: mustJSON(t, map[string]string{"email": "tamara@example.ch", "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, login.status)
	tamara := map[string]string{"Cookie": strings.Split(cookieOf(login, "schalter_session"), ";")[0]}

	p := requireProblem(t, submit(tamara, body), http.StatusForbidden)
	require.Equal(t, "two_factor", p["required_level"], "the extract needs two factors")
	requireProblem(t, submit(tamara, `{"draft":"nope"}`), http.StatusUnprocessableEntity, "body.draft")
	tamara = map[string]string{"Cookie": twoFactorSession(t, b, tamara["Cookie"])}
	requireProblem(t, submit(tamara, `{"draft":"`+draft+`","notify":["fax"]}`), http.StatusUnprocessableEntity, "body.notify[0]")

	key := with(tamara, "Idempotency-Key", "submit-1")
	sub := submit(key, body)
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	c := sub.json(t)
	number := c["number"].(string)
	require.Regexp(t, `^UST-[0-9]{4}-[0-9]{6}-[0-9]$`, number)
	require.Equal(t, "payment_due", c["status"], "the extract is paid first")
	require.Equal(t, "betreibungsamt", c["office"])
	require.Equal(t, true, c["can_withdraw"])
	require.Len(t, c["timeline"], 1)
	again := submit(key, body)
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	require.Equal(t, number, again.json(t)["number"], "a retry is the same case")
	requireProblem(t, submit(tamara, body), http.StatusNotFound) // the draft became the case
	pay(t, b, tamara, number)

	mine := b.do(t, req{path: "/api/v1/me/cases", header: tamara}).json(t)["items"].([]any)
	require.Len(t, mine, 1)
	got := b.do(t, req{path: "/api/v1/me/cases/" + strings.ToLower(number), header: tamara})
	require.Equal(t, http.StatusOK, got.status, string(got.body))
	require.Equal(t, "Tamara", got.json(t)["data"].(map[string]any)["given_name"])
	requireProblem(t, b.do(t, req{path: "/api/v1/me/cases/" + number, header: loginAs(t, b, "bruno@example.ch")}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/me/cases/" + number}), http.StatusUnauthorized)
	wrong := number[:len(number)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(number, "0")]
	requireProblem(t, b.do(t, req{path: "/api/v1/me/cases/" + wrong, header: tamara}), http.StatusNotFound)

	// The Betreibungsamt's staff, with two factors; another office's.
	staff := func(email, office string) map[string]string {
		h := loginAs(t, b, email, store.Role{Role: account.RoleStaff, Office: office})
		return map[string]string{"Cookie": twoFactorSession(t, b, h["Cookie"])}
	}
	debt := staff("beat@uster.ch", "betreibungsamt")
	tax := staff("stefan@uster.ch", "steueramt")
	queue := b.do(t, req{path: "/api/v1/office/cases?status=received", header: debt})
	require.Equal(t, http.StatusOK, queue.status, string(queue.body))
	require.Len(t, queue.json(t)["items"], 1)
	require.Empty(t, b.do(t, req{path: "/api/v1/office/cases", header: tax}).json(t)["items"])
	requireProblem(t, b.do(t, req{path: "/api/v1/office/cases/" + number, header: tax}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/office/cases?status=lost", header: debt}), http.StatusUnprocessableEntity)

	opened := b.do(t, req{path: "/api/v1/office/cases/" + number, header: debt})
	require.Equal(t, http.StatusOK, opened.status, string(opened.body))
	log := b.do(t, req{path: "/api/v1/me/transparency", header: tamara})
	require.Contains(t, string(log.body), number, "Tamara sees that the office opened her case")
	require.Contains(t, string(log.body), "beat@uster.ch")

	move := func(h map[string]string, body string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/office/cases/" + number + "/status", header: h, body: body})
	}
	requireProblem(t, move(tax, `{"status":"in_progress"}`), http.StatusNotFound)
	requireProblem(t, move(debt, `{"status":"withdrawn"}`), http.StatusUnprocessableEntity, "body.status")
	moved := move(debt, `{"status":"in_progress","message":"Wir stellen den Auszug aus."}`)
	require.Equal(t, http.StatusOK, moved.status, string(moved.body))
	require.Equal(t, "beat@uster.ch", moved.json(t)["timeline"].([]any)[2].(map[string]any)["actor"], "the office sees who (after the submission and the payment)")

	seen := b.do(t, req{path: "/api/v1/me/cases/" + number, header: tamara})
	tl := seen.json(t)["timeline"].([]any)
	require.Len(t, tl, 3, "submitted, paid, started")
	require.Equal(t, "staff", tl[2].(map[string]any)["by"])
	require.Equal(t, "Wir stellen den Auszug aus.", tl[2].(map[string]any)["message"])
	require.NotContains(t, string(seen.body), "beat@uster.ch", "the resident is not told which staff member")
	require.Equal(t, false, seen.json(t)["can_withdraw"])
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases/" + number + "/withdraw", header: tamara, body: `{}`}), http.StatusConflict)
	requireProblem(t, move(debt, `{"status":"in_progress"}`), http.StatusConflict)
}

// TestPrefillFromEarlierCase: with consent to earlier_cases, the form of a
// service gets the answers of the person's last case of it that the form
// lists as reusable (ui.reuse), never the others; the read is in the
// transparency log with the case's number; without that consent, or
// without an own case, nothing of a case is read.
func TestPrefillFromEarlierCase(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"])}
	bruno := loginAs(t, b, "bruno@example.ch")
	const slug = "betreibungsregisterauszug-bestellen"
	create := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"` + slug + `","data":` + extractData + `}`})
	require.Equal(t, http.StatusCreated, create.status, string(create.body))
	sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + create.json(t)["id"].(string) + `"}`})
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	number := sub.json(t)["number"].(string)

	consent := func(h map[string]string, fields ...string) {
		r := b.do(t, req{method: http.MethodPut, path: "/api/v1/me/consents/" + slug, header: h, body: mustJSON(t, map[string]any{"fields": fields})})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
	}
	prefill := func(h map[string]string) map[string]any {
		r := b.do(t, req{path: "/api/v1/me/services/" + slug + "/prefill", header: h})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		return r.json(t)
	}
	lastEntry := func(h map[string]string) map[string]any {
		return b.do(t, req{path: "/api/v1/me/transparency", header: h}).json(t)["items"].([]any)[0].(map[string]any)
	}

	consent(tamara, "given_name")
	require.Nil(t, prefill(tamara)["earlier"], "no consent to earlier cases: no case read")
	require.NotContains(t, lastEntry(tamara)["data"], "Angaben aus Ihrem Antrag "+number)

	consent(tamara, "given_name", "earlier_cases")
	got := prefill(tamara)
	earlier := got["earlier"].(map[string]any)
	require.Equal(t, number, earlier["case_number"])
	require.Equal(t, map[string]any{"birth_date": "1990-03-04", "same_address_5_years": "yes", "delivery": "account"}, earlier["values"],
		"only the answers the form lists as reusable (not the purpose, not the copies)")
	require.Equal(t, map[string]any{}, got["values"], "no profile yet")
	entry := lastEntry(tamara)
	require.Equal(t, []any{"Vorname", "Angaben aus Ihrem Antrag " + number}, entry["data"])
	require.Contains(t, entry["purpose"], "letzten Antrag")

	consent(bruno, "earlier_cases")
	require.Nil(t, prefill(bruno)["earlier"], "another person's case is never read")
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/consents/" + slug, header: bruno,
		body: `{"fields":["earlier_cases","earlier_cases"]}`}), http.StatusUnprocessableEntity, "body.fields[1]")
}

// pay pays what is open on a case with the development provider, as the
// person does: the checkout, the provider's page, "paid". The provider's
// webhook (a job) has reached the server when the page's answer is read.
func pay(t *testing.T, b *testBundle, session map[string]string, number string) {
	t.Helper()
	co := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases/" + number + "/checkout", header: session, body: `{"provider":"dev"}`})
	require.Equal(t, http.StatusOK, co.status, string(co.body))
	page, err := url.Parse(co.json(t)["redirect_url"].(string))
	require.NoError(t, err)
	res, err := noRedirects.PostForm(b.srv.URL+page.Path, url.Values{"choice": {"paid"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	bill := b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill", header: session})
	require.Equal(t, http.StatusOK, bill.status, string(bill.body))
	require.EqualValues(t, 0, bill.json(t)["open_rappen"], "paid: nothing open")
}
