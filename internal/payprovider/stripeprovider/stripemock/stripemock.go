// Package stripemock runs stripe-mock (Stripe's own mock of its API,
// pinned in go.mod as a Go tool) on a free loopback port, for tests and
// for make run. stripe-mock checks every request against Stripe's OpenAPI
// description and answers with fixtures; it keeps no state, so what
// happens after a checkout (paid, expired) is tested with signed events.
package stripemock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Key is a test key that stripe-mock accepts (it takes any sk_test_ key).
const Key = "sk_test_schalter"

// startTimeout bounds Start, including the first build of stripe-mock
// (about 20 seconds with an empty build cache; later starts take a few
// hundred milliseconds).
const startTimeout = 2 * time.Minute

// Start runs stripe-mock until the test (or benchmark) ends and returns
// its base URL, e.g. http://127.0.0.1:43211. Each call starts a process;
// a package with many tests can start one in TestMain with StartProcess.
func Start(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	url, stop, err := StartProcess(ctx)
	if err != nil {
		t.Fatalf("stripemock: %v", err)
	}
	t.Cleanup(stop)
	return url
}

// StartProcess builds stripe-mock if needed, starts it and waits until it
// answers. stop ends it (and may be called more than once). ctx bounds the
// start only; the process runs until stop.
func StartProcess(ctx context.Context) (url string, stop func(), err error) {
	bin, err := binary(ctx)
	if err != nil {
		return "", nil, err
	}
	// Both listeners on 127.0.0.1 with a port of the system's choosing, so
	// parallel test processes never collide. The HTTPS one is unused, but
	// stripe-mock starts it on the fixed port 12112 unless told otherwise
	// (-http-addr, unlike -http-port, does not turn it off).
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	setProcAttr(cmd)
	out := &watcher{found: make(chan string, 1)}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	select {
	case addr := <-out.found:
		url = "http://" + addr
	case <-exited:
		return "", nil, fmt.Errorf("stripe-mock exited at start: %s", out.String())
	case <-ctx.Done():
		stop()
		return "", nil, fmt.Errorf("stripe-mock did not start: %w (output: %s)", ctx.Err(), out.String())
	}
	if err := ping(ctx, url); err != nil {
		stop()
		return "", nil, fmt.Errorf("stripe-mock at %s does not answer: %w", url, err)
	}
	return url, stop, nil
}

var (
	binMu   sync.Mutex
	binPath string
)

// binary returns the path of the stripe-mock executable. `go tool -n`
// builds the tool pinned in go.mod into Go's build cache (once; later
// calls only check that it is current) and prints where it is, so parallel
// test processes share one binary without writing anywhere themselves.
// Running the binary directly, not through `go tool`, leaves no go
// process in between that could outlive a kill.
func binary(ctx context.Context) (string, error) {
	binMu.Lock()
	defer binMu.Unlock()
	if binPath != "" {
		return binPath, nil
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "stripe-mock")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building stripe-mock (go tool -n stripe-mock) failed: %v: %s "+
			"(it is pinned in go.mod; without network access its modules must already be in the module cache: go mod download)",
			err, strings.TrimSpace(stderr.String()))
	}
	binPath = strings.TrimSpace(string(out))
	return binPath, nil
}

// ping asks for the list of charges, which stripe-mock answers as soon as
// it serves.
func ping(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v1/charges", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return errors.New(res.Status)
	}
	return nil
}

// listening is the line stripe-mock prints once its HTTP listener is open.
var listening = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// watcher takes stripe-mock's output: it reports the listening address
// once, keeps the start of the output for error messages, and drops the
// rest (a pipe that nobody reads would block stripe-mock).
type watcher struct {
	mu    sync.Mutex
	head  []byte
	done  bool
	found chan string
}

const keepOutput = 4 << 10

func (w *watcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.head) < keepOutput {
		w.head = append(w.head, b[:min(len(b), keepOutput-len(w.head))]...)
	}
	if !w.done {
		if m := listening.FindSubmatch(w.head); m != nil {
			w.done = true
			w.found <- string(m[1])
		}
	}
	return len(b), nil
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.TrimSpace(string(w.head))
}
