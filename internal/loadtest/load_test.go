// Package loadtest measures the HTTP API under load with vegeta and writes
// docs/benchmarks.md. It runs only from `make bench` (SCHALTER_BENCH=1):
// timings belong in benchmarks, never in unit tests.
//
// Test-only variables shorten the loop while working on one area (the
// server reads none of them):
//
//	SCHALTER_BENCH_ONLY=orders  only the orders (or payments) section; it is logged,
//	                            docs/benchmarks.md is left alone; a list such as
//	                            payments,orders runs them in that order
//	SCHALTER_BENCH_RUNS=1       runs per scenario (default 3)
//	SCHALTER_BENCH_PROFILE=dir  a CPU profile of the server during the last run of
//	                            the payment confirmations, as dir/webhooks.cpu
//
// e.g. go build -o /tmp/schalter ./cmd/schalter && SCHALTER_BIN=/tmp/schalter \
// SCHALTER_BENCH=1 SCHALTER_BENCH_ONLY=orders go test -count=1 -run '^TestLoadReport$' -v ./internal/loadtest
package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// runs is how often each scenario runs (SCHALTER_BENCH_RUNS, default 3).
var runs = benchRuns()

func benchRuns() int {
	if n, err := strconv.Atoi(os.Getenv("SCHALTER_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 3
}

type scenario struct {
	name    string
	paths   []string
	rate    int // requests per second; 0 = as fast as possible
	seconds int
	// target, when set, shapes each request (method, body, headers).
	target func(i int, t *vegeta.Target)
}

type sample struct {
	p50, p99   time.Duration
	throughput float64
	success    float64
}

func TestLoadReport(t *testing.T) {
	if os.Getenv("SCHALTER_BENCH") == "" {
		t.Skip("set SCHALTER_BENCH=1 (make bench) to run the load benchmarks")
	}
	pool := pgtest.DB(t, pgtest.Options{Seed: true})
	benchUsers(t, store.New(pool))
	base := startServer(t, pool.Config().ConnString())
	if only := os.Getenv("SCHALTER_BENCH_ONLY"); only != "" {
		// Iterating on one issue's paths: the sections named, in that order
		// (payments,orders reproduces how the full run leaves the database
		// to the orders section), logged, and docs/benchmarks.md untouched
		// (a partial report must not replace the full one).
		reports := map[string]func(*testing.T, string, *store.Store) string{"orders": ordersReport, "payments": paymentsReport}
		for _, name := range strings.Split(only, ",") {
			report, ok := reports[name]
			if !ok {
				t.Fatalf("SCHALTER_BENCH_ONLY=%q: the sections that run alone are orders and payments", only)
			}
			t.Log(report(t, base, store.New(pool)))
			logQueue(t, store.New(pool))
		}
		return
	}
	sessionCookie := loginCookie(t, base)

	slugs := []string{"zuzug-anmelden", "betreibungsregisterauszug-bestellen", "hund-anmelden", "abfuhrkalender",
		"anwohnerparkkarte", "identitaetskarte-beantragen", "kita-platz", "baugesuch-einreichen", "heimatschein", "sozialhilfe"}
	var servicePaths, listPaths []string
	for _, s := range slugs {
		servicePaths = append(servicePaths, "/api/v1/services/"+s)
	}
	for _, q := range []string{"", "?category=wohnen-umzug", "?category=abfall-umwelt&channel=online", "?audience=businesses",
		"?office=einwohnerdienste", "?limit=50", "?category=familie-kinder&lang=fr", "?channel=post"} {
		listPaths = append(listPaths, "/api/v1/services"+q)
	}
	// The access check reads the session and the catalogue snapshot: the
	// same work as an anonymous service read plus the session lookup.
	var accessPaths []string
	for _, s := range []string{"zuzug-anmelden", "betreibungsregisterauszug-bestellen", "hund-anmelden", "abfuhrkalender",
		"anwohnerparkkarte", "sozialhilfe", "adressauskunft"} {
		accessPaths = append(accessPaths, "/api/v1/me/services/"+s+"/access")
	}
	withCookie := func(_ int, tgt *vegeta.Target) { tgt.Header.Set("Cookie", sessionCookie) }
	var searchPaths, suggestPaths []string
	for _, q := range residentQueries(t) {
		searchPaths = append(searchPaths, "/api/v1/search?q="+url.QueryEscape(q.q)+"&lang="+q.lang)
		// As typed: the first few letters of the query.
		r := []rune(q.q)
		suggestPaths = append(suggestPaths, "/api/v1/search/suggest?q="+url.QueryEscape(string(r[:min(len(r), 6)]))+"&lang="+q.lang)
	}
	// Uncached: every query made unique with a random extra word, so the
	// engine's result cache never answers: the cost of a query never seen.
	rng := rand.New(rand.NewPCG(3, 4))
	var coldPaths []string
	for i := 0; i < 60000; i++ {
		q := residentQueries(t)[i%len(searchPaths)]
		extra := make([]byte, 6)
		for j := range extra {
			extra[j] = byte('a' + rng.IntN(26))
		}
		coldPaths = append(coldPaths, "/api/v1/search?q="+url.QueryEscape(q.q+" "+string(extra))+"&lang="+q.lang)
	}
	scenarios := []scenario{
		{"GET /healthz, max rate (ceiling)", []string{"/healthz"}, 0, 5, nil},
		{"GET /api/v1/services/{slug}, max rate", servicePaths, 0, 5, nil},
		{"GET /api/v1/services (list), max rate", listPaths, 0, 5, nil},
		{"GET /healthz at 1,000/s", []string{"/healthz"}, 1000, 10, nil},
		{"GET /api/v1/services/{slug} at 1,000/s", servicePaths, 1000, 10, nil},
		{"GET /api/v1/services (list) at 1,000/s", listPaths, 1000, 10, nil},
		{"GET /api/v1/search, max rate", searchPaths, 0, 5, nil},
		{"GET /api/v1/search/suggest, max rate", suggestPaths, 0, 5, nil},
		{"GET /api/v1/search at 1,000/s", searchPaths, 1000, 10, nil},
		{"GET /api/v1/search/suggest at 1,000/s", suggestPaths, 1000, 10, nil},
		{"GET /api/v1/search, uncached, max rate", coldPaths, 0, 5, nil},
		{"GET /api/v1/search, uncached, at 500/s", coldPaths, 500, 10, nil},
		{"POST /api/v1/session (password login), max rate", []string{"/api/v1/session"}, 0, 5, func(i int, tgt *vegeta.Target) {
			tgt.Method = http.MethodPost
			tgt.Header.Set("Content-Type", "application/json")
			tgt.Body = []byte(fmt.Sprintf(`{"email":"bench%d@example.ch","password":"grüne Velos fahren leise"}`, i%benchAccounts))
		}},
		{"GET /api/v1/services/{slug} with a session cookie at 1,000/s", servicePaths, 1000, 10, withCookie},
		{"GET /api/v1/me/services/{slug}/access (session lookup) at 1,000/s", accessPaths, 1000, 10, withCookie},
		{"GET /api/v1/me (session, account, roles) at 1,000/s", []string{"/api/v1/me"}, 1000, 10, withCookie},
	}
	results := make([][]sample, len(scenarios))
	// Warm up connections, caches and the JIT-less Go runtime alike.
	attack(base, scenarios[1].paths, 500, 2)
	for r := 0; r < runs; r++ {
		for i, sc := range scenarios {
			m := attackWith(base, sc.paths, sc.rate, sc.seconds, sc.target)
			results[i] = append(results[i], m)
			t.Logf("run %d %-45s p50 %8s p99 %8s %8.0f req/s success %.4f", r+1, sc.name, m.p50, m.p99, m.throughput, m.success)
		}
	}
	// Payments before orders: the orders' dog registrations are invoiced,
	// and their invoice PDFs render in the background for a while after.
	pay := paymentsReport(t, base, store.New(pool))
	writeReport(t, scenarios, results, ordersReport(t, base, store.New(pool))+pay)
}

// startServer runs the built binary (SCHALTER_BIN, as make bench provides)
// as its own process, so the load generator does not share its heap.
func startServer(t *testing.T, dbURL string) string {
	bin := os.Getenv("SCHALTER_BIN")
	if bin == "" {
		bin = filepath.Join(pgtest.RepoRoot(), "bin", "schalter")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	monitorAddr = ml.Addr().String()
	ml.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "SCHALTER_ADDR="+addr, "SCHALTER_ENV=test",
		"SCHALTER_LOG_LEVEL=warn", "SCHALTER_RATE_LIMIT=0", "SCHALTER_AUTH_RATE_LIMIT=0", "SCHALTER_DATA_DIR="+t.TempDir(),
		"SCHALTER_SECRET_KEY="+benchSecretKey, "SCHALTER_METRICS_ADDR="+monitorAddr, "SCHALTER_PPROF=true")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start(), "build the binary first (make build)")
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 30*time.Second, 50*time.Millisecond)
	return base
}

