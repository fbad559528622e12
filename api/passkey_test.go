package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	vw "github.com/descope/virtualwebauthn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// The relying party as the test server is configured (PublicURL
// https://schalter.example, city Stadt Uster): the software authenticator
// signs for this origin, as a browser on the city's site would.
var testRP = vw.RelyingParty{Name: "Stadt Uster", ID: "schalter.example", Origin: "https://schalter.example"}

// passkeyBundle is a server with a mail sink and helpers that play the
// browser and a software authenticator (virtualwebauthn).
type passkeyBundle struct {
	*testBundle
	sink *mailtest.Sink
}

func setupPasskeys(t *testing.T) *passkeyBundle {
	t.Helper()
	sink := mailtest.Start(t)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>"
	})
	return &passkeyBundle{testBundle: b, sink: sink}
}

// sessionOf is the Cookie header of the session r set, or h when r set none.
func sessionOf(r resp, h map[string]string) map[string]string {
	if c := cookieOf(r, "schalter_session"); c != "" {
		return map[string]string{"Cookie": strings.Split(c, ";")[0]}
	}
	return h
}

func (b *passkeyBundle) post(t *testing.T, path string, h map[string]string, body any) resp {
	t.Helper()
	s := ""
	if body != nil {
		s = mustJSON(t, body)
	}
	return b.do(t, req{method: http.MethodPost, path: path, header: h, body: s})
}

func (b *passkeyBundle) passwordLogin(t *testing.T, email string) map[string]string {
	t.Helper()
	r := b.post(t, "/api/v1/session", nil, map[string]string{"email": email, "password": "grüne Velos fahren leise"})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return sessionOf(r, nil)
}

// creationOptions begins a registration and parses the options as the
// software authenticator reads them; the authenticator takes the user
// handle, as a real one stores it with the credential.
func creationOptions(t *testing.T, r resp, auth *vw.Authenticator) *vw.AttestationOptions {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	opts, err := vw.ParseAttestationOptions(string(r.body))
	require.NoError(t, err)
	auth.Options.UserHandle = []byte(opts.UserID)
	return opts
}

// attestation is the browser's answer to opts from a new credential of
// auth, with transports as a browser reports them (they are not signed).
func attestation(t *testing.T, auth vw.Authenticator, cred vw.Credential, opts *vw.AttestationOptions, transports ...string) json.RawMessage {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(vw.CreateAttestationResponse(testRP, auth, cred, *opts)), &m))
	if len(transports) > 0 {
		m["response"].(map[string]any)["transports"] = transports
	}
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	return raw
}

// addPasskey registers a new credential of auth for the session h.
func (b *passkeyBundle) addPasskey(t *testing.T, h map[string]string, auth *vw.Authenticator, name string, transports ...string) (vw.Credential, resp) {
	t.Helper()
	opts := creationOptions(t, b.post(t, "/api/v1/me/passkeys/options", h, nil), auth)
	cred := newCredential(t)
	r := b.post(t, "/api/v1/me/passkeys", h, map[string]any{"credential": attestation(t, *auth, cred, opts, transports...), "name": name})
	if r.status == http.StatusCreated {
		auth.AddCredential(cred)
	}
	return cred, r
}

