package stripeprovider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
)

const testWebhookSecret = "whsec_schalter_test_0123456789abcdef"

// One stripe-mock serves every test of the package (it keeps no state);
// it is started by the first test that needs it, so a run of the webhook
// tests alone does without.
var mock struct {
	once sync.Once
	url  string
	stop func()
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mock.stop != nil {
		mock.stop()
	}
	os.Exit(code)
}

func mockURL(t *testing.T) string {
	t.Helper()
	mock.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		mock.url, mock.stop, mock.err = stripemock.StartProcess(ctx)
		if mock.err == nil {
			fmt.Fprintf(os.Stderr, "stripe-mock at %s, started in %v\n", mock.url, time.Since(start).Round(time.Millisecond))
		}
	})
	if mock.err != nil {
		t.Fatalf("these tests need stripe-mock (go tool stripe-mock): %v", mock.err)
	}
	return mock.url
}

// request is what the provider sent, as the recorder saw it.
type request struct {
	Method, Path string
	Header       http.Header
	Form         url.Values // the form body of a POST, the query of a GET
}

// recorder is a RoundTripper that keeps every request before passing it on.
type recorder struct {
	mu   sync.Mutex
	seen []request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	form := req.URL.Query()
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > 0 {
			if form, err = url.ParseQuery(string(body)); err != nil {
				return nil, err
			}
		}
	}
	r.mu.Lock()
	r.seen = append(r.seen, request{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Form: form})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.seen...)
}

// newProvider returns a provider for apiURL whose requests rec records.
func newProvider(t *testing.T, apiURL string, rec *recorder, methods ...string) *Provider {
	t.Helper()
	var rt http.RoundTripper = http.DefaultTransport
	if rec != nil {
		rt = rec
	}
	p, err := New(Config{
		SecretKey:      stripemock.Key,
		WebhookSecret:  testWebhookSecret,
		APIURL:         apiURL,
		PaymentMethods: methods,
		HTTPClient:     &http.Client{Timeout: 10 * time.Second, Transport: rt},
	})
	require.NoError(t, err)
	return p
}

// fakeStripe answers every request with status and body, as Stripe would,
// for what stripe-mock cannot show (sessions that are paid or failed,
// errors). It counts the requests.
func fakeStripe(t *testing.T, status int, body []byte) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_schalter_test")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &hits
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}
