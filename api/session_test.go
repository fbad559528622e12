package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func cookieOf(r resp, name string) string {
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

func TestSessions(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx := context.Background()
	svc := &account.Service{Store: b.store, City: "Uster"}
	_, err := svc.CreateUser(ctx, "anna@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	_, err = svc.CreateUser(ctx, "editor@uster.ch", "rote Trams fahren leise", store.Role{Role: account.RoleEditor})
	require.NoError(t, err)

	login := func(email, pw string, h map[string]string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": pw}), header: h})
	}

	t.Run("no account enumeration", func(t *testing.T) {
		wrong := login("anna@example.ch", "falsches Passwort hier", nil)
		unknown := login("niemand@example.ch", "falsches Passwort hier", nil)
		requireProblem(t, wrong, http.StatusUnauthorized)
		requireProblem(t, unknown, http.StatusUnauthorized)
		w, u := wrong.json(t), unknown.json(t)
		require.Equal(t, w["detail"], u["detail"])
		require.Equal(t, w["title"], u["title"])
		require.Empty(t, cookieOf(wrong, "schalter_session"))
	})

	t.Run("login, me, logout", func(t *testing.T) {
		// A session id planted before login is not kept (fixation).
		planted := "schalter_session=planted-token-123"
		r := login("ANNA@example.ch", "grüne Velos fahren leise", map[string]string{"Cookie": planted})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		set := cookieOf(r, "schalter_session")
		require.Contains(t, set, "HttpOnly")
		require.Contains(t, set, "Secure")
		require.Contains(t, set, "SameSite=Lax")
		require.NotContains(t, set, "planted-token-123")
		me := r.json(t)
		require.Equal(t, "anna@example.ch", me["email"])
		require.Equal(t, []any{"pwd"}, me["auth"].(map[string]any)["methods"])
		cookie := map[string]string{"Cookie": strings.Split(set, ";")[0]}

		got := b.do(t, req{path: "/api/v1/me", header: cookie})
		require.Equal(t, http.StatusOK, got.status)
		require.Empty(t, got.json(t)["roles"])
		requireProblem(t, b.do(t, req{path: "/api/v1/me"}), http.StatusUnauthorized)
		requireProblem(t, b.do(t, req{path: "/api/v1/me", header: map[string]string{"Cookie": planted}}), http.StatusUnauthorized)

		// A resident is no editor: known, and forbidden.
		requireProblem(t, b.do(t, req{path: "/api/v1/admin/services", header: cookie}), http.StatusForbidden)

		require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/session", header: cookie}).status)
		requireProblem(t, b.do(t, req{path: "/api/v1/me", header: cookie}), http.StatusUnauthorized)
	})

	t.Run("an editor's session opens the admin API", func(t *testing.T) {
		r := login("editor@uster.ch", "rote Trams fahren leise", nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, []any{map[string]any{"role": "editor"}}, r.json(t)["roles"])
		cookie := map[string]string{"Cookie": strings.Split(cookieOf(r, "schalter_session"), ";")[0]}
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/admin/services", header: cookie}).status)
		p := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services/heimatschein/archive", header: cookie})
		require.Equal(t, http.StatusOK, p.status)
		revs := b.do(t, req{path: "/api/v1/admin/services/heimatschein/revisions", header: cookie}).json(t)["items"].([]any)
		require.True(t, strings.HasPrefix(revs[0].(map[string]any)["actor"].(string), "account:"), "the change is attributed to the editor")
	})

	t.Run("a cross-origin login is refused", func(t *testing.T) {
		r := login("anna@example.ch", "grüne Velos fahren leise", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		requireProblem(t, r, http.StatusForbidden)
	})

	t.Run("bad input", func(t *testing.T) {
		requireProblem(t, login("not-an-address", "x", nil), http.StatusUnprocessableEntity, "body.email")
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: `{"email": "a@b.ch"}`}), http.StatusUnprocessableEntity, "body")
	})

	t.Run("attempts per address are limited", func(t *testing.T) {
		_, err := svc.CreateUser(ctx, "ziel@example.ch", "blaue Schiffe fahren leise")
		require.NoError(t, err)
		var last resp
		for i := 0; i < 11; i++ {
			last = login("ziel@example.ch", "geraten "+strings.Repeat("x", i), nil)
		}
		requireProblem(t, last, http.StatusTooManyRequests)
	})
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>"
	})
	register := func(email, pw string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts", body: mustJSON(t, map[string]string{"email": email, "password": pw})})
	}
	first := register("Lea@Example.ch", "grüne Velos fahren leise")
	require.Equal(t, http.StatusAccepted, first.status, string(first.body))

	// Not verified yet: the same answer as a wrong password.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session",
		body: mustJSON(t, map[string]string{"email": "lea@example.ch", "password": "grüne Velos fahren leise"})}), http.StatusUnauthorized)

	// Registering a known address answers the same, and tells its owner.
	again := register("lea@example.ch", "andere lange Passphrase")
	require.Equal(t, first.status, again.status)
	require.Equal(t, string(first.body), string(again.body))

	msgs := sink.Messages(t)
	require.Len(t, msgs, 2)
	var verify mailtest.Message
	for _, m := range msgs {
		if strings.Contains(m.Text, "/account/verify#") {
			verify = m
		}
	}
	require.Equal(t, "Lea@Example.ch", verify.To)
	require.Contains(t, verify.Subject, "bestätigen")
	link := regexp.MustCompile(`https://schalter\.example/account/verify#([A-Za-z0-9_-]+)`).FindStringSubmatch(verify.Text)
	require.Len(t, link, 2, verify.Text)

	ok := b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/verify", body: mustJSON(t, map[string]string{"token": link[1]})})
	require.Equal(t, http.StatusNoContent, ok.status, string(ok.body))
	// A link works once.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/verify", body: mustJSON(t, map[string]string{"token": link[1]})}),
		http.StatusUnprocessableEntity, "body.token")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/verify", body: mustJSON(t, map[string]string{"token": strings.Repeat("x", 43)})}),
		http.StatusUnprocessableEntity, "body.token")

	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session",
		body: mustJSON(t, map[string]string{"email": "lea@example.ch", "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, login.status, string(login.body))

	requireProblem(t, register("kurz@example.ch", "kurz"), http.StatusUnprocessableEntity, "body.password")
	requireProblem(t, register("passwort@example.ch", "passwort12345"), http.StatusUnprocessableEntity, "body.password")
	requireProblem(t, register("keine-adresse", "grüne Velos fahren leise"), http.StatusUnprocessableEntity, "body.email")
}

func TestRegistrationWithoutMail(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts", body: mustJSON(t, map[string]string{"email": "x@example.ch", "password": "grüne Velos fahren leise"})})
	requireProblem(t, r, http.StatusServiceUnavailable)
}

// TestAccountLifecycle: password reset by e-mail link, security
// notifications, data export and deletion.
func TestAccountLifecycle(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	b := serverWith(t, st, false, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	_, err := (&account.Service{Store: st, City: "Uster"}).CreateUser(context.Background(), "mia@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	post := func(path string, body any, h map[string]string) resp {
		return b.do(t, req{method: http.MethodPost, path: path, body: mustJSON(t, body), header: h})
	}

	// Reset: the same answer for known and unknown addresses.
	known := post("/api/v1/accounts/password-reset", map[string]string{"email": "mia@example.ch"}, nil)
	unknown := post("/api/v1/accounts/password-reset", map[string]string{"email": "niemand@example.ch"}, nil)
	require.Equal(t, http.StatusAccepted, known.status)
	require.Equal(t, string(known.body), string(unknown.body))
	msgs := sink.Messages(t) // newest first
	require.Len(t, msgs, 2, "both addresses get a mail: no answer tells them apart")
	require.Equal(t, "niemand@example.ch", msgs[0].To)
	require.Contains(t, msgs[0].Text, "kein bestätigtes Konto")
	require.NotContains(t, msgs[0].Text, "/account/reset#")
	require.Equal(t, "mia@example.ch", msgs[1].To)
	token := regexp.MustCompile(`/account/reset#([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[1].Text)
	require.Len(t, token, 2)
	requireProblem(t, post("/api/v1/accounts/password-reset/confirm", map[string]string{"token": token[1], "password": "kurz"}, nil), http.StatusUnprocessableEntity, "body.password")
	ok := post("/api/v1/accounts/password-reset/confirm", map[string]string{"token": token[1], "password": "blaue Schiffe fahren leise"}, nil)
	require.Equal(t, http.StatusNoContent, ok.status, string(ok.body))
	requireProblem(t, post("/api/v1/accounts/password-reset/confirm", map[string]string{"token": token[1], "password": "gelbe Busse fahren leise"}, nil), http.StatusUnprocessableEntity, "body.token")

	requireProblem(t, post("/api/v1/session", map[string]string{"email": "mia@example.ch", "password": "grüne Velos fahren leise"}, nil), http.StatusUnauthorized)
	login := post("/api/v1/session", map[string]string{"email": "mia@example.ch", "password": "blaue Schiffe fahren leise"}, nil)
	require.Equal(t, http.StatusOK, login.status)
	cookie := map[string]string{"Cookie": strings.Split(cookieOf(login, "schalter_session"), ";")[0]}

	var subjects []string
	for _, m := range sink.Messages(t) {
		subjects = append(subjects, m.Subject+": "+strings.SplitN(m.Text, "\n", 4)[2])
	}
	require.Len(t, subjects, 4, "reset link, no account, password changed, new login: %v", subjects)
	require.Contains(t, strings.Join(subjects, "\n"), "Passwort Ihres Kontos wurde soeben geändert")
	require.Regexp(t, "für eine Anmeldung verwendet|bisher nicht angemeldet", strings.Join(subjects, "\n"))

	exp := b.do(t, req{path: "/api/v1/me/export", header: cookie})
	require.Equal(t, http.StatusOK, exp.status)
	require.Contains(t, exp.header.Get("Content-Disposition"), "attachment")
	data := exp.json(t)
	require.Equal(t, "mia@example.ch", data["account"].(map[string]any)["email"])
	require.Equal(t, true, data["login"].(map[string]any)["password"])
	require.NotContains(t, string(exp.body), "argon2", "no password hash in the export")

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein", header: cookie}).status)
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me", header: cookie}).status)
	counts, err := st.FavouriteCounts(context.Background())
	require.NoError(t, err)
	require.Zero(t, counts["heimatschein"], "the account's favourites went with it")
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: cookie}), http.StatusUnauthorized)
	requireProblem(t, post("/api/v1/session", map[string]string{"email": "mia@example.ch", "password": "blaue Schiffe fahren leise"}, nil), http.StatusUnauthorized)
	_, err = st.AccountByEmail(context.Background(), "mia@example.ch")
	require.Error(t, err)
	require.Contains(t, sink.Messages(t)[0].Text, "Ihr Konto wurde soeben gelöscht")
}

// TestDevices: a person sees their sessions and ends one; nobody else's.
func TestDevices(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	svc := &account.Service{Store: b.store, City: "Uster"}
	for _, e := range []string{"nora@example.ch", "otto@example.ch"} {
		_, err := svc.CreateUser(context.Background(), e, "grüne Velos fahren leise")
		require.NoError(t, err)
	}
	loginAs := func(email, ua string) map[string]string {
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": "grüne Velos fahren leise"}),
			header: map[string]string{"User-Agent": ua}})
		require.Equal(t, http.StatusOK, r.status)
		return map[string]string{"Cookie": strings.Split(cookieOf(r, "schalter_session"), ";")[0]}
	}
	phone := loginAs("nora@example.ch", "Handy Firefox")
	laptop := loginAs("nora@example.ch", "Laptop Chromium")
	otto := loginAs("otto@example.ch", "Otto Browser")

	list := b.do(t, req{path: "/api/v1/me/sessions", header: laptop}).json(t)["items"].([]any)
	require.Len(t, list, 2)
	first := list[0].(map[string]any)
	require.Equal(t, "Laptop Chromium", first["device"])
	require.Equal(t, true, first["current"])
	phoneID := list[1].(map[string]any)["id"].(string)

	ottoList := b.do(t, req{path: "/api/v1/me/sessions", header: otto}).json(t)["items"].([]any)
	require.Len(t, ottoList, 1)
	ottoID := ottoList[0].(map[string]any)["id"].(string)
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sessions/" + ottoID, header: laptop}), http.StatusNotFound)
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me", header: otto}).status, "Otto's session survives")

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sessions/" + phoneID, header: laptop}).status)
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: phone}), http.StatusUnauthorized)
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me", header: laptop}).status)
	require.Len(t, b.do(t, req{path: "/api/v1/me/sessions", header: laptop}).json(t)["items"], 1)
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/sessions/nicht-hex", header: laptop}), http.StatusUnprocessableEntity, "path.id")
}

// TestGuestFavouritesMergeAtLogin: a guest's favourites move to the account
// at login, without duplicates, and the guest id then holds none.
func TestGuestFavouritesMergeAtLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	_, err := (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "gina@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	pw := mustJSON(t, map[string]string{"email": "gina@example.ch", "password": "grüne Velos fahren leise"})

	// The account already keeps one service.
	first := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw})
	acc := map[string]string{"Cookie": strings.Split(cookieOf(first, "schalter_session"), ";")[0]}
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein", header: acc}).status)

	// A guest on another browser keeps two, one of them the same.
	g := b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein"})
	set := cookieOf(g, "schalter_guest")
	require.Contains(t, set, "Path=/api/v1;")
	guest := map[string]string{"Cookie": strings.Split(set, ";")[0]}
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/hund-anmelden", header: guest}).status)

	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw, header: guest})
	require.Equal(t, http.StatusOK, login.status)
	both := map[string]string{"Cookie": guest["Cookie"] + "; " + strings.Split(cookieOf(login, "schalter_session"), ";")[0]}
	items := b.do(t, req{path: "/api/v1/favourites", header: both}).json(t)["items"].([]any)
	var slugs []string
	for _, it := range items {
		slugs = append(slugs, it.(map[string]any)["slug"].(string))
	}
	require.ElementsMatch(t, []string{"heimatschein", "hund-anmelden"}, slugs)
	require.Empty(t, b.do(t, req{path: "/api/v1/favourites", header: guest}).json(t)["items"], "nothing left under the guest id")
}

// A session unused for SCHALTER_SESSION_IDLE ends; one in use does not.
func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	b := serverWith(t, st, false, func(c *config.Config) { c.SessionIdle = 2 * time.Second })
	h := loginAs(t, b, "ida@example.ch")
	for i := 0; i < 3; i++ {
		time.Sleep(time.Second)
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me", header: h}).status, "in use")
	}
	time.Sleep(3500 * time.Millisecond)
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: h}), http.StatusUnauthorized)
}

// Reads with a session do not rewrite it: no Set-Cookie, no session write
// per request (the idle check stores the last use once a minute).
func TestSessionReadsDoNotWrite(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	h := loginAs(t, b, "lea@example.ch")
	for i := 0; i < 3; i++ {
		r := b.do(t, req{path: "/api/v1/me", header: h})
		require.Equal(t, http.StatusOK, r.status)
		require.Empty(t, r.header.Values("Set-Cookie"))
	}
}

// A login mail names the device; one from a browser and system the
// account never used says so plainly.
func TestNewDeviceNotice(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	b := serverWith(t, st, false, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	_, err := (&account.Service{Store: st, City: "Uster"}).CreateUser(context.Background(), "geraet@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
	const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	var texts []string
	for _, ua := range []string{firefox, firefox, iphone} {
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", header: map[string]string{"User-Agent": ua},
			body: mustJSON(t, map[string]string{"email": "geraet@example.ch", "password": "grüne Velos fahren leise"})})
		require.Equal(t, http.StatusOK, r.status)
		msgs := sink.Messages(t) // newest first
		texts = append(texts, msgs[0].Text)
	}
	require.Len(t, sink.Messages(t), 3)
	for i, tc := range []struct{ device, says string }{
		{"Gerät: Firefox auf Windows", "bisher nicht angemeldet"},
		{"Gerät: Firefox auf Windows", "für eine Anmeldung verwendet"},
		{"Gerät: Safari auf iPhone", "bisher nicht angemeldet"},
	} {
		require.Contains(t, texts[i], tc.device, "login %d", i+1)
		require.Contains(t, texts[i], tc.says, "login %d", i+1)
	}
}