// loginOptions begins a passkey login in the session h (nil: a new
// browser) and returns the options and the session to finish in.
func (b *passkeyBundle) loginOptions(t *testing.T, h map[string]string) (*vw.AssertionOptions, map[string]string) {
	t.Helper()
	r := b.post(t, "/api/v1/session/passkey/options", h, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	opts, err := vw.ParseAssertionOptions(string(r.body))
	require.NoError(t, err)
	return opts, sessionOf(r, h)
}

// newCredential is a new EC2 (P-256) credential. virtualwebauthn encodes
// the public key's coordinates without their leading zero bytes, which
// WebAuthn servers rightly refuse; such keys (about 1 in 128) are skipped.
func newCredential(t *testing.T) vw.Credential {
	t.Helper()
	for {
		cred := vw.NewCredential(vw.KeyTypeEC2)
		key, err := x509.ParsePKCS8PrivateKey(cred.Key.Data)
		require.NoError(t, err)
		// Uncompressed point: 0x04, X (32 bytes), Y (32 bytes).
		point, err := key.(*ecdsa.PrivateKey).PublicKey.Bytes()
		require.NoError(t, err)
		if point[1] != 0 && point[33] != 0 {
			return cred
		}
	}
}

func assertion(auth vw.Authenticator, cred vw.Credential, opts *vw.AssertionOptions) json.RawMessage {
	return json.RawMessage(vw.CreateAssertionResponse(testRP, auth, cred, *opts))
}

func (b *passkeyBundle) finishLogin(t *testing.T, h map[string]string, credential json.RawMessage) resp {
	t.Helper()
	return b.post(t, "/api/v1/session/passkey", h, map[string]any{"credential": credential})
}

// login runs a whole passkey login with cred in the session h.
func (b *passkeyBundle) login(t *testing.T, h map[string]string, auth vw.Authenticator, cred vw.Credential) resp {
	t.Helper()
	opts, session := b.loginOptions(t, h)
	return b.finishLogin(t, session, assertion(auth, cred, opts))
}

// mailsTo returns the texts of the mails to an address.
func (b *passkeyBundle) mailsTo(t *testing.T, to string) []string {
	t.Helper()
	var out []string
	for _, m := range b.sink.Messages(t) {
		if strings.EqualFold(m.To, to) {
			out = append(out, m.Subject+"\n"+m.Text)
		}
	}
	return out
}

func countContaining(texts []string, part string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, part) {
			n++
		}
	}
	return n
}

// editSession changes the values of the scs session h in PostgreSQL, where
// every server replica reads it: for what only time would change.
func editSession(t *testing.T, st *store.Store, h map[string]string, edit func(values map[string]any)) {
	t.Helper()
	ctx := context.Background()
	token := strings.TrimPrefix(h["Cookie"], "schalter_session=")
	var data []byte
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT data FROM sessions WHERE token = $1", token).Scan(&data))
	deadline, values, err := scs.GobCodec{}.Decode(data)
	require.NoError(t, err)
	edit(values)
	data, err = scs.GobCodec{}.Encode(deadline, values)
	require.NoError(t, err)
	_, err = st.Pool().Exec(ctx, "UPDATE sessions SET data = $2 WHERE token = $1", token, data)
	require.NoError(t, err)
}

// expireCeremonies moves the expiry of every ceremony kept in the session
// h into the past, as if its five minutes had passed.
func expireCeremonies(t *testing.T, st *store.Store, h map[string]string) {
	t.Helper()
	editSession(t, st, h, func(values map[string]any) {
		n := 0
		for k, v := range values {
			if !strings.HasPrefix(k, "passkey_ceremony:") {
				continue
			}
			var c map[string]any
			require.NoError(t, json.Unmarshal([]byte(v.(string)), &c))
			c["session"].(map[string]any)["expires"] = time.Now().Add(-time.Second).Format(time.RFC3339Nano)
			raw, err := json.Marshal(c)
			require.NoError(t, err)
			values[k] = string(raw)
			n++
		}
		require.Positive(t, n, "no ceremony in the session")
	})
}

