package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cli"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/devidp"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// The eID tests run Schalter against the development identity provider on
// its own httptest server, as against AGOV: discovery, the browser's trip
// through the provider's login page, the token exchange with PKCE and the
// ID token's signature are all real HTTP and real crypto.

const (
	publicURL = "https://schalter.example" // PublicURL of serverWith
	eidClient = "schalter-test"
	eidSecret = "test-secret-0123456789abcdef"
	acr10     = "urn:qoa.eiam.admin.ch:names:tc:ac:classes:10"
	acr20     = "urn:qoa.eiam.admin.ch:names:tc:ac:classes:20"
	acr30     = "urn:qoa.eiam.admin.ch:names:tc:ac:classes:30"
	anna      = "dev-anna-muster"
	beat      = "dev-beat-beispiel"
	chiara    = "dev-chiara-rossi"
	dario     = "dev-dario-keller"
)

type eidEnv struct {
	*testBundle
	issuer string
	public string // Schalter's PublicURL
}

// setupEID starts the provider and a Schalter that uses it.
func setupEID(t *testing.T, seed bool, configure func(*config.Config)) *eidEnv {
	t.Helper()
	idpSrv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + idpSrv.Listener.Addr().String()
	idp, err := devidp.New(issuer, devidp.Client{ID: eidClient, Secret: eidSecret, RedirectURIs: []string{publicURL + "/api/v1/session/eid/callback"}})
	require.NoError(t, err)
	idpSrv.Config.Handler = idp
	idpSrv.Start()
	t.Cleanup(idpSrv.Close)
	levels, err := config.ParseACRLevels(config.DefaultACRLevels)
	require.NoError(t, err)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{Seed: seed}), false, func(c *config.Config) {
		c.EID = config.EID{Issuer: issuer, ClientID: eidClient, ClientSecret: eidSecret, Levels: levels}
		if configure != nil {
			configure(c)
		}
	})
	return &eidEnv{testBundle: b, issuer: issuer, public: publicURL}
}

// browser is one browser: its Schalter session cookie and the trip
// through the provider.
type browser struct {
	env    *eidEnv
	cookie string
}

func (br *browser) header() map[string]string {
	if br.cookie == "" {
		return nil
	}
	return map[string]string{"Cookie": br.cookie}
}

func (br *browser) keep(r resp) {
	if c := cookieOf(r, "schalter_session"); c != "" {
		br.cookie = strings.Split(c, ";")[0]
	}
}

// start asks Schalter to log in and returns the provider's URL it sends
// the browser to.
func (br *browser) start(t *testing.T, query string) string {
	t.Helper()
	r := br.env.do(t, req{path: "/api/v1/session/eid?" + query, header: br.header()})
	require.Equal(t, http.StatusFound, r.status, string(r.body))
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	br.keep(r)
	to := r.header.Get("Location")
	require.True(t, strings.HasPrefix(to, br.env.issuer+"/authorize?"), to)
	return to
}

func as(person, acr string) url.Values {
	return url.Values{"person": {person}, "acr": {acr}, "action": {"login"}}
}

// atProvider follows the provider's redirects and fills its login page
// with form, until the provider sends the browser back to Schalter's
// callback; it returns that URL.
func (br *browser) atProvider(t *testing.T, to string, form url.Values) string {
	t.Helper()
	for !strings.HasPrefix(to, br.env.public+"/api/v1/session/eid/callback") {
		res, err := noRedirects.Get(to)
		require.NoError(t, err)
		page, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		switch res.StatusCode {
		case http.StatusFound:
			next, err := res.Request.URL.Parse(res.Header.Get("Location"))
			require.NoError(t, err)
			to = next.String()
		case http.StatusOK:
			id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(page)
			require.Len(t, id, 2, "the provider's login page: %s", page)
			form.Set("id", string(id[1]))
			res, err = noRedirects.PostForm(br.env.issuer+"/login", form)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, http.StatusFound, res.StatusCode)
			to = res.Header.Get("Location")
		default:
			t.Fatalf("provider: %d %s", res.StatusCode, page)
		}
	}
	return to
}

// callback brings the provider's answer to Schalter and returns where
// Schalter sends the browser.
func (br *browser) callback(t *testing.T, back string) string {
	t.Helper()
	r := br.env.do(t, req{path: strings.TrimPrefix(back, br.env.public), header: br.header()})
	require.Equal(t, http.StatusFound, r.status, string(r.body))
	br.keep(r)
	return r.header.Get("Location")
}

