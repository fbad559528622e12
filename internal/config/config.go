// Package config reads Schalter's configuration from the environment: only
// variables with the SCHALTER_ prefix, plus DATABASE_URL. Every variable is
// listed in Vars, which the README's table is checked against.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration.
type Config struct {
	Env             string // dev, test or production
	Addr            string
	MetricsAddr     string // the Prometheus listener; empty: none
	DatabaseURL     string
	DataDir         string
	PGBinDir        string
	LogLevel        string
	LogFormat       string
	CORSOrigins     []string
	TrustProxy      bool
	Pprof           bool // Go's profiler on the metrics listener
	Demo            bool
	DemoSimURL      string // the simulated Betreibungsamt (make run)
	PWADir          string
	TLSCert         string
	TLSKey          string
	ShutdownTimeout time.Duration
	SessionIdle     time.Duration // a session unused this long ends
	SessionLifetime time.Duration // a session ends this long after login at the latest
	RateLimit       int           // API requests per minute per client address; 0 = off
	AuthRateLimit   int           // login, registration, reset and code requests per minute per client address; 0 = off
	SearchDir       string
	CamtDir         string // the folder watched for the bank's camt.054 files (internal/reconcile); empty: none
	MeiliURL        string
	MeiliKey        string
	MeiliIndex      string
	PublicURL       string
	SMTPAddr        string
	SMTPFrom        string
	SMTPUser        string
	SMTPPassword    string
	SecretKey       string
	SMSURL          string
	SMSToken        string
	SMSFrom         string
	City            City
	EID             EID
	Payments        Payments
}

// Payments configures how the city takes money.
type Payments struct {
	// IBAN is the city's account on QR-bills: a QR-IBAN (QR references)
	// or an ordinary IBAN (RF creditor references).
	IBAN string
	// Creditor is the city's structured address on QR-bills: name, street,
	// building number, postal code, town.
	Creditor [5]string
	// Dev turns on the development provider (make run); never in
	// production.
	Dev bool
	// Stripe is Stripe Checkout (card, TWINT); off without a key.
	Stripe Stripe
}

// Stripe configures Stripe Checkout (internal/payprovider/stripeprovider).
type Stripe struct {
	// SecretKey (sk_… or a restricted rk_…) and WebhookSecret (whsec_…)
	// go together; both are secrets and never logged.
	SecretKey     string
	WebhookSecret string
	// APIURL replaces https://api.stripe.com (stripe-mock); empty: Stripe.
	APIURL string
	// Methods are the Checkout payment_method_types, e.g. card, twint.
	Methods []string
	// Mock has the server start the pinned stripe-mock and use it with a
	// test key and a webhook secret of its own (make run STRIPE=mock);
	// never in production.
	Mock bool
}

// On says whether Stripe payments are configured (or mocked).
func (s Stripe) On() bool { return s.SecretKey != "" || s.Mock }

// Live says whether the key is a live-mode key: it moves real money.
func (s Stripe) Live() bool { return liveStripeKey(s.SecretKey) }

// DemoIBAN is the QR-IBAN of SIX's examples, for development only.
const DemoIBAN = "CH4431999123000889012"

// EID configures login with the state eID (OpenID Connect).
type EID struct {
	Issuer       string     // the provider's issuer URL; empty: no eID login
	ClientID     string     // Schalter's client id at the provider
	ClientSecret string     // empty: a public client, protected by PKCE only
	Levels       []ACRLevel // acr values, weakest first
	// Dev mounts the development identity provider (internal/devidp) under
	// /dev-idp on this server and uses it as the issuer. Never in production.
	Dev bool
}

// ACRLevel maps an acr value of the identity provider to one of
// Schalter's assurance levels (account, two_factor or eid).
type ACRLevel struct {
	ACR, Level string
}

