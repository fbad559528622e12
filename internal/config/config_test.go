package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
)

func TestDefaults(t *testing.T) {
	for _, v := range config.Vars {
		t.Setenv(v.Name, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Addr)
	require.Equal(t, "127.0.0.1:9464", c.MetricsAddr, "metrics on loopback, never on the public port")
	require.Equal(t, "dev", c.Env)
	require.Equal(t, "text", c.LogFormat)
	require.Equal(t, 30*time.Second, c.ShutdownTimeout)
	require.Equal(t, "Stadt Uster", c.City.Name)
	require.Empty(t, c.CORSOrigins)
	require.False(t, c.Demo)
}

func TestInvalid(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SCHALTER_ENV": "staging"}, "SCHALTER_ENV"},
		{map[string]string{"SCHALTER_CORS_ORIGINS": "https://ok.ch, not an origin"}, "SCHALTER_CORS_ORIGINS"},
		{map[string]string{"SCHALTER_CORS_ORIGINS": "https://www.uster.ch/path"}, "SCHALTER_CORS_ORIGINS"},
		{map[string]string{"SCHALTER_DEMO": "ja"}, "SCHALTER_DEMO"},
		{map[string]string{"SCHALTER_SHUTDOWN_TIMEOUT": "-1s"}, "SCHALTER_SHUTDOWN_TIMEOUT"},
		{map[string]string{"SCHALTER_CITY_PRIMARY_COLOR": "blue"}, "SCHALTER_CITY_PRIMARY_COLOR"},
		{map[string]string{"SCHALTER_TLS_CERT": "/x"}, "SCHALTER_TLS_KEY"},
		{map[string]string{"SCHALTER_ENV": "production"}, "DATABASE_URL"},
		{map[string]string{"SCHALTER_ENV": "production", "DATABASE_URL": "postgres://x", "SCHALTER_DEMO": "true"}, "SCHALTER_DEMO"},
		{map[string]string{"SCHALTER_LOG_LEVEL": "loud"}, "SCHALTER_LOG_LEVEL"},
		{map[string]string{"SCHALTER_SECRET_KEY": "c2hvcnQ="}, "SCHALTER_SECRET_KEY"},
		{map[string]string{"SCHALTER_ENV": "production", "DATABASE_URL": "postgres://x"}, "SCHALTER_SECRET_KEY"},
		{map[string]string{"SCHALTER_ENV": "production", "DATABASE_URL": "postgres://x", "SCHALTER_SECRET_KEY": testKey, "SCHALTER_EID_DEV": "true"},
			"SCHALTER_EID_DEV is not allowed in production"},
		{map[string]string{"SCHALTER_EID_DEV": "true", "SCHALTER_EID_ISSUER": "https://idp.example"}, "exclude each other"},
		{map[string]string{"SCHALTER_EID_DEV": "oui"}, "SCHALTER_EID_DEV must be"},
		{map[string]string{"SCHALTER_EID_ISSUER": "https://idp.example"}, "SCHALTER_EID_CLIENT_ID is required"},
		{map[string]string{"SCHALTER_EID_ISSUER": "ftp://idp.example", "SCHALTER_EID_CLIENT_ID": "x"}, "SCHALTER_EID_ISSUER must be"},
		{map[string]string{"SCHALTER_ENV": "production", "DATABASE_URL": "postgres://x", "SCHALTER_SECRET_KEY": testKey,
			"SCHALTER_EID_ISSUER": "http://idp.example", "SCHALTER_EID_CLIENT_ID": "x"}, "SCHALTER_EID_ISSUER must be"},
		{map[string]string{"SCHALTER_EID_ACR_LEVELS": "urn:x:10=gold"}, "SCHALTER_EID_ACR_LEVELS"},
		{map[string]string{"SCHALTER_EID_ACR_LEVELS": "urn:x:10"}, "SCHALTER_EID_ACR_LEVELS"},
		{map[string]string{"SCHALTER_EID_ACR_LEVELS": " , "}, "SCHALTER_EID_ACR_LEVELS"},
		{map[string]string{"SCHALTER_SMS_URL": "sms.example.ch/send"}, "SCHALTER_SMS_URL"},
		{map[string]string{"SCHALTER_ENV": "production", "DATABASE_URL": "postgres://x", "SCHALTER_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
			"SCHALTER_SMS_URL": "http://sms.example.ch/send"}, "must be https in production"},
		{map[string]string{"SCHALTER_SMS_FROM": "Stadtverwaltung Uster"}, "SCHALTER_SMS_FROM"},
		{map[string]string{"SCHALTER_SMS_FROM": "+41 44"}, "SCHALTER_SMS_FROM"},
		{map[string]string{"SCHALTER_METRICS_ADDR": "9464"}, "SCHALTER_METRICS_ADDR"},
		{map[string]string{"SCHALTER_METRICS_ADDR": "127.0.0.1:"}, "SCHALTER_METRICS_ADDR"},
		{map[string]string{"SCHALTER_STRIPE_SECRET_KEY": "sk_test_abc"}, "SCHALTER_STRIPE_SECRET_KEY and SCHALTER_STRIPE_WEBHOOK_SECRET go together"},
		{map[string]string{"SCHALTER_STRIPE_WEBHOOK_SECRET": "whsec_abc"}, "SCHALTER_STRIPE_SECRET_KEY and SCHALTER_STRIPE_WEBHOOK_SECRET go together"},
		{stripeEnv("pk_test_abc", "whsec_abc"), "not a publishable one"},
		{stripeEnv("sk_live_abc", "whsec_abc"), "is a live key: outside production"},
		{stripeEnv("rk_live_abc", "whsec_abc", "SCHALTER_ENV", "test"), "is a live key: outside production"},
		{stripeEnv("sk_test_abc", "whsec_abc", production...), "is a test key: production needs a live key"},
		{stripeEnv("sk_test_abc", "abc"), "SCHALTER_STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret"},
		{stripeEnv("sk_test_abc", "whsec_abc", "SCHALTER_STRIPE_API_URL", "stripe-mock:12111"), "SCHALTER_STRIPE_API_URL must be an http(s) URL"},
		{stripeEnv("sk_test_abc", "whsec_abc", "SCHALTER_STRIPE_API_URL", "http://stripe-mock.internal:12111"), "plain http only to a loopback address"},
		{stripeEnv("sk_live_abc", "whsec_abc", append(production, "SCHALTER_STRIPE_API_URL", "http://127.0.0.1:12111")...), "SCHALTER_STRIPE_API_URL must be https in production"},
		{map[string]string{"SCHALTER_STRIPE_API_URL": "http://127.0.0.1:12111"}, "SCHALTER_STRIPE_API_URL needs SCHALTER_STRIPE_SECRET_KEY"},
		{map[string]string{"SCHALTER_STRIPE_METHODS": "card,Apple Pay"}, "SCHALTER_STRIPE_METHODS: \"apple pay\""},
		{map[string]string{"SCHALTER_STRIPE_METHODS": " , "}, "SCHALTER_STRIPE_METHODS must name at least one"},
		{map[string]string{"SCHALTER_STRIPE_MOCK": "ja"}, "SCHALTER_STRIPE_MOCK must be true or false"},
		{stripeEnv("", "", append(production, "SCHALTER_STRIPE_MOCK", "true")...), "SCHALTER_STRIPE_MOCK is not allowed in production"},
		{stripeEnv("sk_test_abc", "whsec_abc", "SCHALTER_STRIPE_MOCK", "true"), "SCHALTER_STRIPE_MOCK excludes"},
		{map[string]string{"SCHALTER_STRIPE_MOCK": "true", "SCHALTER_STRIPE_API_URL": "http://127.0.0.1:12111"}, "SCHALTER_STRIPE_MOCK excludes"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			for _, v := range config.Vars {
				t.Setenv(v.Name, "")
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := config.FromEnv()
			require.ErrorContains(t, err, c.want)
		})
	}
}