func (br *browser) login(t *testing.T, query string, form url.Values) string {
	t.Helper()
	return br.callback(t, br.atProvider(t, br.start(t, query), form))
}

func (br *browser) me(t *testing.T) map[string]any {
	t.Helper()
	r := br.env.do(t, req{path: "/api/v1/me", header: br.header()})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return r.json(t)
}

// failure is the error code of a redirect to the PWA's login page.
func failure(t *testing.T, to string) string {
	t.Helper()
	u, err := url.Parse(to)
	require.NoError(t, err)
	require.Equal(t, publicURL+"/account/login", u.Scheme+"://"+u.Host+u.Path, to)
	return u.Query().Get("fehler")
}

func passwordLogin(t *testing.T, e *eidEnv, email string) *browser {
	t.Helper()
	_, err := (&account.Service{Store: e.store, City: "Uster"}).CreateUser(context.Background(), email, "grüne Velos fahren leise")
	require.NoError(t, err)
	r := e.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	br := &browser{env: e}
	br.keep(r)
	return br
}

// TestEIDLogin: the first login opens an account, the next one finds it;
// the session token is new at login; a replayed answer is refused.
func TestEIDLogin(t *testing.T) {
	t.Parallel()
	e := setupEID(t, false, nil)

	br := &browser{env: e}
	to := br.start(t, "return_to=/konto/daten&level=eid")
	anonymous := br.cookie
	require.NotEmpty(t, anonymous, "the flow waits in a session")
	auth, err := url.Parse(to)
	require.NoError(t, err)
	q := auth.Query()
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.NotEmpty(t, q.Get("code_challenge"))
	require.NotEmpty(t, q.Get("nonce"))
	require.NotEmpty(t, q.Get("state"))
	require.Equal(t, acr30, q.Get("acr_values"), "the weakest acr that gives level eid")
	require.Equal(t, "openid email", q.Get("scope"), "an address only because the login may open an account")

	back := br.atProvider(t, to, as(anna, ""))
	require.Equal(t, publicURL+"/konto/daten", br.callback(t, back))
	require.NotEqual(t, anonymous, br.cookie, "a new session token at login")
	me := br.me(t)
	require.Equal(t, "anna.muster@example.ch", me["email"])
	require.Equal(t, []any{"eid"}, me["auth"].(map[string]any)["methods"])
	require.Equal(t, "eid", me["auth"].(map[string]any)["level"])
	acc, err := e.store.AccountByEmail(context.Background(), "anna.muster@example.ch")
	require.NoError(t, err)
	require.NotNil(t, acc.EmailVerifiedAt, "the provider said email_verified")
	require.Empty(t, acc.PasswordHash)

	list := e.do(t, req{path: "/api/v1/me/eid", header: br.header()})
	require.Equal(t, http.StatusOK, list.status)
	items := list.json(t)["items"].([]any)
	require.Len(t, items, 1)
	item := items[0].(map[string]any)
	require.Equal(t, e.issuer, item["issuer"])
	require.Equal(t, acr30, item["acr"])
	require.Equal(t, "eid", item["level"])
	require.NotContains(t, string(list.body), anna, "the subject is for the export, not the list")

	export := e.do(t, req{path: "/api/v1/me/export", header: br.header()}).json(t)
	linked := export["eid_identities"].([]any)
	require.Len(t, linked, 1)
	require.Equal(t, anna, linked[0].(map[string]any)["subject"])
	require.Equal(t, e.issuer, linked[0].(map[string]any)["issuer"])

	// The same answer again: its state was used.
	require.Equal(t, "eid_ungueltig", failure(t, br.callback(t, back)))

	// A second login, at another level, finds the same account.
	other := &browser{env: e}
	require.Equal(t, publicURL+"/account", other.login(t, "", as(anna, acr10)))
	again := other.me(t)
	require.Equal(t, me["id"], again["id"])
	require.Equal(t, "account", again["auth"].(map[string]any)["level"], "acr 10 gives the level account")
	list = e.do(t, req{path: "/api/v1/me/eid", header: other.header()})
	require.Equal(t, acr10, list.json(t)["items"].([]any)[0].(map[string]any)["acr"], "the acr of the last login")

	// An address the provider did not verify stays unverified.
	third := &browser{env: e}
	third.login(t, "", as(chiara, ""))
	require.Equal(t, "chiara.rossi@example.ch", third.me(t)["email"])
	acc, err = e.store.AccountByEmail(context.Background(), "chiara.rossi@example.ch")
	require.NoError(t, err)
	require.Nil(t, acc.EmailVerifiedAt)

	// The eID-only account cannot lose its only way in; another's
	// identity is not found; a fresh login is needed.
	id := item["id"].(string)
	requireProblem(t, e.do(t, req{method: http.MethodDelete, path: "/api/v1/me/eid/" + id, header: other.header()}), http.StatusConflict)
	requireProblem(t, e.do(t, req{method: http.MethodDelete, path: "/api/v1/me/eid/" + id, header: third.header()}), http.StatusNotFound)
	requireProblem(t, e.do(t, req{method: http.MethodDelete, path: "/api/v1/me/eid/" + id}), http.StatusUnauthorized)
	requireProblem(t, e.do(t, req{method: http.MethodDelete, path: "/api/v1/me/eid/kein-uuid", header: other.header()}), http.StatusUnprocessableEntity, "path.id")
}