func passkeyList(t *testing.T, b *passkeyBundle, h map[string]string) []map[string]any {
	t.Helper()
	r := b.do(t, req{path: "/api/v1/me/passkeys", header: h})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out []map[string]any
	for _, it := range r.json(t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestPasskeys: adding, listing, naming and removing passkeys, logging in
// with them without a user name, every way such a login must fail, the
// step-up, the export and the deletion of the account.
func TestPasskeys(t *testing.T) {
	t.Parallel()
	b := setupPasskeys(t)
	ctx := context.Background()
	svc := &account.Service{Store: b.store, City: "Uster"}
	for _, e := range []string{"lina@passkey.example", "milo@passkey.example", "zora@passkey.example"} {
		_, err := svc.CreateUser(ctx, e, "grüne Velos fahren leise")
		require.NoError(t, err)
	}
	lina, milo := b.passwordLogin(t, "lina@passkey.example"), b.passwordLogin(t, "milo@passkey.example")
	phone := vw.NewAuthenticator()
	laptop := vw.NewAuthenticatorWithOptions(vw.AuthenticatorOptions{BackupEligible: true, BackupState: true})

	requireProblem(t, b.post(t, "/api/v1/me/passkeys/options", nil, nil), http.StatusUnauthorized)

	// A name is checked before the ceremony is used: after bad names the
	// same answer, correctly named, still registers the passkey.
	opts := creationOptions(t, b.post(t, "/api/v1/me/passkeys/options", lina, nil), &phone)
	require.Equal(t, "lina@passkey.example", opts.UserName)
	require.NotContains(t, opts.UserID, "lina", "the user handle is random")
	phoneCred := newCredential(t)
	answer := attestation(t, phone, phoneCred, opts, "internal", "hybrid")
	for _, name := range []string{"", "   ", strings.Repeat("x", 61), "Zeile\nUmbruch"} {
		t.Run("bad name "+name, func(t *testing.T) {
			requireProblem(t, b.post(t, "/api/v1/me/passkeys", lina, map[string]any{"credential": answer, "name": name}), http.StatusUnprocessableEntity, "body.name")
		})
	}
	first := b.post(t, "/api/v1/me/passkeys", lina, map[string]any{"credential": answer, "name": "  iPhone  "})
	require.Equal(t, http.StatusCreated, first.status, string(first.body))
	phone.AddCredential(phoneCred)
	require.Equal(t, "iPhone", first.json(t)["name"])
	// The ceremony is used up.
	requireProblem(t, b.post(t, "/api/v1/me/passkeys", lina, map[string]any{"credential": answer, "name": "Nochmals"}), http.StatusUnprocessableEntity, "body.credential")

	// The second registration excludes the first passkey.
	opts2 := creationOptions(t, b.post(t, "/api/v1/me/passkeys/options", lina, nil), &laptop)
	require.Len(t, opts2.ExcludeCredentials, 1)
	require.True(t, phoneCred.IsExcludedForAttestation(*opts2))
	laptopCred := newCredential(t)
	second := b.post(t, "/api/v1/me/passkeys", lina, map[string]any{"credential": attestation(t, laptop, laptopCred, opts2), "name": "Laptop"})
	require.Equal(t, http.StatusCreated, second.status, string(second.body))
	laptop.AddCredential(laptopCred)

	list := passkeyList(t, b, lina)
	require.Len(t, list, 2)
	require.Equal(t, "iPhone", list[0]["name"])
	require.Equal(t, []any{"internal", "hybrid"}, list[0]["transports"])
	require.Equal(t, false, list[0]["backup_eligible"])
	require.Equal(t, false, list[0]["synced"])
	require.Nil(t, list[0]["last_used_at"])
	require.Equal(t, "Laptop", list[1]["name"])
	require.Equal(t, []any{}, list[1]["transports"])
	require.Equal(t, true, list[1]["backup_eligible"])
	require.Equal(t, true, list[1]["synced"])
	phoneID, laptopID := list[0]["id"].(string), list[1]["id"].(string)
	require.Equal(t, 2, countContaining(b.mailsTo(t, "lina@passkey.example"), "neuer Passkey registriert"))

	t.Run("rename", func(t *testing.T) {
		patch := func(h map[string]string, id string, body any) resp {
			return b.do(t, req{method: http.MethodPatch, path: "/api/v1/me/passkeys/" + id, header: h, body: mustJSON(t, body)})
		}
		require.Equal(t, http.StatusNoContent, patch(lina, laptopID, map[string]string{"name": " Laptop Büro "}).status)
		require.Equal(t, "Laptop Büro", passkeyList(t, b, lina)[1]["name"])
		for _, name := range []string{"", " \t ", strings.Repeat("ü", 61)} {
			requireProblem(t, patch(lina, laptopID, map[string]string{"name": name}), http.StatusUnprocessableEntity, "body.name")
		}
		requireProblem(t, patch(lina, "kein-uuid", map[string]string{"name": "x"}), http.StatusUnprocessableEntity, "path.id")
		requireProblem(t, patch(lina, uuid.NewString(), map[string]string{"name": "x"}), http.StatusNotFound)
	})

	t.Run("another resident sees nothing of mine", func(t *testing.T) {
		require.Empty(t, passkeyList(t, b, milo))
		requireProblem(t, b.do(t, req{method: http.MethodPatch, path: "/api/v1/me/passkeys/" + phoneID, header: milo, body: `{"name":"meins"}`}), http.StatusNotFound)
		requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/passkeys/" + phoneID, header: milo}), http.StatusNotFound)
		require.Len(t, passkeyList(t, b, lina), 2)
		require.Equal(t, "iPhone", passkeyList(t, b, lina)[0]["name"])
	})

	t.Run("login without user name", func(t *testing.T) {
		r := b.post(t, "/api/v1/session/passkey/options", nil, nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		o := r.json(t)
		require.Equal(t, []any{}, o["allowCredentials"])
		require.Equal(t, "required", o["userVerification"])
		require.Equal(t, "schalter.example", o["rpId"])
		require.EqualValues(t, 300000, o["timeout"])
		before := sessionOf(r, nil)
		opts, err := vw.ParseAssertionOptions(string(r.body))
		require.NoError(t, err)
		login := b.finishLogin(t, before, assertion(phone, phoneCred, opts))
		require.Equal(t, http.StatusOK, login.status, string(login.body))
		auth := login.json(t)["auth"].(map[string]any)
		require.Equal(t, "two_factor", auth["level"])
		require.Equal(t, []any{"passkey"}, auth["methods"])
		after := sessionOf(login, nil)
		require.NotEqual(t, before["Cookie"], after["Cookie"], "a new session token at login")
		require.Equal(t, "lina@passkey.example", b.do(t, req{path: "/api/v1/me", header: after}).json(t)["email"])
		requireProblem(t, b.do(t, req{path: "/api/v1/me", header: before}), http.StatusUnauthorized)
		require.NotNil(t, passkeyList(t, b, lina)[0]["last_used_at"])

		// The synced passkey logs in as well; an authenticator that does
		// not count (counter 0) may use it again and again.
		for range 2 {
			r := b.login(t, nil, laptop, laptopCred)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
		}
	})

	// Milo's passkey, for the cross-account case below.
	miloAuth := vw.NewAuthenticator()
	miloCred, r := b.addPasskey(t, milo, &miloAuth, "Milos Handy")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))

	t.Run("failed logins are 401", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			// answer returns the session to finish in and the browser's answer.
			answer func(t *testing.T) (map[string]string, json.RawMessage)
		}{
			{"wrong challenge", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				other := *opts
				other.Challenge = make([]byte, 32)
				_, _ = rand.Read(other.Challenge)
				return h, assertion(phone, phoneCred, &other)
			}},
			{"no ceremony begun", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, _ := b.loginOptions(t, nil)
				return nil, assertion(phone, phoneCred, opts)
			}},
			{"replayed answer", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				phoneCred.Counter++
				answer := assertion(phone, phoneCred, opts)
				ok := b.finishLogin(t, h, answer)
				require.Equal(t, http.StatusOK, ok.status, string(ok.body))
				// Again, in the session of the login that used it.
				return sessionOf(ok, h), answer
			}},
			{"replayed answer to a new ceremony", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				phoneCred.Counter++
				answer := assertion(phone, phoneCred, opts)
				require.Equal(t, http.StatusOK, b.finishLogin(t, h, answer).status)
				_, fresh := b.loginOptions(t, nil)
				return fresh, answer
			}},
			{"expired ceremony", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				expireCeremonies(t, b.store, h)
				phoneCred.Counter++
				return h, assertion(phone, phoneCred, opts)
			}},
			{"another account's credential", func(t *testing.T) (map[string]string, json.RawMessage) {
				// Milo's credential id and key, claiming to be Lina's.
				opts, h := b.loginOptions(t, nil)
				return h, assertion(phone, miloCred, opts)
			}},
			{"unknown user handle", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				stranger := vw.NewAuthenticatorWithOptions(vw.AuthenticatorOptions{UserHandle: []byte("niemand-niemand-niemand-niemand!")})
				return h, assertion(stranger, phoneCred, opts)
			}},
			{"without user verification", func(t *testing.T) (map[string]string, json.RawMessage) {
				opts, h := b.loginOptions(t, nil)
				noUV := phone
				noUV.Options.UserNotVerified = true
				phoneCred.Counter++
				return h, assertion(noUV, phoneCred, opts)
			}},
			{"signature counter went back (cloned key)", func(t *testing.T) (map[string]string, json.RawMessage) {
				phoneCred.Counter += 10
				require.Equal(t, http.StatusOK, b.login(t, nil, phone, phoneCred).status)
				clone := phoneCred
				clone.Counter -= 3
				opts, h := b.loginOptions(t, nil)
				return h, assertion(phone, clone, opts)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h, answer := tc.answer(t)
				r := b.finishLogin(t, h, answer)
				p := requireProblem(t, r, http.StatusUnauthorized)
				require.Contains(t, p["detail"], "passkey could not log you in")
				// No new session: a login would have renewed the token.
				if got := sessionOf(r, h); got != nil && (h == nil || got["Cookie"] != h["Cookie"]) {
					requireProblem(t, b.do(t, req{path: "/api/v1/me", header: got}), http.StatusUnauthorized)
				}
			})
		}
		requireProblem(t, b.finishLogin(t, nil, json.RawMessage(`{"id":"x"}`)), http.StatusUnprocessableEntity, "body.credential")
		requireProblem(t, b.post(t, "/api/v1/session/passkey", nil, map[string]any{}), http.StatusUnprocessableEntity, "body")
		// The passkey itself still works.
		phoneCred.Counter++
		require.Equal(t, http.StatusOK, b.login(t, nil, phone, phoneCred).status)
	})

	t.Run("step-up from a password session", func(t *testing.T) {
		pwd := b.passwordLogin(t, "lina@passkey.example")
		access := b.do(t, req{path: "/api/v1/me/services/aufenthaltsbewilligung-verlaengern/access", header: pwd})
		requireProblem(t, access, http.StatusForbidden)
		require.Contains(t, access.json(t)["methods"], "passkey")
		phoneCred.Counter++
		up := b.login(t, pwd, phone, phoneCred)
		require.Equal(t, http.StatusOK, up.status, string(up.body))
		auth := up.json(t)["auth"].(map[string]any)
		require.Equal(t, "two_factor", auth["level"])
		require.Equal(t, []any{"pwd", "passkey"}, auth["methods"])
		two := sessionOf(up, nil)
		require.NotEqual(t, pwd["Cookie"], two["Cookie"], "a new session token at step-up")
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me/services/aufenthaltsbewilligung-verlaengern/access", header: two}).status)

		// Another account's passkey in this session does not swap the
		// account under the person; without a session it logs Milo in.
		miloCred.Counter++
		requireProblem(t, b.login(t, two, miloAuth, miloCred), http.StatusConflict)
		require.Equal(t, "lina@passkey.example", b.do(t, req{path: "/api/v1/me", header: two}).json(t)["email"], "still Lina")
		miloCred.Counter++
		other := b.login(t, nil, miloAuth, miloCred)
		require.Equal(t, http.StatusOK, other.status, string(other.body))
		require.Equal(t, "milo@passkey.example", other.json(t)["email"])
		require.Equal(t, []any{"passkey"}, other.json(t)["auth"].(map[string]any)["methods"])
	})

	t.Run("a removed passkey logs in no more", func(t *testing.T) {
		requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/passkeys/" + phoneID}), http.StatusUnauthorized)
		require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/passkeys/" + phoneID, header: lina}).status)
		requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/passkeys/" + phoneID, header: lina}), http.StatusNotFound)
		list := passkeyList(t, b, lina)
		require.Len(t, list, 1)
		require.Equal(t, laptopID, list[0]["id"])
		require.Equal(t, 1, countContaining(b.mailsTo(t, "lina@passkey.example"), "Passkey entfernt"))
		phoneCred.Counter++
		requireProblem(t, b.login(t, nil, phone, phoneCred), http.StatusUnauthorized)
	})

	t.Run("failed passkey logins have a limit of their own", func(t *testing.T) {
		zora := b.passwordLogin(t, "zora@passkey.example")
		auth := vw.NewAuthenticator()
		cred, r := b.addPasskey(t, zora, &auth, "Schlüssel")
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		// A stranger's wrong passwords do not hold the passkey up.
		for range 10 {
			requireProblem(t, b.post(t, "/api/v1/session", nil, map[string]string{"email": "zora@passkey.example", "password": "geraten"}), http.StatusUnauthorized)
		}
		cred.Counter++
		require.Equal(t, http.StatusOK, b.login(t, nil, auth, cred).status)
		// Ten bad answers use up the passkey's own limit.
		for range 10 {
			opts, h := b.loginOptions(t, nil)
			bad := *opts
			bad.Challenge = []byte("not-the-challenge-that-was-sent")
			requireProblem(t, b.finishLogin(t, h, assertion(auth, cred, &bad)), http.StatusUnauthorized)
		}
		cred.Counter++
		requireProblem(t, b.login(t, nil, auth, cred), http.StatusTooManyRequests)
		// Other accounts are not affected.
		require.Equal(t, http.StatusOK, b.login(t, nil, laptop, laptopCred).status)
	})

	t.Run("adding a passkey needs a recent login", func(t *testing.T) {
		old := b.passwordLogin(t, "milo@passkey.example")
		editSession(t, b.store, old, func(values map[string]any) {
			values["auth_time"] = time.Now().Add(-20 * time.Minute).Unix()
		})
		p := requireProblem(t, b.post(t, "/api/v1/me/passkeys/options", old, nil), http.StatusForbidden)
		require.EqualValues(t, 900, p["max_age"])
	})

	t.Run("export and deletion", func(t *testing.T) {
		exp := b.do(t, req{path: "/api/v1/me/export", header: lina})
		require.Equal(t, http.StatusOK, exp.status, string(exp.body))
		keys := exp.json(t)["passkeys"].([]any)
		require.Len(t, keys, 1)
		k := keys[0].(map[string]any)
		require.Equal(t, "Laptop Büro", k["name"])
		require.NotEmpty(t, k["created_at"])
		require.NotEmpty(t, k["last_used_at"])
		require.NotContains(t, string(exp.body), "public_key")

		me := b.do(t, req{path: "/api/v1/me", header: lina}).json(t)
		id := uuid.MustParse(me["id"].(string))
		require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me", header: lina}).status)
		left, err := b.store.Passkeys(ctx, id)
		require.NoError(t, err)
		require.Empty(t, left, "the passkeys went with the account")
		requireProblem(t, b.login(t, nil, laptop, laptopCred), http.StatusUnauthorized)
	})
}