const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// production is what a production configuration needs besides payments
// by card, as name, value pairs for stripeEnv.
var production = []string{"SCHALTER_ENV", "production", "DATABASE_URL", "postgres://x", "SCHALTER_SECRET_KEY", testKey,
	"SCHALTER_PAYMENT_IBAN", "CH9300762011623852957"}

// stripeEnv is a Stripe key and webhook secret (each left out when
// empty) and further name, value pairs.
func stripeEnv(key, secret string, more ...string) map[string]string {
	env := map[string]string{}
	if key != "" {
		env["SCHALTER_STRIPE_SECRET_KEY"] = key
	}
	if secret != "" {
		env["SCHALTER_STRIPE_WEBHOOK_SECRET"] = secret
	}
	for i := 0; i+1 < len(more); i += 2 {
		env[more[i]] = more[i+1]
	}
	return env
}

// setEnv clears every variable Schalter reads, then sets env.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, v := range config.Vars {
		t.Setenv(v.Name, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestStripeConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want config.Stripe
		live bool
	}{
		{"off by default", nil, config.Stripe{Methods: []string{"card"}}, false},
		{"a test account", stripeEnv(" rk_test_abc ", "whsec_abc", "SCHALTER_STRIPE_METHODS", "card, TWINT,"),
			config.Stripe{SecretKey: "rk_test_abc", WebhookSecret: "whsec_abc", Methods: []string{"card", "twint"}}, false},
		{"stripe-mock by hand", stripeEnv("sk_test_abc", "whsec_abc", "SCHALTER_STRIPE_API_URL", "http://127.0.0.1:12111/"),
			config.Stripe{SecretKey: "sk_test_abc", WebhookSecret: "whsec_abc", APIURL: "http://127.0.0.1:12111", Methods: []string{"card"}}, false},
		{"stripe-mock started by the server", map[string]string{"SCHALTER_STRIPE_MOCK": "true", "SCHALTER_STRIPE_METHODS": "card,twint"},
			config.Stripe{Mock: true, Methods: []string{"card", "twint"}}, false},
		{"production", stripeEnv("rk_live_abc", "whsec_abc", append(production, "SCHALTER_STRIPE_API_URL", "https://stripe-proxy.uster.ch")...),
			config.Stripe{SecretKey: "rk_live_abc", WebhookSecret: "whsec_abc", APIURL: "https://stripe-proxy.uster.ch", Methods: []string{"card"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			c, err := config.FromEnv()
			require.NoError(t, err)
			require.Equal(t, tc.want, c.Payments.Stripe)
			require.Equal(t, tc.env != nil, c.Payments.Stripe.On())
			require.Equal(t, tc.live, c.Payments.Stripe.Live())
		})
	}
}