// TestEIDStepUp: a password session links an identity and reaches level
// eid; identities and accounts are never shared.
func TestEIDStepUp(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	e := setupEID(t, true, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	lea := passwordLogin(t, e, "lea@example.ch")
	before := lea.cookie

	// The service needs level eid; the step-up problem offers the eID.
	access := func() resp {
		return e.do(t, req{path: "/api/v1/me/services/heimatschein/access", header: lea.header()})
	}
	p := requireProblem(t, access(), http.StatusForbidden)
	require.Equal(t, "eid", p["required_level"])
	require.Equal(t, []any{"eid"}, p["methods"])

	to := lea.start(t, "return_to=/dienste/heimatschein&level=eid")
	auth, err := url.Parse(to)
	require.NoError(t, err)
	require.Equal(t, "openid", auth.Query().Get("scope"), "linking needs no e-mail address")
	require.Equal(t, publicURL+"/dienste/heimatschein", lea.callback(t, lea.atProvider(t, to, as(beat, acr30))))
	require.NotEqual(t, before, lea.cookie, "a new session token at step-up")
	requireProblem(t, e.do(t, req{path: "/api/v1/me", header: map[string]string{"Cookie": before}}), http.StatusUnauthorized)
	require.Equal(t, http.StatusOK, access().status)
	me := lea.me(t)
	require.Equal(t, "lea@example.ch", me["email"])
	require.Equal(t, []any{"pwd", "eid"}, me["auth"].(map[string]any)["methods"])
	require.Equal(t, "eid", me["auth"].(map[string]any)["level"])
	_, err = e.store.AccountByEmail(context.Background(), "beat.beispiel@example.ch")
	require.Error(t, err, "no account from the provider's address")

	var texts []string
	for _, m := range sink.Messages(t) {
		texts = append(texts, m.Text)
	}
	require.Contains(t, strings.Join(texts, "\n"), "mit einer staatlichen elektronischen Identität (eID) verbunden")
	require.NotContains(t, strings.Join(texts, "\n"), "ß")

	// Beat's identity now logs into Lea's account.
	fresh := &browser{env: e}
	fresh.login(t, "", as(beat, ""))
	require.Equal(t, me["id"], fresh.me(t)["id"])
	require.Equal(t, "two_factor", fresh.me(t)["auth"].(map[string]any)["level"], "Beat's own acr 20")

	// Another account cannot take it over, and Lea cannot add a second
	// person's identity of the same provider.
	other := passwordLogin(t, e, "max@example.ch")
	require.Equal(t, "eid_anderes_konto", failure(t, other.login(t, "level=eid", as(beat, acr30))))
	require.Equal(t, "max@example.ch", other.me(t)["email"], "still Max, without eid")
	require.Equal(t, "account", other.me(t)["auth"].(map[string]any)["level"])
	require.Equal(t, "eid_schon_verbunden", failure(t, lea.login(t, "level=eid", as(anna, ""))))

	// Unlinking, then the identity opens nothing of Lea's any more.
	list := e.do(t, req{path: "/api/v1/me/eid", header: lea.header()}).json(t)["items"].([]any)
	require.Len(t, list, 1)
	id := list[0].(map[string]any)["id"].(string)
	require.Equal(t, http.StatusNoContent, e.do(t, req{method: http.MethodDelete, path: "/api/v1/me/eid/" + id, header: lea.header()}).status)
	require.Empty(t, e.do(t, req{path: "/api/v1/me/eid", header: lea.header()}).json(t)["items"])
	texts = texts[:0]
	for _, m := range sink.Messages(t) {
		texts = append(texts, m.Text)
	}
	require.Contains(t, strings.Join(texts, "\n"), "mit einer staatlichen elektronischen Identität (eID) wurde soeben aufgehoben")
	again := &browser{env: e}
	again.login(t, "", as(beat, ""))
	require.Equal(t, "beat.beispiel@example.ch", again.me(t)["email"], "a new account of its own")
}

// TestEIDRefusals: every way the answer can be wrong ends on the PWA's
// login page with a code, and logs in nobody.
func TestEIDRefusals(t *testing.T) {
	t.Parallel()
	e := setupEID(t, false, func(c *config.Config) {
		// No eID level without a verified identity document: QoA 20 is
		// not configured here.
		c.EID.Levels = []config.ACRLevel{{ACR: acr10, Level: "account"}, {ACR: acr30, Level: "eid"}}
	})
	// Anna's address has an account: an eID login must not take it over.
	_, err := (&account.Service{Store: e.store, City: "Uster"}).CreateUser(context.Background(), "anna.muster@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)

	replace := func(key, value string) func(string) string {
		return func(u string) string {
			p, err := url.Parse(u)
			require.NoError(t, err)
			q := p.Query()
			if value == "" {
				q.Del(key)
			} else {
				q.Set(key, value)
			}
			p.RawQuery = q.Encode()
			return p.String()
		}
	}
	for _, tc := range []struct {
		name   string
		query  string
		form   url.Values
		atIdP  func(string) string // changes the authorization request
		back   func(string) string // changes the answer
		cookie bool                // the answer arrives in the browser that started
		code   string
	}{
		{"cancelled at the provider", "level=eid", url.Values{"action": {"cancel"}}, nil, nil, true, "eid_abgebrochen"},
		{"state mismatch", "level=eid", as(dario, acr30), nil, replace("state", "falsch"), true, "eid_ungueltig"},
		{"no flow in this browser", "level=eid", as(dario, acr30), nil, nil, false, "eid_ungueltig"},
		{"another issuer", "level=eid", as(dario, acr30), nil, replace("iss", "https://evil.example"), true, "eid_ungueltig"},
		{"nonce mismatch", "level=eid", as(dario, acr30), replace("nonce", "untergeschoben"), nil, true, "eid_ungueltig"},
		{"no PKCE challenge", "level=eid", as(dario, acr30), replace("code_challenge", ""), nil, true, "eid_fehler"},
		{"PKCE challenge of another verifier", "level=eid", as(dario, acr30),
			replace("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), nil, true, "eid_fehler"},
		{"acr not configured", "", as(dario, acr20), nil, nil, true, "eid_stufe_unbekannt"},
		{"acr unknown to any configuration", "", as(dario, devidp.UnknownACR), nil, nil, true, "eid_stufe_unbekannt"},
		{"acr below the level asked for", "level=eid", as(dario, acr10), nil, nil, true, "eid_stufe_zu_tief"},
		{"known address without a login", "", as(anna, ""), nil, nil, true, "eid_email_bekannt"},
		{"no address from the provider", "", as(dario, acr30), nil, nil, true, "eid_ohne_email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := &browser{env: e}
			to := br.start(t, tc.query+"&return_to=/dienste/heimatschein")
			if tc.atIdP != nil {
				to = tc.atIdP(to)
			}
			back := br.atProvider(t, to, tc.form)
			if tc.back != nil {
				back = tc.back(back)
			}
			if !tc.cookie {
				br.cookie = ""
			}
			to = br.callback(t, back)
			require.Equal(t, tc.code, failure(t, to))
			if tc.cookie {
				u, _ := url.Parse(to)
				require.Equal(t, "/dienste/heimatschein", u.Query().Get("return_to"), "back to where the person was, after the explanation")
			}
			requireProblem(t, e.do(t, req{path: "/api/v1/me", header: br.header()}), http.StatusUnauthorized)
		})
	}
	acc, err := e.store.AccountByEmail(context.Background(), "anna.muster@example.ch")
	require.NoError(t, err)
	linked, err := e.store.EIDs(context.Background(), acc.ID)
	require.NoError(t, err)
	require.Empty(t, linked, "no identity slipped onto the account with Anna's address")
	require.Contains(t, e.logs.String(), "eID login failed")
	require.Contains(t, e.logs.String(), "code=eid_email_bekannt")
}

// TestEIDStart: where the login may return to, and which levels exist.
func TestEIDStart(t *testing.T) {
	t.Parallel()
	e := setupEID(t, false, func(c *config.Config) { c.EID.Levels = []config.ACRLevel{{ACR: acr10, Level: "account"}} })
	for _, tc := range []struct {
		query, location string
	}{
		{"return_to=//evil.example", "query.return_to"},
		{"return_to=https://evil.example", "query.return_to"},
		{"return_to=" + url.QueryEscape(`/\evil.example`), "query.return_to"},
		{"return_to=" + url.QueryEscape(`\\evil.example`), "query.return_to"},
		{"return_to=javascript:alert(1)", "query.return_to"},
		{"return_to=konto", "query.return_to"},
		{"return_to=" + url.QueryEscape("/konto\r\nSet-Cookie: x=y"), "query.return_to"},
		{"return_to=/" + strings.Repeat("a", 600), "query.return_to"},
		{"level=gold", "query.level"},
		{"level=eid", "query.level"}, // no configured acr gives it
	} {
		t.Run(tc.query, func(t *testing.T) {
			requireProblem(t, e.do(t, req{path: "/api/v1/session/eid?" + tc.query}), http.StatusUnprocessableEntity, tc.location)
		})
	}
	br := &browser{env: e}
	require.Contains(t, br.start(t, "return_to="+url.QueryEscape("/dienste?suche=pass#oben")), "acr_values="+url.QueryEscape(acr10))

	// Without eID configuration the start is unavailable, and a callback
	// still ends on the login page.
	plain := setup(t, false)
	requireProblem(t, plain.do(t, req{path: "/api/v1/session/eid"}), http.StatusServiceUnavailable)
	r := plain.do(t, req{path: "/api/v1/session/eid/callback?code=x&state=y"})
	require.Equal(t, http.StatusFound, r.status)
	require.Equal(t, "eid_fehler", failure(t, r.header.Get("Location")))
	cfg := plain.do(t, req{path: "/api/v1/config"}).json(t)
	require.NotContains(t, cfg, "eid")
	require.Equal(t, true, e.do(t, req{path: "/api/v1/config"}).json(t)["eid"])
}

// TestDevIdPMounted: with SCHALTER_EID_DEV the development provider runs
// under /dev-idp on Schalter's own port, and Schalter logs in with it
// over HTTP as with any provider (make run).
func TestDevIdPMounted(t *testing.T) {
	t.Parallel()
	levels, err := config.ParseACRLevels(config.DefaultACRLevels)
	require.NoError(t, err)
	var own string
	b := startServer(t, pgtest.Store(t, pgtest.Options{}), false, func(c *config.Config, url string) {
		own = url
		c.PublicURL = url
		c.EID = config.EID{Issuer: url + "/dev-idp", ClientID: config.DevIdPClientID, Levels: levels, Dev: true}
	})
	e := &eidEnv{testBundle: b, issuer: own + "/dev-idp", public: own}

	disc := e.do(t, req{path: "/dev-idp/.well-known/openid-configuration"})
	require.Equal(t, http.StatusOK, disc.status)
	require.Equal(t, own+"/dev-idp", disc.json(t)["issuer"])

	br := &browser{env: e}
	to := br.start(t, "level=eid")
	authorize := e.do(t, req{path: strings.TrimPrefix(to, own)})
	require.Equal(t, http.StatusFound, authorize.status, string(authorize.body))
	page := e.do(t, req{path: strings.TrimPrefix(authorize.header.Get("Location"), own)})
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, page.header.Get("Content-Security-Policy"), "script-src 'self'", "Schalter's headers apply")
	require.Contains(t, string(page.body), `<html lang="de-CH">`)
	require.Contains(t, string(page.body), "<title>Entwicklungs-Identitätsanbieter — nicht für den Betrieb</title>")
	require.Contains(t, string(page.body), "Anna Muster (acr 30)")
	require.NotContains(t, string(page.body), "<script")

	// The whole login on one port; Schalter's client is public (PKCE only).
	require.Equal(t, own+"/account", br.callback(t, br.atProvider(t, to, as(anna, ""))))
	require.Equal(t, "eid", br.me(t)["auth"].(map[string]any)["level"])
}

// TestDevIdPNeverInProduction: the wiring refuses it too, whatever path
// the configuration took.
func TestDevIdPNeverInProduction(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "production", PublicURL: publicURL,
		EID: config.EID{Issuer: publicURL + "/dev-idp", ClientID: config.DevIdPClientID, Levels: []config.ACRLevel{{ACR: acr30, Level: "eid"}}, Dev: true}}
	_, err := cli.Wire(cfg, pgtest.Store(t, pgtest.Options{}), slog.New(slog.DiscardHandler))
	require.EqualError(t, err, "the development identity provider must never run in production")
}
