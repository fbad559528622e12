// Package devidp is a DEVELOPMENT IDENTITY PROVIDER. NEVER USE IT IN
// PRODUCTION: anybody can log in as anybody.
//
// It stands in for the state eID (AGOV) in `make run` and in the tests. It
// is a real OpenID Connect provider built on github.com/zitadel/oidc's op
// package (discovery, JWKS, the authorization endpoint, a token endpoint
// that verifies PKCE, userinfo), with a handful of made-up people and a
// login page where one picks a person and the acr value the ID token
// carries. Schalter's client (internal/eid) talks to it over HTTP exactly
// as it talks to AGOV; nothing in the client knows it is not the real one.
//
// Its signing key (RSA 2048) is made at start and kept in memory only, as
// are logins and tokens: a restart forgets them. The server refuses to
// start it in production (internal/config, internal/cli).
package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Person is a made-up person the provider can log in.
type Person struct {
	Subject       string
	Name          string
	Email         string // empty: the provider knows no address
	EmailVerified bool
	ACR           string // the acr of a login unless another is chosen
}

// ACRs the login page offers: AGOV's qualities of authentication, and one
// that no configuration maps, to see Schalter refuse it.
var ACRs = []string{
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:10",
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:20",
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:30",
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:40",
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:50",
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:60",
	UnknownACR,
}

// UnknownACR is an acr value no Schalter configuration should accept.
const UnknownACR = "urn:schalter:dev:unbekannt"

// People are the demo identities.
var People = []Person{
	{Subject: "dev-anna-muster", Name: "Anna Muster", Email: "anna.muster@example.ch", EmailVerified: true, ACR: ACRs[2]},
	{Subject: "dev-beat-beispiel", Name: "Beat Beispiel", Email: "beat.beispiel@example.ch", EmailVerified: true, ACR: ACRs[1]},
	{Subject: "dev-chiara-rossi", Name: "Chiara Rossi", Email: "chiara.rossi@example.ch", EmailVerified: false, ACR: ACRs[0]},
	{Subject: "dev-dario-keller", Name: "Dario Keller", ACR: ACRs[3]},
}

// Client is a relying party the provider knows.
type Client struct {
	ID string
	// Secret authenticates the client at the token endpoint (HTTP Basic or
	// form); empty makes it a public client, for which PKCE is the proof.
	Secret       string
	RedirectURIs []string
}

// Provider is the identity provider: an http.Handler that serves the
// paths below its issuer URL (mount it where the issuer's path points).
type Provider struct {
	issuer  string
	prefix  string // the issuer URL's path, stripped from requests
	op      *op.Provider
	storage *storage
	handler http.Handler
}

// requestLifetime is how long a login may take at the provider.
const requestLifetime = 10 * time.Minute

// New starts a provider with issuer URL issuer (http is allowed: it runs
// on a developer's machine) that knows the given clients.
func New(issuer string, clients ...Client) (*Provider, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("devidp: issuer %q is not an http(s) URL", issuer)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &Provider{issuer: strings.TrimSuffix(issuer, "/"), prefix: strings.TrimSuffix(u.Path, "/")}
	p.storage = &storage{
		issuer:   p.issuer,
		key:      key,
		keyID:    randomID(),
		clients:  map[string]*client{},
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]*accessToken{},
	}
	for _, c := range clients {
		p.storage.clients[c.ID] = &client{Client: c, loginURL: p.issuer + "/login"}
	}
	cfg := &op.Config{
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.MustParse("de-CH")},
	}
	if _, err := rand.Read(cfg.CryptoKey[:]); err != nil {
		return nil, err
	}
	var opts []op.Option
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	if p.op, err = op.NewProvider(cfg, p.storage, op.StaticIssuer(p.issuer), opts...); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", p.loginPage)
	mux.Handle("POST /login", op.NewIssuerInterceptor(p.op.IssuerFromRequest).HandlerFunc(p.login))
	mux.Handle("/", p.op)
	p.handler = http.StripPrefix(p.prefix, mux)
	return p, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// ServeHTTP serves the provider. A router above it (Schalter's chi) may
// have left its routing state in the context; the provider routes on its
// own, so that state is dropped.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, nil))
	p.handler.ServeHTTP(w, r)
}