// TestPasskeySignup: opening an account with only an e-mail address and a
// passkey, with the same answers and mails as a password registration.
func TestPasskeySignup(t *testing.T) {
	t.Parallel()
	b := setupPasskeys(t)
	_, err := (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "bekannt@passkey.example", "grüne Velos fahren leise")
	require.NoError(t, err)

	type signup struct {
		options, finish resp
		auth            vw.Authenticator
		cred            vw.Credential
	}
	register := func(email string) signup {
		s := signup{auth: vw.NewAuthenticator(), cred: newCredential(t)}
		s.options = b.post(t, "/api/v1/accounts/passkey/options", nil, map[string]string{"email": email})
		opts := creationOptions(t, s.options, &s.auth)
		require.Empty(t, opts.ExcludeCredentials)
		s.finish = b.post(t, "/api/v1/accounts/passkey", sessionOf(s.options, nil), map[string]any{"credential": attestation(t, s.auth, s.cred, opts)})
		return s
	}
	fresh := register("Neu@Passkey.example")
	known := register("bekannt@passkey.example")

	// No enumeration: the same status and body, options of the same shape.
	require.Equal(t, http.StatusAccepted, fresh.finish.status, string(fresh.finish.body))
	require.Equal(t, fresh.finish.status, known.finish.status)
	require.Equal(t, string(fresh.finish.body), string(known.finish.body))
	require.Equal(t, fresh.options.status, known.options.status)
	keys := func(r resp) []string {
		var out []string
		for k, v := range r.json(t) {
			out = append(out, k)
			if m, ok := v.(map[string]any); ok {
				for k2 := range m {
					out = append(out, k+"."+k2)
				}
			}
		}
		return out
	}
	require.ElementsMatch(t, keys(fresh.options), keys(known.options))
	require.Equal(t, []any{}, known.options.json(t)["excludeCredentials"], "a known address's passkeys are not revealed")

	// The same mails as a password registration.
	require.Equal(t, 1, countContaining(b.mailsTo(t, "bekannt@passkey.example"), "Jemand wollte mit Ihrer E-Mail-Adresse ein Konto"))
	newMails := b.mailsTo(t, "Neu@Passkey.example")
	require.Len(t, newMails, 1)
	link := regexp.MustCompile(`https://schalter\.example/account/verify#([A-Za-z0-9_-]+)`).FindStringSubmatch(newMails[0])
	require.Len(t, link, 2, newMails[0])

	// Nothing was stored for the known address.
	acc, err := b.store.AccountByEmail(context.Background(), "bekannt@passkey.example")
	require.NoError(t, err)
	none, err := b.store.Passkeys(context.Background(), acc.ID)
	require.NoError(t, err)
	require.Empty(t, none)
	requireProblem(t, b.login(t, nil, known.auth, known.cred), http.StatusUnauthorized)

	// Before the address is verified the passkey cannot log in: the same
	// answer as any failed passkey login.
	refused := b.login(t, nil, fresh.auth, fresh.cred)
	p := requireProblem(t, refused, http.StatusUnauthorized)
	require.Contains(t, p["detail"], "passkey could not log you in")

	require.Equal(t, http.StatusNoContent, b.post(t, "/api/v1/accounts/verify", nil, map[string]string{"token": link[1]}).status)
	fresh.cred.Counter++
	login := b.login(t, nil, fresh.auth, fresh.cred)
	require.Equal(t, http.StatusOK, login.status, string(login.body))
	me := login.json(t)
	require.Equal(t, "Neu@Passkey.example", me["email"])
	require.Equal(t, "two_factor", me["auth"].(map[string]any)["level"])
	h := sessionOf(login, nil)
	list := passkeyList(t, b, h)
	require.Len(t, list, 1)
	require.Equal(t, "Passkey", list[0]["name"], "the default name")
	exp := b.do(t, req{path: "/api/v1/me/export", header: h}).json(t)
	require.Equal(t, false, exp["login"].(map[string]any)["password"], "an account without password")
	requireProblem(t, b.post(t, "/api/v1/session", nil, map[string]string{"email": "neu@passkey.example", "password": "irgendein langes Passwort"}), http.StatusUnauthorized)

	t.Run("bad input", func(t *testing.T) {
		requireProblem(t, b.post(t, "/api/v1/accounts/passkey/options", nil, map[string]string{"email": "keine-adresse"}), http.StatusUnprocessableEntity, "body.email")
		// An answer without a ceremony in the session, or a used one.
		requireProblem(t, b.post(t, "/api/v1/accounts/passkey", nil, map[string]any{"credential": map[string]any{"id": "x"}}), http.StatusUnprocessableEntity, "body.credential")
		s := register("noch.einmal@passkey.example")
		require.Equal(t, http.StatusAccepted, s.finish.status)
		opts, err := vw.ParseAttestationOptions(string(s.options.body))
		require.NoError(t, err)
		again := b.post(t, "/api/v1/accounts/passkey", sessionOf(s.options, nil), map[string]any{"credential": attestation(t, s.auth, s.cred, opts)})
		requireProblem(t, again, http.StatusUnprocessableEntity, "body.credential")
		requireProblem(t, b.post(t, "/api/v1/accounts/passkey", nil, map[string]any{"credential": map[string]any{}, "name": strings.Repeat("x", 61)}), http.StatusUnprocessableEntity, "body.name")
	})
}
