// Package eid is Schalter's side of login with the state eID: an OpenID
// Connect relying party (authorization code flow with PKCE S256, state and
// nonce) built on go-oidc and x/oauth2. It reads the provider's discovery
// document, verifies ID tokens (signature, issuer, audience, expiry,
// nonce) and turns the token's acr into an assurance level, refusing an acr
// it does not know or one below the level that was asked for. Which
// account a login opens is decided by internal/account.
package eid

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

// FlowLifetime is how long a person has at the provider: a callback for an
// older flow is refused.
const FlowLifetime = 10 * time.Minute

// Why a login failed. Each wraps the cause for the log.
var (
	ErrCancelled   = errors.New("eid: the person cancelled at the provider")
	ErrExpired     = errors.New("eid: the login took longer than 10 minutes")
	ErrInvalid     = errors.New("eid: the answer does not belong to this login (state, nonce or token)")
	ErrProvider    = errors.New("eid: the provider failed or is unreachable")
	ErrUnknownACR  = errors.New("eid: the provider's acr is not configured")
	ErrLevelTooLow = errors.New("eid: the provider's acr is below the level asked for")
)

// ACRLevel maps one acr value of the provider to a Schalter level.
type ACRLevel struct {
	ACR   string
	Level account.Level
}

// Config configures the client.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string // empty: a public client (PKCE only)
	RedirectURL  string // Schalter's callback, registered with the provider
	Levels       []ACRLevel
	// HTTPClient talks to the provider; nil: one with a 10-second timeout.
	HTTPClient *http.Client
}

// Client is a relying party of one provider.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// New returns a client. The provider is discovered at first use (and again
// after a failure), so Schalter starts while the provider is down, and the
// development provider mounted on Schalter's own port can be reached once
// Schalter listens.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{cfg: cfg, http: hc}
}

// Issuer is the provider's issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// LevelOf is the level an acr gives, if it is configured.
func (c *Client) LevelOf(acr string) (account.Level, bool) {
	for _, l := range c.cfg.Levels {
		if l.ACR == acr {
			return l.Level, true
		}
	}
	return account.LevelNone, false
}

// Reaches reports whether some configured acr gives at least level need.
func (c *Client) Reaches(need account.Level) bool { return c.acrFor(need) != "" }

// acrFor is the acr to ask for to reach level need: the first (weakest)
// configured acr that gives exactly that level, else the first that gives
// more.
func (c *Client) acrFor(need account.Level) string {
	above := ""
	for _, l := range c.cfg.Levels {
		if l.Level == need {
			return l.ACR
		}
		if l.Level > need && above == "" {
			above = l.ACR
		}
	}
	return above
}

func (c *Client) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		// The request's context bounds the discovery; the provider keeps
		// only the HTTP client from it, for fetching keys later.
		p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), c.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: discovery: %v", ErrProvider, err)
		}
		c.provider, c.verifier = p, p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID})
	}
	return c.provider, c.verifier, nil
}

func (c *Client) oauth2(p *oidc.Provider, scopes []string) *oauth2.Config {
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: scopes}
}

// Flow is what the browser's session keeps between Begin and Finish: the
// secrets that tie the provider's answer to this login, once.
type Flow struct {
	State    string        `json:"state"`
	Nonce    string        `json:"nonce"`
	Verifier string        `json:"verifier"` // PKCE code verifier
	Level    account.Level `json:"level"`    // asked for
	Scopes   []string      `json:"scopes"`
	Started  time.Time     `json:"started"`
}

// Begin starts a login that must reach level need and returns the flow to
// keep in the session and the provider's URL to send the browser to. With
// email the provider is asked for the e-mail address too (only needed
// when the login may open a new account).
func (c *Client) Begin(ctx context.Context, need account.Level, email bool) (*Flow, string, error) {
	acr := c.acrFor(need)
	if acr == "" {
		return nil, "", apperr.InvalidFields("the eID provider cannot give this level",
			apperr.FieldError{Path: "query.level", Message: fmt.Sprintf("no configured acr value gives %s", need), Value: need.String()})
	}
	p, _, err := c.discover(ctx)
	if err != nil {
		return nil, "", err
	}
	f := &Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Level: need, Scopes: []string{oidc.ScopeOpenID}, Started: time.Now()}
	if email {
		f.Scopes = append(f.Scopes, "email")
	}
	u := c.oauth2(p, f.Scopes).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("acr_values", acr))
	return f, u, nil
}

// Identity is a verified login.
type Identity struct {
	Issuer, Subject, ACR string
	Level                account.Level

	client *Client
	token  *oauth2.Token
}

// Finish checks the provider's answer (the callback's query) against the
// flow, exchanges the code with the PKCE verifier and verifies the ID
// token. A nil flow (none in the session, or used already) is ErrInvalid.
func (c *Client) Finish(ctx context.Context, f *Flow, q url.Values) (*Identity, error) {
	if f == nil || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return nil, fmt.Errorf("%w: unknown or reused state", ErrInvalid)
	}
	if time.Since(f.Started) > FlowLifetime {
		return nil, ErrExpired
	}
	// RFC 9207: a provider that names itself must be ours (mix-up defence).
	if iss := q.Get("iss"); iss != "" && iss != c.cfg.Issuer {
		return nil, fmt.Errorf("%w: answer from issuer %q", ErrInvalid, iss)
	}
	switch e := q.Get("error"); {
	case e == "access_denied":
		return nil, fmt.Errorf("%w: %s", ErrCancelled, q.Get("error_description"))
	case e != "":
		return nil, fmt.Errorf("%w: %s: %s", ErrProvider, e, q.Get("error_description"))
	case q.Get("code") == "":
		return nil, fmt.Errorf("%w: no code", ErrInvalid)
	}
	p, verifier, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, c.http)
	tok, err := c.oauth2(p, f.Scopes).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: token exchange: %v", ErrProvider, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no ID token", ErrInvalid)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, fmt.Errorf("%w: nonce mismatch", ErrInvalid)
	}
	var claims struct {
		ACR string `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrInvalid, err)
	}
	level, ok := c.LevelOf(claims.ACR)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownACR, claims.ACR)
	}
	if level < f.Level {
		return nil, fmt.Errorf("%w: %q gives %s, %s was asked for", ErrLevelTooLow, claims.ACR, level, f.Level)
	}
	return &Identity{Issuer: idt.Issuer, Subject: idt.Subject, ACR: claims.ACR, Level: level, client: c, token: tok}, nil
}

// Email asks the provider's userinfo endpoint for the person's e-mail
// address and whether the provider verified it ("" without one).
func (id *Identity) Email(ctx context.Context) (string, bool, error) {
	p, _, err := id.client.discover(ctx)
	if err != nil {
		return "", false, err
	}
	if p.UserInfoEndpoint() == "" {
		return "", false, nil
	}
	info, err := p.UserInfo(oidc.ClientContext(ctx, id.client.http), oauth2.StaticTokenSource(id.token))
	if err != nil {
		return "", false, fmt.Errorf("%w: userinfo: %v", ErrProvider, err)
	}
	// OpenID Connect Core 5.3.2: the userinfo sub must be the ID token's.
	if info.Subject != id.Subject {
		return "", false, fmt.Errorf("%w: userinfo for another subject", ErrInvalid)
	}
	return info.Email, info.EmailVerified, nil
}

func random() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