func person(subject string) (Person, bool) {
	i := slices.IndexFunc(People, func(p Person) bool { return p.Subject == subject })
	if i < 0 {
		return Person{}, false
	}
	return People[i], true
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// authRequest is a login in progress, then the authorization code's
// record until the code is exchanged (once).
type authRequest struct {
	id        string
	created   time.Time
	req       oidc.AuthRequest
	challenge *oidc.CodeChallenge

	done     bool
	subject  string
	acr      string
	authTime time.Time
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return a.acr }
func (a *authRequest) GetAMR() []string                      { return nil }
func (a *authRequest) GetAudience() []string                 { return []string{a.req.ClientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string                { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                   { return a.req.Scopes }
func (a *authRequest) GetState() string                      { return a.req.State }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

type accessToken struct {
	subject, clientID string
	scopes            []string
	expires           time.Time
}

// client adapts a Client to the op package.
type client struct {
	Client
	loginURL string
}

func (c *client) GetID() string                       { return c.ID }
func (c *client) RedirectURIs() []string              { return c.Client.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.Secret == "" {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return c.loginURL + "?id=" + url.QueryEscape(id) }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return 5 * time.Minute }

// DevMode lets redirect URIs be http (http://localhost:8080 in make run).
func (c *client) DevMode() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion is off: as OpenID Connect Core 5.4 says,
// the e-mail claims come from the userinfo endpoint, and the ID token
// carries only who (sub) and how (acr).
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }

// storage keeps the provider's state in memory (op.Storage).
type storage struct {
	issuer string
	key    *rsa.PrivateKey
	keyID  string

	mu       sync.Mutex
	clients  map[string]*client
	requests map[string]*authRequest
	codes    map[string]string // code → request id
	tokens   map[string]*accessToken
}

var errNotFound = errors.New("devidp: not found")

// prune forgets logins and tokens that can no longer be used. Callers hold mu.
func (s *storage) prune() {
	now := time.Now()
	for id, r := range s.requests {
		if now.Sub(r.created) > requestLifetime {
			delete(s.requests, id)
		}
	}
	for code, id := range s.codes {
		if s.requests[id] == nil {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	// Like AGOV, every login needs PKCE with S256, public client or not.
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune()
	a := &authRequest{id: randomID(), created: time.Now(), req: *req,
		challenge: &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) request(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || time.Since(a.created) > requestLifetime {
		return nil, errNotFound
	}
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	return s.request(id)
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.request(id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest runs once the code is exchanged: the code is spent.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	t := &accessToken{subject: req.GetSubject(), scopes: req.GetScopes(), expires: time.Now().Add(5 * time.Minute)}
	if a, ok := req.(*authRequest); ok {
		t.clientID = a.req.ClientID
	}
	id := randomID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = t
	return id, t.expires, nil
}

var errNoRefresh = errors.New("devidp: refresh tokens are not offered")

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoRefresh
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errNoRefresh
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, token, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[token]; ok && t.clientID == clientID {
		delete(s.tokens, token)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// signingKey is the RSA key the ID tokens are signed with (RS256).
type signingKey struct{ s *storage }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.s.key }
func (k signingKey) ID() string                                  { return k.s.keyID }

type publicKey struct{ s *storage }

func (k publicKey) ID() string                         { return k.s.keyID }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.s.key.PublicKey }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return signingKey{s}, nil }
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}
func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s}}, nil }

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, errNotFound
	}
	return c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return errors.New("devidp: wrong client or secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return setUserinfo(info, req.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return errors.New("devidp: access token unknown or expired")
	}
	return setUserinfo(info, t.subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, in *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) || t.clientID != clientID {
		return errors.New("devidp: access token unknown, expired or not this client's")
	}
	in.Subject, in.ClientID, in.Scope, in.Expiration = t.subject, t.clientID, t.scopes, oidc.FromTime(t.expires)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("devidp: JWT client authentication is not offered")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("devidp: the JWT profile grant is not offered")
}

func (s *storage) Health(context.Context) error { return nil }

// setUserinfo fills the claims the scopes ask for.
func setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	p, ok := person(subject)
	if !ok {
		return errNotFound
	}
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeOpenID:
			info.Subject = p.Subject
		case oidc.ScopeEmail:
			if p.Email != "" {
				info.Email, info.EmailVerified = p.Email, oidc.Bool(p.EmailVerified)
			}
		case oidc.ScopeProfile:
			info.Name = p.Name
		}
	}
	return nil
}