// DefaultACRLevels is the mapping for AGOV, the federal login: its quality
// of authentication (QoA) 10 is an account, 20 adds a second factor, and
// 30 and above are identities verified against a state document.
const DefaultACRLevels = "urn:qoa.eiam.admin.ch:names:tc:ac:classes:10=account,urn:qoa.eiam.admin.ch:names:tc:ac:classes:20=two_factor," +
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:30=eid,urn:qoa.eiam.admin.ch:names:tc:ac:classes:40=eid," +
	"urn:qoa.eiam.admin.ch:names:tc:ac:classes:50=eid,urn:qoa.eiam.admin.ch:names:tc:ac:classes:60=eid"

// DevIdPClientID is the client the development identity provider knows
// Schalter by when SCHALTER_EID_DEV is on.
const DevIdPClientID = "schalter-dev"

// City is the branding the PWA shows.
type City struct {
	Name         string `json:"name"`
	ShortName    string `json:"short_name"`
	PrimaryColor string `json:"primary_color"`
	AccentColor  string `json:"accent_color"`
	LogoURL      string `json:"logo_url"`
	Website      string `json:"website"`
	// CasePrefix starts every case number (UST-2026-004711-3); internal
	// only, so not sent to the PWA.
	CasePrefix string `json:"-"`
}

// Var documents one environment variable.
type Var struct {
	Name, Default, Doc string
}

