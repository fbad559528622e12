package cli

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// syncBuffer is a log destination that the server's goroutines and the
// test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mockURL is the stripe-mock address in serve's log line about it.
var mockURL = regexp.MustCompile(`msg="Stripe payments go to stripe-mock.*url=(http://127\.0\.0\.1:[0-9]+)`)

// TestServeWithStripeMock: with SCHALTER_STRIPE_MOCK, serve starts
// stripe-mock, pays by Stripe against it (its webhook route verifies
// signatures), never logs the key or the webhook secret, and stops
// stripe-mock when it stops.
func TestServeWithStripeMock(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{Seed: true})
	cfg := &config.Config{Env: "test", Addr: freeAddr(t), DatabaseURL: pool.Config().ConnString(), PublicURL: "http://localhost:8080",
		ShutdownTimeout: 10 * time.Second, DataDir: t.TempDir(), City: config.City{PrimaryColor: "#00508c"},
		Payments: config.Payments{Stripe: config.Stripe{Mock: true, Methods: []string{"card"}}}}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- withStore(ctx, cfg, log, func(st *store.Store) error { return serve(ctx, cfg, st, log) })
	}()
	base := "http://" + cfg.Addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 2*time.Minute, 50*time.Millisecond, "stripe-mock's first build takes about 20 seconds")

	m := mockURL.FindStringSubmatch(logs.String())
	require.NotNil(t, m, "serve logs where stripe-mock runs: %s", logs.String())
	mock := m[1]
	charges := func() error {
		req, _ := http.NewRequest(http.MethodGet, mock+"/v1/charges", nil)
		req.Header.Set("Authorization", "Bearer "+stripemock.Key)
		res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	require.NoError(t, charges(), "stripe-mock answers")

	res, err := http.Post(base+"/api/v1/payments/webhooks/stripe", "application/json", strings.NewReader(`{"id":"evt_forged"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the stripe provider is wired and checks signatures")
	require.Contains(t, logs.String(), "Stripe payments on")
	require.NotContains(t, logs.String(), stripemock.Key)
	require.NotContains(t, logs.String(), "whsec_")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	require.Error(t, charges(), "stripe-mock stops with the server")
}

// TestStripeMockOnlyWhereAsked: without SCHALTER_STRIPE_MOCK nothing is
// started; in production it is refused even past the configuration's
// check; a Stripe provider that should use stripe-mock is not built
// without it running.
func TestStripeMockOnlyWhereAsked(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	off := &config.Config{Env: "dev"}
	stop, err := startStripeMock(context.Background(), off, log)
	require.NoError(t, err)
	stop()
	require.Equal(t, config.Stripe{}, off.Payments.Stripe)

	prod := &config.Config{Env: "production", Payments: config.Payments{Stripe: config.Stripe{Mock: true}}}
	_, err = startStripeMock(context.Background(), prod, log)
	require.ErrorContains(t, err, "not allowed in production")

	_, err = wireStripe(&config.Config{Env: "dev", Payments: config.Payments{Stripe: config.Stripe{Mock: true}}}, log)
	require.ErrorContains(t, err, "stripe-mock is not running")
}
