package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The recorded fake of the Meilisearch HTTP API.
//
// A fixture (testdata/<name>.json) is the conversation one test has with
// Meilisearch: the requests the adapter must send, in order, each with the
// response Meilisearch gives (written from the API reference of
// Meilisearch 1.x, since no server can run here). The fake answers the
// requests in that order and fails the test when a request differs from
// the recorded one (method, path and query, JSON body compared as JSON),
// when one more request comes than were recorded, or when a recorded one
// was never sent.

const testKey = "test-key"

type fixture struct {
	Comment   string     `json:"comment"`
	Exchanges []exchange `json:"exchanges"`
}

type exchange struct {
	Note    string `json:"note,omitempty"`
	Request struct {
		Method string `json:"method"`
		// Path with the query string, e.g. /indexes/x/documents?primaryKey=slug.
		Path string `json:"path"`
		// Body is the JSON the adapter must send; absent means no body.
		Body json.RawMessage `json:"body,omitempty"`
	} `json:"request"`
	Response struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body,omitempty"`
		// Text is a non-JSON body (a proxy's error page).
		Text string `json:"text,omitempty"`
	} `json:"response"`
}

type fake struct {
	t    testing.TB
	name string
	srv  *httptest.Server

	mu   sync.Mutex
	fx   fixture
	next int
}

// newFake serves testdata/<name>.json until the test ends.
func newFake(t testing.TB, name string) *fake {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	require.NoError(t, err)
	f := &fake{t: t, name: name}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&f.fx), "fixture %s", name)
	f.srv = httptest.NewServer(f)
	t.Cleanup(func() {
		f.srv.Close()
		if msg := f.unsent(); msg != "" {
			t.Errorf("%s", msg)
		}
	})
	return f
}

// unsent describes the recorded requests not sent yet ("" if none).
func (f *fake) unsent() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.fx.Exchanges) {
		return ""
	}
	x := f.fx.Exchanges[f.next]
	return fmt.Sprintf("%s: %d recorded request(s) never sent, the first: %s %s", f.name, len(f.fx.Exchanges)-f.next, x.Request.Method, x.Request.Path)
}

// engine returns an engine on the fake that polls tasks without delay.
func (f *fake) engine(opts ...Option) *Engine {
	f.t.Helper()
	e, err := New(f.srv.URL, testKey, opts...)
	require.NoError(f.t, err)
	e.pollMin, e.pollMax = time.Millisecond, 2*time.Millisecond
	f.t.Cleanup(func() { _ = e.Close() })
	return e
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	got := fmt.Sprintf("%s %s", r.Method, r.URL.RequestURI())
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.fx.Exchanges) {
		f.t.Errorf("%s: unexpected request after the recorded ones: %s %s", f.name, got, body)
		mismatch(w, "unexpected request")
		return
	}
	x := f.fx.Exchanges[f.next]
	f.next++
	if problem := x.mismatch(r, body); problem != "" {
		f.t.Errorf("%s: request %d (%s): %s", f.name, f.next, got, problem)
		mismatch(w, problem)
		return
	}
	if auth := r.Header.Get("Authorization"); auth != "Bearer "+testKey {
		f.t.Errorf("%s: request %d (%s): Authorization %q, want the API key as bearer token", f.name, f.next, got, auth)
	}
	switch {
	case x.Response.Text != "":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(x.Response.Status)
		_, _ = io.WriteString(w, x.Response.Text)
	case len(x.Response.Body) > 0:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(x.Response.Status)
		_, _ = w.Write(x.Response.Body)
	default:
		w.WriteHeader(x.Response.Status)
	}
}

// mismatch answers a request the fixture does not expect: a 400, so the
// adapter's call fails too.
func mismatch(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": "fake: " + msg, "code": "fake_mismatch", "type": "invalid_request"})
}

// mismatch describes how r differs from the recorded request ("" if not).
func (x exchange) mismatch(r *http.Request, body []byte) string {
	want, err := url.Parse(x.Request.Path)
	if err != nil {
		return "bad fixture path: " + err.Error()
	}
	if r.Method != x.Request.Method || r.URL.Path != want.Path || !reflect.DeepEqual(r.URL.Query(), want.Query()) {
		return fmt.Sprintf("want %s %s", x.Request.Method, x.Request.Path)
	}
	if len(x.Request.Body) == 0 {
		if len(bytes.TrimSpace(body)) > 0 {
			return fmt.Sprintf("want no body, got %s", body)
		}
		return ""
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return fmt.Sprintf("Content-Type %q, want application/json", ct)
	}
	gotJSON, err := canonical(body)
	if err != nil {
		return fmt.Sprintf("body is not JSON (%v): %s", err, body)
	}
	wantJSON, err := canonical(x.Request.Body)
	if err != nil {
		return "bad fixture body: " + err.Error()
	}
	if gotJSON != wantJSON {
		return fmt.Sprintf("body differs\n--- want\n%s\n--- got\n%s", wantJSON, gotJSON)
	}
	return ""
}

// canonical re-encodes JSON with sorted keys and indentation, so equal
// documents compare equal as strings and differences are readable.
func canonical(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return string(out), err
}

// recordingTB keeps the fake's complaints instead of failing the test, so
// TestFakeCatchesWrongRequests can check them.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// TestFakeCatchesWrongRequests: the fake is no rubber stamp.
func TestFakeCatchesWrongRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &recordingTB{TB: t}
	f := newFake(rec, "delete_clear_count")
	e := f.engine()

	require.Error(t, e.Delete(ctx, []string{"umzug-melden"}), "the fake answers a wrong request with 400")
	require.Len(t, rec.errors(), 1)
	require.Contains(t, rec.errors()[0], "body differs")

	_, err := e.Count(ctx) // the fixture expects GET /tasks/30 now
	require.Error(t, err)
	require.Len(t, rec.errors(), 2)
	require.Contains(t, rec.errors()[1], "want GET /tasks/30")

	require.Contains(t, f.unsent(), "4 recorded request(s) never sent, the first: GET /indexes/schalter-services/stats")
	// Use up the rest, so the cleanup check is quiet.
	f.mu.Lock()
	f.next = len(f.fx.Exchanges)
	f.mu.Unlock()

	_, err = e.Count(ctx)
	require.Error(t, err)
	require.Contains(t, rec.errors()[2], "unexpected request after the recorded ones")
}