// Vars lists every variable Schalter reads, with its default.
var Vars = []Var{
	{"DATABASE_URL", "(unset: private cluster)", "PostgreSQL connection URL. Unset, Schalter starts its own PostgreSQL cluster under SCHALTER_DATA_DIR/pg with the system's PostgreSQL binaries."},
	{"SCHALTER_ENV", "dev", "dev, test or production. production requires DATABASE_URL, refuses SCHALTER_DEMO and logs JSON by default."},
	{"SCHALTER_ADDR", ":8080", "Address the HTTP server listens on."},
	{"SCHALTER_METRICS_ADDR", "127.0.0.1:9464", "Address of the separate listener that serves Prometheus metrics at /metrics (never on SCHALTER_ADDR); loopback only by default, e.g. :9464 for a scraper on the private network; off turns it off."},
	{"SCHALTER_PPROF", "false", "Serve Go's profiler (net/http/pprof) at /debug/pprof/ on the metrics listener, for profiling a running server (make bench does); never on SCHALTER_ADDR."},
	{"SCHALTER_DATA_DIR", ".data", "Directory for the private PostgreSQL cluster and other local state."},
	{"SCHALTER_PG_BINDIR", "(found)", "Directory of initdb/pg_ctl/postgres; found via PATH, pg_config or /usr/lib/postgresql/*/bin when unset."},
	{"SCHALTER_LOG_LEVEL", "info", "debug, info, warn or error."},
	{"SCHALTER_LOG_FORMAT", "text (json in production)", "text or json."},
	{"SCHALTER_CORS_ORIGINS", "(none)", "Comma-separated origins allowed to call the API from a browser, e.g. https://www.uster.ch."},
	{"SCHALTER_TRUST_PROXY", "false", "Trust X-Forwarded-Proto and X-Forwarded-For from a reverse proxy (HSTS, client address)."},
	{"SCHALTER_DEMO", "false", "Migrate and load the demo catalogue at start (make run sets it)."},
	{"SCHALTER_DEMO_SIM_URL", "(unset)", "With SCHALTER_DEMO: deliver the Betreibungsamt's cases to the simulated office at this URL (make run: http://127.0.0.1:8091/cases)."},
	{"SCHALTER_PWA_DIR", "(embedded)", "Serve the PWA from this directory instead of the copy built into the binary."},
	{"SCHALTER_TLS_CERT", "(unset)", "TLS certificate file; with SCHALTER_TLS_KEY, serve HTTPS directly."},
	{"SCHALTER_TLS_KEY", "(unset)", "TLS private key file."},
	{"SCHALTER_SHUTDOWN_TIMEOUT", "30s", "How long a shutdown waits for requests in flight."},
	{"SCHALTER_SESSION_IDLE", "30m", "A session unused this long ends (checked with a minute's granularity)."},
	{"SCHALTER_SESSION_LIFETIME", "12h", "A session ends this long after login at the latest."},
	{"SCHALTER_RATE_LIMIT", "600", "API requests per minute per client address and server replica (429 with Retry-After above it); 0 turns the limit off."},
	{"SCHALTER_AUTH_RATE_LIMIT", "30", "Requests per minute per client address to login, registration, password reset and code entry (on top of SCHALTER_RATE_LIMIT and the per-account limits); 0 turns it off."},
	{"SCHALTER_SEARCH_DIR", "SCHALTER_DATA_DIR/search", "Where the embedded search engine keeps its index; each server replica needs its own."},
	{"SCHALTER_MEILI_URL", "(unset: embedded engine)", "Meilisearch URL; when set, Meilisearch serves search instead of the embedded engine."},
	{"SCHALTER_MEILI_KEY", "(unset)", "Meilisearch API key (an admin key: Schalter applies settings and writes documents)."},
	{"SCHALTER_MEILI_INDEX", "schalter-services", "Meilisearch index name (one per city)."},
	{"SCHALTER_PUBLIC_URL", "http://localhost:8080", "Where residents reach Schalter; links in e-mails point there, and its host is the passkeys' relying party (a host name, not an IP address)."},
	{"SCHALTER_SMTP_ADDR", "(unset: no mail; make run uses Mailpit on 127.0.0.1:1025)", "SMTP server (host:port) for verification and security mails; STARTTLS when offered."},
	{"SCHALTER_SMTP_FROM", "Schalter <noreply@schalter.invalid>", "Sender of e-mails, e.g. Stadt Uster <noreply@uster.ch>."},
	{"SCHALTER_SMTP_USER", "(unset)", "SMTP user name (AUTH PLAIN)."},
	{"SCHALTER_SMTP_PASSWORD", "(unset)", "SMTP password."},
	{"SCHALTER_EID_ISSUER", "(unset: no eID login)", "Issuer URL of the state eID's OpenID Connect provider (e.g. AGOV's); discovery is read from it."},
	{"SCHALTER_EID_CLIENT_ID", "(unset)", "Client id registered with the eID provider; required with SCHALTER_EID_ISSUER."},
	{"SCHALTER_EID_CLIENT_SECRET", "(unset: public client)", "Client secret, if the provider gave one; without it Schalter is a public client protected by PKCE only."},
	{"SCHALTER_EID_ACR_LEVELS", "AGOV's QoA 10=account, 20=two_factor, 30–60=eid", "Comma-separated acr=level pairs, weakest first: which acr values Schalter accepts and the assurance level (account, two_factor, eid) each gives. An ID token with another acr is refused."},
	{"SCHALTER_EID_DEV", "false", "Mount the development identity provider (demo people, any acr) under /dev-idp and log in with it (make run sets it). Refused in production and together with SCHALTER_EID_ISSUER."},
	{"SCHALTER_SECRET_KEY", "(dev: generated into SCHALTER_DATA_DIR/secret-key)", "32 random bytes, base64 (openssl rand -base64 32): encrypts TOTP seeds at rest and keys the hashes of SMS codes. Required in production; keep it in a secret store."},
	{"SCHALTER_SMS_URL", "(unset: dev sink; in production SMS codes are off)", "SMS gateway URL for one-time codes: Schalter POSTs {\"to\",\"text\",\"from\"} as JSON to it with SCHALTER_SMS_TOKEN as bearer token. Unset outside production, codes go to the log and SCHALTER_DATA_DIR/sms-outbox.jsonl. Must be https in production."},
	{"SCHALTER_SMS_TOKEN", "(unset)", "Bearer token for the SMS gateway; never logged."},
	{"SCHALTER_SMS_FROM", "(unset: the gateway's default)", "Sender shown on the phone: an alphanumeric name of up to 11 characters (e.g. Uster) or a number in E.164."},
	{"SCHALTER_PAYMENT_IBAN", "CH4431999123000889012 (SIX's example QR-IBAN; dev only)", "The city's account for QR-bills: a QR-IBAN (payments carry QR references) or an ordinary CH/LI IBAN (RF creditor references). Required in production."},
	{"SCHALTER_PAYMENT_CREDITOR", "Stadt Uster|Oberlandstrasse|78|8610|Uster", "The creditor on QR-bills as name|street|building number|postal code|town (structured address, country CH)."},
	{"SCHALTER_PAYMENT_DEV", "true outside production", "The development payment provider: a checkout page on this server (/devpay/…) where you choose paid, declined or cancelled; signed webhooks like Stripe's. Refused in production."},
	{"SCHALTER_CAMT_DIR", "(unset: no watched folder)", "Folder the bank's camt.054 notifications are dropped into (EBICS client, SFTP): every minute each *.xml file that has not changed for 10 s is imported and moved to done/, or to failed/ with <name>.error.txt. Write files under another name and rename them to .xml when complete. Must be reachable by every replica."},
	{"SCHALTER_STRIPE_SECRET_KEY", "(unset: no Stripe payments)", "Stripe secret key (sk_…) or, better, a restricted key (rk_…) with write access to Checkout Sessions and Refunds only; with SCHALTER_STRIPE_WEBHOOK_SECRET. A live key (sk_live_, rk_live_) is refused outside production, a test key in production. Never logged."},
	{"SCHALTER_STRIPE_WEBHOOK_SECRET", "(unset)", "Signing secret (whsec_…) of the Stripe webhook endpoint …/api/v1/payments/webhooks/stripe (or the one stripe listen prints); required with SCHALTER_STRIPE_SECRET_KEY. Never logged."},
	{"SCHALTER_STRIPE_API_URL", "(unset: Stripe)", "Replaces https://api.stripe.com, e.g. stripe-mock's http://127.0.0.1:12111 (plain http only to a loopback address); must be https in production."},
	{"SCHALTER_STRIPE_METHODS", "card", "Comma-separated Checkout payment method types, e.g. card,twint (TWINT must be activated for the Stripe account)."},
	{"SCHALTER_STRIPE_MOCK", "false", "Start the pinned stripe-mock with the server and pay by Stripe against it (test key, generated webhook secret; make run STRIPE=mock). Needs the go command; excludes SCHALTER_STRIPE_SECRET_KEY, _WEBHOOK_SECRET and _API_URL; refused in production."},
	{"SCHALTER_CITY_NAME", "Stadt Uster", "City name shown in the PWA and its manifest."},
	{"SCHALTER_CITY_SHORT_NAME", "Uster", "Short city name (home screen)."},
	{"SCHALTER_CASE_PREFIX", "UST", "2 to 5 capital letters that start every case number (UST-2026-004711-3); never change it once cases exist."},
	{"SCHALTER_CITY_PRIMARY_COLOR", "#00508c", "Brand colour (hex); must give 4.5:1 contrast with white text."},
	{"SCHALTER_CITY_ACCENT_COLOR", "#b3122e", "Accent colour (hex)."},
	{"SCHALTER_CITY_LOGO_URL", "(none)", "URL or path of the city logo (SVG or PNG)."},
	{"SCHALTER_CITY_WEBSITE", "https://www.uster.ch", "The city's main website, linked from the PWA."},
}