// TestStripeConfigKeepsSecrets: a refused Stripe configuration says which
// variable is wrong, never its value (the message is logged).
func TestStripeConfigKeepsSecrets(t *testing.T) {
	const key, secret = "sk_live_s3cr3tKEY", "whsec_s3cr3tHOOK"
	for _, env := range []map[string]string{
		stripeEnv(key, secret),
		stripeEnv(key, ""),
		stripeEnv("", secret),
		stripeEnv(key, secret, "SCHALTER_STRIPE_MOCK", "true"),
		stripeEnv("sk_s3cr3tKEY", "s3cr3tHOOK", production...),
	} {
		setEnv(t, env)
		_, err := config.FromEnv()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "s3cr3t")
	}
}

func TestEID(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want config.EID
	}{
		{"off by default", nil, config.EID{}},
		{"AGOV", map[string]string{"SCHALTER_EID_ISSUER": "https://identity.agov.admin.ch/", "SCHALTER_EID_CLIENT_ID": "uster"},
			config.EID{Issuer: "https://identity.agov.admin.ch", ClientID: "uster"}},
		{"development provider", map[string]string{"SCHALTER_EID_DEV": "true", "SCHALTER_PUBLIC_URL": "http://localhost:9090/"},
			config.EID{Issuer: "http://localhost:9090/dev-idp", ClientID: config.DevIdPClientID, Dev: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range config.Vars {
				t.Setenv(v.Name, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := config.FromEnv()
			require.NoError(t, err)
			require.Len(t, c.EID.Levels, 6, "AGOV's QoA 10 to 60 by default")
			require.Equal(t, config.ACRLevel{ACR: "urn:qoa.eiam.admin.ch:names:tc:ac:classes:20", Level: "two_factor"}, c.EID.Levels[1])
			c.EID.Levels = nil
			require.Equal(t, tc.want, c.EID)
		})
	}
}

func TestMetricsAddr(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"", "127.0.0.1:9464"},
		{":9464", ":9464"},
		{"10.0.0.5:9100", "10.0.0.5:9100"},
		{"off", ""}, // no listener at all
	} {
		t.Run(tc.env, func(t *testing.T) {
			for _, v := range config.Vars {
				t.Setenv(v.Name, "")
			}
			t.Setenv("SCHALTER_METRICS_ADDR", tc.env)
			c, err := config.FromEnv()
			require.NoError(t, err)
			require.Equal(t, tc.want, c.MetricsAddr)
		})
	}
}

func TestProductionDefaults(t *testing.T) {
	for _, v := range config.Vars {
		t.Setenv(v.Name, "")
	}
	t.Setenv("SCHALTER_ENV", "production")
	t.Setenv("DATABASE_URL", "postgres://db/schalter")
	t.Setenv("SCHALTER_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	t.Setenv("SCHALTER_CORS_ORIGINS", "https://www.uster.ch,https://uster.ch")
	_, err := config.FromEnv()
	require.ErrorContains(t, err, "SCHALTER_PAYMENT_IBAN", "SIX's example account is refused in production")
	t.Setenv("SCHALTER_PAYMENT_IBAN", "CH93 0076 2011 6238 5295 7")
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.False(t, c.Payments.Dev, "no development provider in production")
	require.Equal(t, "CH9300762011623852957", c.Payments.IBAN)
	require.Equal(t, "json", c.LogFormat)
	require.Equal(t, []string{"https://www.uster.ch", "https://uster.ch"}, c.CORSOrigins)

	t.Setenv("SCHALTER_SMS_URL", "https://sms.example.ch/v1/messages")
	t.Setenv("SCHALTER_SMS_TOKEN", "gateway-token")
	t.Setenv("SCHALTER_SMS_FROM", "Uster")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, "https://sms.example.ch/v1/messages", c.SMSURL)
	require.Equal(t, "gateway-token", c.SMSToken)
	require.Equal(t, "Uster", c.SMSFrom)
}

// TestReadmeDocumentsEveryVariable keeps the README's table in step with
// the code.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	for _, v := range config.Vars {
		require.True(t, strings.Contains(string(readme), "`"+v.Name+"`"), "README.md does not document %s", v.Name)
	}
}