func attack(base string, paths []string, rate, seconds int) sample {
	return attackWith(base, paths, rate, seconds, nil)
}

func attackWith(base string, paths []string, rate, seconds int, shape func(int, *vegeta.Target)) sample {
	i := 0
	var mu sync.Mutex
	targeter := func(tgt *vegeta.Target) error {
		mu.Lock()
		n := i
		i++
		mu.Unlock()
		tgt.Method = http.MethodGet
		tgt.URL = base + paths[n%len(paths)]
		tgt.Header = http.Header{"Accept-Encoding": {"gzip"}}
		if shape != nil {
			shape(n, tgt)
		}
		return nil
	}
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Connections(64)}
	r := vegeta.Rate{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(32), vegeta.MaxWorkers(32))
	} else {
		opts = append(opts, vegeta.Workers(16))
	}
	atk := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	for res := range atk.Attack(targeter, r, time.Duration(seconds)*time.Second, "bench") {
		m.Add(res)
	}
	m.Close()
	return sample{p50: m.Latencies.P50, p99: m.Latencies.P99, throughput: m.Throughput, success: m.Success}
}

func median[T int64 | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func writeReport(t *testing.T, scenarios []scenario, results [][]sample, orders string) {
	var b strings.Builder
	cpu := cpuModel()
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (internal/loadtest) on %s. Do not edit by hand.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %s, %s\n", runtime.NumCPU(), cpu, runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&b, "- Server: the `schalter` binary as its own process, PostgreSQL 15 (private cluster) on the same machine, demo catalogue (157 services)\n")
	fmt.Fprintf(&b, "- Load: vegeta as a library in the test process, keep-alive, gzip accepted; service reads rotate over 10 services, list reads over 8 filter combinations\n")
	fmt.Fprintf(&b, "- Each scenario ran %d times in one session; the table shows the **median** of the runs (p50, p99 and throughput each their own median)\n\n", runs)
	b.WriteString("| Scenario | p50 | p99 | Throughput (req/s) | Success |\n|---|---:|---:|---:|---:|\n")
	med := make([]sample, len(scenarios))
	for i, sc := range scenarios {
		med[i] = medianSample(results[i])
		fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %.2f%% |\n", sc.name, round(med[i].p50), round(med[i].p99), med[i].throughput, 100*med[i].success)
	}
	ceiling := med[0].throughput
	fmt.Fprintf(&b, "\n## Against the targets (issues: foundation and catalogue; search)\n\n")
	fmt.Fprintf(&b, "| Target | Measured | Met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| service read p99 < 5 ms at 1,000 req/s | %s | %s |\n", round(med[4].p99), yes(med[4].p99 < 5*time.Millisecond && med[4].success > 0.999))
	fmt.Fprintf(&b, "| service read throughput ≥ 50%% of /healthz | %.0f / %.0f req/s = **%.0f%%** | %s |\n", med[1].throughput, ceiling, 100*med[1].throughput/ceiling, yes(med[1].throughput >= ceiling/2))
	fmt.Fprintf(&b, "| list read throughput (for reference) | %.0f / %.0f req/s = %.0f%% | |\n", med[2].throughput, ceiling, 100*med[2].throughput/ceiling)
	fmt.Fprintf(&b, "| search p99 < 10 ms at 1,000 req/s (embedded engine) | %s | %s |\n", round(med[8].p99), yes(med[8].p99 < 10*time.Millisecond && med[8].success > 0.999))
	fmt.Fprintf(&b, "| suggest p99 < 10 ms at 1,000 req/s (embedded engine) | %s | %s |\n", round(med[9].p99), yes(med[9].p99 < 10*time.Millisecond && med[9].success > 0.999))
	fmt.Fprintf(&b, "| search / suggest throughput vs /healthz | %.0f%% / %.0f%% | |\n", 100*med[6].throughput/ceiling, 100*med[7].throughput/ceiling)
	fmt.Fprintf(&b, "| search, every query new (no result cache): max throughput, p99 at 500 req/s | %.0f req/s, %s | |\n", med[10].throughput, round(med[11].p99))
	hash := hashCost(t)
	fmt.Fprintf(&b, "| one password hash / verification (Argon2id, 46 MiB, 1 pass), median of 20 | %s | |\n", round(hash))
	fmt.Fprintf(&b, "| password logins, max rate (each verifies one hash; the 2 cores also run the load generator and PostgreSQL) | %.0f logins/s (one hash per core would allow %.0f/s) | |\n", med[12].throughput, 2/hash.Seconds())
	fmt.Fprintf(&b, "| authenticated read (session lookup in PostgreSQL + catalogue snapshot: the access check) vs anonymous service read at 1,000 req/s: p50, p99 | %s / %s vs %s / %s | |\n", round(med[14].p50), round(med[14].p99), round(med[4].p50), round(med[4].p99))
	fmt.Fprintf(&b, "| service read with a logged-in resident's cookie (public reads skip the session) vs without, at 1,000 req/s: p50, p99 | %s / %s vs %s / %s | |\n", round(med[13].p50), round(med[13].p99), round(med[4].p50), round(med[4].p99))
	fmt.Fprintf(&b, "| GET /api/v1/me (session, account and roles: three queries) at 1,000 req/s: p50, p99 | %s / %s | |\n", round(med[15].p50), round(med[15].p99))
	fmt.Fprintf(&b, "\nCatalogue reads are served from the in-memory snapshot of the published catalogue (internal/snapshot), and service documents are rendered and gzipped once per snapshot and language; PostgreSQL is not on the read path. ")
	fmt.Fprintf(&b, "Lists are filtered and paged per request.\n")
	fmt.Fprintf(&b, "Search and suggest use the 114 resident queries of search/testdata/queries.tsv (suggest: their first six characters, as typed). The embedded engine caches results until the index changes, so repeated queries are answered from memory; the uncached rows add a random word to every query to measure a query never seen before.\n")
	fmt.Fprintf(&b, "\nRatios are of medians measured in the same session. The load generator, the server and PostgreSQL share the same %d cores, so the ceiling is the machine's, not the server's alone.\n", runtime.NumCPU())
	b.WriteString(orders)
	b.WriteString(scaleReport(t))
	require.NoError(t, os.WriteFile(filepath.Join(pgtest.RepoRoot(), "docs", "benchmarks.md"), []byte(b.String()), 0o644))
}

func round(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

// logQueue logs the background jobs a section left behind, by kind and
// state: work still queued loads the next section.
func logQueue(t *testing.T, st *store.Store) {
	rows, err := st.Pool().Query(context.Background(), "SELECT kind, state::text, count(*) FROM river_job GROUP BY 1, 2 ORDER BY 1, 2")
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int
		require.NoError(t, rows.Scan(&kind, &state, &n))
		t.Logf("jobs %-24s %-10s %d", kind, state, n)
	}
	require.NoError(t, rows.Err())
}