var (
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	// validCasePrefix matches the case number format checked by the database.
	validCasePrefix = regexp.MustCompile(`^[A-Z]{2,5}$`)
	// smsSender: an alphanumeric sender id (GSM allows 11 characters) or a number.
	smsSender = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9 ]{0,10}|\+[1-9][0-9]{6,14})$`)
)

// FromEnv reads the configuration and checks it.
func FromEnv() (*Config, error) {
	get := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok && v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Env:          get("SCHALTER_ENV", "dev"),
		Addr:         get("SCHALTER_ADDR", ":8080"),
		MetricsAddr:  get("SCHALTER_METRICS_ADDR", "127.0.0.1:9464"),
		DatabaseURL:  os.Getenv("DATABASE_URL"),
		DataDir:      get("SCHALTER_DATA_DIR", ".data"),
		PGBinDir:     os.Getenv("SCHALTER_PG_BINDIR"),
		LogLevel:     get("SCHALTER_LOG_LEVEL", "info"),
		PWADir:       os.Getenv("SCHALTER_PWA_DIR"),
		TLSCert:      os.Getenv("SCHALTER_TLS_CERT"),
		TLSKey:       os.Getenv("SCHALTER_TLS_KEY"),
		MeiliURL:     os.Getenv("SCHALTER_MEILI_URL"),
		MeiliKey:     os.Getenv("SCHALTER_MEILI_KEY"),
		MeiliIndex:   get("SCHALTER_MEILI_INDEX", "schalter-services"),
		PublicURL:    strings.TrimSuffix(get("SCHALTER_PUBLIC_URL", "http://localhost:8080"), "/"),
		SMTPAddr:     os.Getenv("SCHALTER_SMTP_ADDR"),
		SMTPFrom:     get("SCHALTER_SMTP_FROM", "Schalter <noreply@schalter.invalid>"),
		SMTPUser:     os.Getenv("SCHALTER_SMTP_USER"),
		SMTPPassword: os.Getenv("SCHALTER_SMTP_PASSWORD"),
		SecretKey:    os.Getenv("SCHALTER_SECRET_KEY"),
		SMSURL:       os.Getenv("SCHALTER_SMS_URL"),
		SMSToken:     os.Getenv("SCHALTER_SMS_TOKEN"),
		SMSFrom:      os.Getenv("SCHALTER_SMS_FROM"),
		City: City{
			Name:         get("SCHALTER_CITY_NAME", "Stadt Uster"),
			ShortName:    get("SCHALTER_CITY_SHORT_NAME", "Uster"),
			PrimaryColor: get("SCHALTER_CITY_PRIMARY_COLOR", "#00508c"),
			AccentColor:  get("SCHALTER_CITY_ACCENT_COLOR", "#b3122e"),
			LogoURL:      os.Getenv("SCHALTER_CITY_LOGO_URL"),
			Website:      get("SCHALTER_CITY_WEBSITE", "https://www.uster.ch"),
			CasePrefix:   get("SCHALTER_CASE_PREFIX", "UST"),
		},
	}
	var errs []string
	if !validCasePrefix.MatchString(c.City.CasePrefix) {
		errs = append(errs, "SCHALTER_CASE_PREFIX must be 2 to 5 capital letters, e.g. UST")
	}
	switch c.Env {
	case "dev", "test", "production":
	default:
		errs = append(errs, "SCHALTER_ENV must be dev, test or production")
	}
	defFormat := "text"
	if c.Env == "production" {
		defFormat = "json"
	}
	c.LogFormat = get("SCHALTER_LOG_FORMAT", defFormat)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, "SCHALTER_LOG_FORMAT must be text or json")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, "SCHALTER_LOG_LEVEL must be debug, info, warn or error")
	}
	var err error
	if c.TrustProxy, err = strconv.ParseBool(get("SCHALTER_TRUST_PROXY", "false")); err != nil {
		errs = append(errs, "SCHALTER_TRUST_PROXY must be true or false")
	}
	if c.Pprof, err = strconv.ParseBool(get("SCHALTER_PPROF", "false")); err != nil {
		errs = append(errs, "SCHALTER_PPROF must be true or false")
	}
	c.DemoSimURL = os.Getenv("SCHALTER_DEMO_SIM_URL")
	if c.Demo, err = strconv.ParseBool(get("SCHALTER_DEMO", "false")); err != nil {
		errs = append(errs, "SCHALTER_DEMO must be true or false")
	}
	if c.SessionIdle, err = time.ParseDuration(get("SCHALTER_SESSION_IDLE", "30m")); err != nil || c.SessionIdle <= 0 {
		errs = append(errs, "SCHALTER_SESSION_IDLE must be a positive duration such as 30m")
	}
	if c.SessionLifetime, err = time.ParseDuration(get("SCHALTER_SESSION_LIFETIME", "12h")); err != nil || c.SessionLifetime < c.SessionIdle {
		errs = append(errs, "SCHALTER_SESSION_LIFETIME must be a duration such as 12h, at least SCHALTER_SESSION_IDLE")
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("SCHALTER_SHUTDOWN_TIMEOUT", "30s")); err != nil || c.ShutdownTimeout <= 0 {
		errs = append(errs, "SCHALTER_SHUTDOWN_TIMEOUT must be a positive duration such as 30s")
	}
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	} else if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
		errs = append(errs, "SCHALTER_METRICS_ADDR must be host:port such as 127.0.0.1:9464, or off")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, "SCHALTER_PUBLIC_URL must be an http(s) URL such as https://schalter.uster.ch")
	}
	if c.SecretKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.SecretKey); err != nil || len(k) != 32 {
			errs = append(errs, "SCHALTER_SECRET_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)")
		}
	}
	if c.SMSURL != "" {
		u, err := url.Parse(c.SMSURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, "SCHALTER_SMS_URL must be an http(s) URL such as https://sms.example.ch/v1/messages")
		case c.Env == "production" && u.Scheme != "https":
			errs = append(errs, "SCHALTER_SMS_URL must be https in production: the token and the codes travel in it")
		}
	}
	if c.SMSFrom != "" && !smsSender.MatchString(c.SMSFrom) {
		errs = append(errs, "SCHALTER_SMS_FROM must be a name of 1 to 11 letters, digits or spaces (e.g. Uster) or a number like +41441234567")
	}
	c.SearchDir = get("SCHALTER_SEARCH_DIR", filepath.Join(c.DataDir, "search"))
	c.CamtDir = get("SCHALTER_CAMT_DIR", "")
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, "SCHALTER_MEILI_URL must be an http(s) URL such as http://meili:7700")
		}
	}
	if c.RateLimit, err = strconv.Atoi(get("SCHALTER_RATE_LIMIT", "600")); err != nil || c.RateLimit < 0 {
		errs = append(errs, "SCHALTER_RATE_LIMIT must be a whole number of requests per minute (0 = off)")
	}
	if c.AuthRateLimit, err = strconv.Atoi(get("SCHALTER_AUTH_RATE_LIMIT", "30")); err != nil || c.AuthRateLimit < 0 {
		errs = append(errs, "SCHALTER_AUTH_RATE_LIMIT must be a whole number of requests per minute (0 = off)")
	}
	for _, o := range strings.Split(os.Getenv("SCHALTER_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			errs = append(errs, fmt.Sprintf("SCHALTER_CORS_ORIGINS: %q is not an origin like https://www.example.ch", o))
			continue
		}
		c.CORSOrigins = append(c.CORSOrigins, o)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, "SCHALTER_TLS_CERT and SCHALTER_TLS_KEY go together")
	}
	for name, v := range map[string]string{"SCHALTER_CITY_PRIMARY_COLOR": c.City.PrimaryColor, "SCHALTER_CITY_ACCENT_COLOR": c.City.AccentColor} {
		if !hexColor.MatchString(v) {
			errs = append(errs, name+" must be a hex colour like #00508c")
		}
	}
	errs = append(errs, c.readEID(get)...)
	errs = append(errs, c.readPayments(get)...)
	if c.Env == "production" {
		if c.EID.Dev {
			errs = append(errs, "SCHALTER_EID_DEV is not allowed in production: the development identity provider lets anyone log in as anyone")
		}
		if c.DatabaseURL == "" {
			errs = append(errs, "production needs DATABASE_URL (the private cluster is for development)")
		}
		if c.Demo {
			errs = append(errs, "SCHALTER_DEMO is not allowed in production")
		}
		if c.SecretKey == "" {
			errs = append(errs, "production needs SCHALTER_SECRET_KEY")
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

var acrLevelNames = map[string]bool{"account": true, "two_factor": true, "eid": true}

// ParseACRLevels reads comma-separated acr=level pairs, weakest first.
func ParseACRLevels(s string) ([]ACRLevel, error) {
	var out []ACRLevel
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		acr, level, ok := strings.Cut(pair, "=")
		acr, level = strings.TrimSpace(acr), strings.TrimSpace(level)
		if !ok || acr == "" || !acrLevelNames[level] {
			return nil, fmt.Errorf("SCHALTER_EID_ACR_LEVELS: %q is not acr=level with level account, two_factor or eid", pair)
		}
		out = append(out, ACRLevel{ACR: acr, Level: level})
	}
	if len(out) == 0 {
		return nil, errors.New("SCHALTER_EID_ACR_LEVELS must map at least one acr value")
	}
	return out, nil
}

// readPayments reads the SCHALTER_PAYMENT_* variables.
func (c *Config) readPayments(get func(name, def string) string) []string {
	var errs []string
	p := &c.Payments
	p.IBAN = strings.ReplaceAll(get("SCHALTER_PAYMENT_IBAN", DemoIBAN), " ", "")
	parts := strings.Split(get("SCHALTER_PAYMENT_CREDITOR", "Stadt Uster|Oberlandstrasse|78|8610|Uster"), "|")
	if len(parts) != 5 || parts[0] == "" || parts[3] == "" || parts[4] == "" {
		errs = append(errs, "SCHALTER_PAYMENT_CREDITOR must be name|street|building number|postal code|town")
	} else {
		copy(p.Creditor[:], parts)
	}
	var err error
	if p.Dev, err = strconv.ParseBool(get("SCHALTER_PAYMENT_DEV", strconv.FormatBool(c.Env != "production"))); err != nil {
		errs = append(errs, "SCHALTER_PAYMENT_DEV must be true or false")
	}
	if c.Env == "production" {
		if p.Dev {
			errs = append(errs, "SCHALTER_PAYMENT_DEV is not allowed in production: the development provider marks anything as paid")
		}
		if p.IBAN == DemoIBAN {
			errs = append(errs, "production needs SCHALTER_PAYMENT_IBAN (the default is SIX's example account)")
		}
	}
	return append(errs, c.readStripe(get)...)
}

// stripeMethod is a Checkout payment_method_types value (card, twint).
var stripeMethod = regexp.MustCompile(`^[a-z][a-z_]*$`)

// liveStripeKey: Stripe's live keys are sk_live_… and rk_live_….
func liveStripeKey(key string) bool {
	return strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_")
}

// readStripe reads the SCHALTER_STRIPE_* variables. The messages name the
// variable and what is wrong with it, never its value: the key and the
// webhook secret end up in the log otherwise.
//
// A live key outside production is refused, not warned about: a
// development or test server takes payments from whoever tries it, and
// with a live key those would be real charges. A test key in production
// is refused too: Stripe's test cards (4242 4242 4242 4242) would then
// pay any fee without money.
func (c *Config) readStripe(get func(name, def string) string) []string {
	var errs []string
	s := &c.Payments.Stripe
	s.SecretKey = strings.TrimSpace(os.Getenv("SCHALTER_STRIPE_SECRET_KEY"))
	s.WebhookSecret = strings.TrimSpace(os.Getenv("SCHALTER_STRIPE_WEBHOOK_SECRET"))
	s.APIURL = strings.TrimSuffix(os.Getenv("SCHALTER_STRIPE_API_URL"), "/")
	for _, m := range strings.Split(get("SCHALTER_STRIPE_METHODS", "card"), ",") {
		if m = strings.ToLower(strings.TrimSpace(m)); m == "" {
			continue
		}
		if !stripeMethod.MatchString(m) {
			errs = append(errs, fmt.Sprintf("SCHALTER_STRIPE_METHODS: %q is not a payment method type like card or twint", m))
			continue
		}
		s.Methods = append(s.Methods, m)
	}
	if len(s.Methods) == 0 {
		errs = append(errs, "SCHALTER_STRIPE_METHODS must name at least one payment method type, e.g. card")
	}
	var err error
	if s.Mock, err = strconv.ParseBool(get("SCHALTER_STRIPE_MOCK", "false")); err != nil {
		errs = append(errs, "SCHALTER_STRIPE_MOCK must be true or false")
	}
	prod := c.Env == "production"
	switch {
	case s.Mock && prod:
		errs = append(errs, "SCHALTER_STRIPE_MOCK is not allowed in production: stripe-mock takes no money")
	case s.Mock && (s.SecretKey != "" || s.WebhookSecret != "" || s.APIURL != ""):
		// The mock brings its own key, secret and URL; a configured one
		// would be silently unused.
		errs = append(errs, "SCHALTER_STRIPE_MOCK excludes SCHALTER_STRIPE_SECRET_KEY, SCHALTER_STRIPE_WEBHOOK_SECRET and SCHALTER_STRIPE_API_URL")
	case (s.SecretKey == "") != (s.WebhookSecret == ""):
		errs = append(errs, "SCHALTER_STRIPE_SECRET_KEY and SCHALTER_STRIPE_WEBHOOK_SECRET go together")
	case s.SecretKey == "" && s.APIURL != "":
		errs = append(errs, "SCHALTER_STRIPE_API_URL needs SCHALTER_STRIPE_SECRET_KEY")
	}
	if s.SecretKey != "" {
		switch {
		case !strings.HasPrefix(s.SecretKey, "sk_") && !strings.HasPrefix(s.SecretKey, "rk_"):
			errs = append(errs, "SCHALTER_STRIPE_SECRET_KEY must be a Stripe secret key (sk_…) or restricted key (rk_…), not a publishable one")
		case s.Live() && !prod:
			errs = append(errs, "SCHALTER_STRIPE_SECRET_KEY is a live key: outside production use a test key (sk_test_… or rk_test_…)")
		case !s.Live() && prod:
			errs = append(errs, "SCHALTER_STRIPE_SECRET_KEY is a test key: production needs a live key (sk_live_… or rk_live_…), or test cards pay without money")
		}
	}
	if s.WebhookSecret != "" && !strings.HasPrefix(s.WebhookSecret, "whsec_") {
		errs = append(errs, "SCHALTER_STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)")
	}
	if s.APIURL != "" {
		u, err := url.Parse(s.APIURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			errs = append(errs, "SCHALTER_STRIPE_API_URL must be an http(s) URL such as http://127.0.0.1:12111")
		case prod && u.Scheme != "https":
			errs = append(errs, "SCHALTER_STRIPE_API_URL must be https in production: every request carries the secret key")
		case u.Scheme == "http" && !loopbackHost(u.Hostname()):
			errs = append(errs, "SCHALTER_STRIPE_API_URL may use plain http only to a loopback address (stripe-mock): every request carries the secret key")
		}
	}
	return errs
}

// loopbackHost says whether host is this machine.
func loopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// readEID reads the SCHALTER_EID_* variables.
func (c *Config) readEID(get func(name, def string) string) []string {
	var errs []string
	e := &c.EID
	e.Issuer = strings.TrimSuffix(os.Getenv("SCHALTER_EID_ISSUER"), "/")
	e.ClientID = os.Getenv("SCHALTER_EID_CLIENT_ID")
	e.ClientSecret = os.Getenv("SCHALTER_EID_CLIENT_SECRET")
	var err error
	if e.Dev, err = strconv.ParseBool(get("SCHALTER_EID_DEV", "false")); err != nil {
		errs = append(errs, "SCHALTER_EID_DEV must be true or false")
	}
	if e.Levels, err = ParseACRLevels(get("SCHALTER_EID_ACR_LEVELS", DefaultACRLevels)); err != nil {
		errs = append(errs, err.Error())
	}
	switch {
	case e.Dev && e.Issuer != "":
		errs = append(errs, "SCHALTER_EID_DEV and SCHALTER_EID_ISSUER exclude each other: the development provider is the issuer")
	case e.Dev:
		e.Issuer = c.PublicURL + "/dev-idp"
		if e.ClientID == "" {
			e.ClientID = DevIdPClientID
		}
	case e.Issuer != "":
		if u, err := url.Parse(e.Issuer); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && c.Env != "production")) {
			errs = append(errs, "SCHALTER_EID_ISSUER must be an https URL such as https://identity.agov.admin.ch")
		}
		if e.ClientID == "" {
			errs = append(errs, "SCHALTER_EID_CLIENT_ID is required with SCHALTER_EID_ISSUER")
		}
	}
	return errs
}
