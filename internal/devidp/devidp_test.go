package devidp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/schalter-ch/schalter/internal/devidp"
)

const callback = "https://app.example/callback"

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String() + "/idp"
	p, err := devidp.New(issuer,
		devidp.Client{ID: "public", RedirectURIs: []string{callback}},
		devidp.Client{ID: "confidential", Secret: "geheim-geheim", RedirectURIs: []string{callback}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/idp/", p)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	res, err := noRedirects.Get(u)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// authorize runs the browser's part: the authorization request, the login
// page and its form, up to the redirect back to the client, whose query
// it returns.
func authorize(t *testing.T, issuer string, params url.Values, form url.Values) url.Values {
	t.Helper()
	res := get(t, issuer+"/authorize?"+params.Encode())
	for res.StatusCode == http.StatusFound && !strings.HasPrefix(res.Header.Get("Location"), callback) {
		loc, err := res.Request.URL.Parse(res.Header.Get("Location"))
		require.NoError(t, err)
		res = get(t, loc.String())
	}
	if res.StatusCode == http.StatusOK {
		page, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Contains(t, string(page), `<html lang="de-CH">`)
		require.Contains(t, string(page), "<title>Entwicklungs-Identitätsanbieter — nicht für den Betrieb</title>")
		require.Contains(t, string(page), `<label for="person-dev-anna-muster">Anna Muster (acr 30)</label>`)
		require.NotContains(t, string(page), "<script")
		id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(string(page))
		require.Len(t, id, 2)
		form.Set("id", id[1])
		res, err = noRedirects.PostForm(issuer+"/login", form)
		require.NoError(t, err)
		t.Cleanup(func() { res.Body.Close() })
		for res.StatusCode == http.StatusFound && !strings.HasPrefix(res.Header.Get("Location"), callback) {
			res = get(t, res.Header.Get("Location"))
		}
	}
	require.Equal(t, http.StatusFound, res.StatusCode)
	back, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	return back.Query()
}

func authParams(client, challenge string) url.Values {
	v := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {callback}, "scope": {"openid email"},
		"state": {"zustand"}, "nonce": {"einmal"}, "acr_values": {devidp.ACRs[2]}}
	if challenge != "" {
		v.Set("code_challenge", challenge)
		v.Set("code_challenge_method", "S256")
	}
	return v
}

func token(t *testing.T, issuer string, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, issuer+"/oauth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	return res.StatusCode, body
}

func TestDiscoveryAndKeys(t *testing.T) {
	t.Parallel()
	issuer := start(t)
	var disc struct {
		Issuer     string   `json:"issuer"`
		JWKS       string   `json:"jwks_uri"`
		Token      string   `json:"token_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Algorithms []string `json:"id_token_signing_alg_values_supported"`
	}
	require.NoError(t, json.NewDecoder(get(t, issuer+"/.well-known/openid-configuration").Body).Decode(&disc))
	require.Equal(t, issuer, disc.Issuer)
	require.Equal(t, issuer+"/oauth/token", disc.Token)
	require.Contains(t, disc.PKCE, "S256")
	require.Equal(t, []string{"RS256"}, disc.Algorithms)
	var keys struct {
		Keys []struct {
			Kty, Alg, Use, N string
		} `json:"keys"`
	}
	require.NoError(t, json.NewDecoder(get(t, disc.JWKS).Body).Decode(&keys))
	require.Len(t, keys.Keys, 1)
	require.Equal(t, "RSA", keys.Keys[0].Kty)
	require.Len(t, keys.Keys[0].N, 342, "a 2048-bit modulus in base64url")
}

// TestCodeExchange holds the token endpoint to PKCE, single-use codes and
// client authentication, and checks what the ID token and userinfo say.
func TestCodeExchange(t *testing.T) {
	t.Parallel()
	issuer := start(t)
	verifier := oauth2.GenerateVerifier()
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	login := url.Values{"person": {"dev-anna-muster"}, "acr": {devidp.ACRs[3]}, "action": {"login"}}
	exchange := func(client string, extra url.Values) url.Values {
		f := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {callback}, "client_id": {client}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}

	// Without PKCE, or with the plain method, there is no login at all.
	for _, params := range []url.Values{authParams("public", ""), func() url.Values {
		v := authParams("public", verifier)
		v.Set("code_challenge_method", "plain")
		return v
	}()} {
		back := authorize(t, issuer, params, nil)
		require.Equal(t, "invalid_request", back.Get("error"), back)
		require.Equal(t, "zustand", back.Get("state"))
	}

	// Cancelling answers access_denied with the state.
	back := authorize(t, issuer, authParams("public", challenge), url.Values{"action": {"cancel"}})
	require.Equal(t, "access_denied", back.Get("error"))
	require.Equal(t, "zustand", back.Get("state"))

	for _, tc := range []struct {
		name         string
		client, pass string
		form         url.Values
		status       int
		err          string
	}{
		{"no verifier", "public", "", url.Values{}, http.StatusBadRequest, "invalid_request"},
		{"wrong verifier", "public", "", url.Values{"code_verifier": {oauth2.GenerateVerifier()}}, http.StatusBadRequest, "invalid_grant"},
		{"wrong secret", "confidential", "falsch", url.Values{"code_verifier": {verifier}}, http.StatusUnauthorized, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			back := authorize(t, issuer, authParams(tc.client, challenge), login)
			require.NotEmpty(t, back.Get("code"), back)
			f := exchange(tc.client, tc.form)
			f.Set("code", back.Get("code"))
			user := ""
			if tc.pass != "" {
				user = tc.client
			}
			status, body := token(t, issuer, f, user, tc.pass)
			require.Equal(t, tc.status, status, body)
			require.Equal(t, tc.err, body["error"], body)
		})
	}

	for _, client := range []struct{ id, secret string }{{"public", ""}, {"confidential", "geheim-geheim"}} {
		t.Run("exchange "+client.id, func(t *testing.T) {
			back := authorize(t, issuer, authParams(client.id, challenge), login)
			f := exchange(client.id, url.Values{"code": {back.Get("code")}, "code_verifier": {verifier}})
			user := ""
			if client.secret != "" {
				user = client.id
			}
			status, body := token(t, issuer, f, user, client.secret)
			require.Equal(t, http.StatusOK, status, body)

			// A code works once.
			again, body2 := token(t, issuer, f, user, client.secret)
			require.Equal(t, http.StatusBadRequest, again)
			require.Equal(t, "invalid_grant", body2["error"])

			ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
			provider, err := oidc.NewProvider(ctx, issuer)
			require.NoError(t, err)
			idt, err := provider.Verifier(&oidc.Config{ClientID: client.id}).Verify(ctx, body["id_token"].(string))
			require.NoError(t, err)
			var claims map[string]any
			require.NoError(t, idt.Claims(&claims))
			require.Equal(t, "dev-anna-muster", claims["sub"])
			require.Equal(t, devidp.ACRs[3], claims["acr"], "the acr chosen on the page")
			require.Equal(t, "einmal", claims["nonce"])
			require.NotContains(t, claims, "email", "the ID token says who and how, no more")

			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: body["access_token"].(string), TokenType: "Bearer"}))
			require.NoError(t, err)
			require.Equal(t, "anna.muster@example.ch", info.Email)
			require.True(t, info.EmailVerified)
		})
	}
}
