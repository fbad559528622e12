// Package cli implements the subcommands of the schalter binary.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/pgcluster"
	"github.com/schalter-ch/schalter/internal/searchsync"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/simoffice"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/pwa"
	"github.com/schalter-ch/schalter/search"
)

const usage = `schalter: the digital service counter

Usage:
  schalter serve                      run the HTTP server (API and PWA)
  schalter migrate [up|down|status]   apply, roll back or show database migrations
  schalter seed                       load the demo catalogue (idempotent)
  schalter openapi [-format yaml|json] print the OpenAPI specification
  schalter search reindex             rebuild the search index from the database
  schalter admin create-user --email E --role admin|editor|staff [--office SLUG] [--password-stdin]
                                      create an account with a verified address and a role
  schalter admin grant-app-role --role NAME
                                      give the server's database role its privileges (append-only log)
  schalter transparency verify        check the hash chain of the transparency log
  schalter transparency prune         remove entries past the retention (2 years); as the schema owner
  schalter jobs list [--state S] [--limit N]
                                      the job queue, newest first (states: available, scheduled, running,
                                      retryable, completed, cancelled, discarded = dead letters)
  schalter jobs retry|cancel ID...    run a job again now, or stop it for good
  schalter sim betreibungsamt [-addr A] [-delay D]
                                      run the simulated Betreibungsamt (make run starts it)
  schalter pg [url|stop]              print the private cluster's URL, or stop it
  schalter env                        list the configuration variables

Configuration comes from environment variables (see schalter env).
Without DATABASE_URL, a private PostgreSQL cluster is started under
SCHALTER_DATA_DIR/pg.
`

// Run runs one subcommand and returns the exit code.
func Run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if cmd == "openapi" {
		return runOpenAPI(rest, os.Stdout)
	}
	if cmd == "sim" {
		return runSim(rest)
	}
	if cmd == "env" {
		for _, v := range config.Vars {
			fmt.Printf("%-30s %-28s %s\n", v.Name, v.Default, v.Doc)
		}
		return 0
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return 0
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	log := newLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return serve(ctx, cfg, st, log) })
	case "migrate":
		dir := "up"
		if len(rest) > 0 {
			dir = rest[0]
		}
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return st.Migrate(ctx, dir, log) })
	case "seed":
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return seed(ctx, st, log) })
	case "pg":
		err = pg(ctx, cfg, rest)
	case "jobs":
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return jobsCmd(ctx, st, log, rest, os.Stdout) })
	case "admin":
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return adminCmd(ctx, cfg, st, rest, os.Stdin, os.Stdout) })
	case "transparency":
		if len(rest) != 1 || (rest[0] != "verify" && rest[0] != "prune") {
			fmt.Fprint(os.Stderr, "usage: schalter transparency verify|prune\n")
			return 2
		}
		err = withStore(ctx, cfg, log, func(st *store.Store) error {
			if rest[0] == "prune" {
				return pruneLog(ctx, st, os.Stdout)
			}
			return verifyLog(ctx, st, os.Stdout)
		})
	case "search":
		if len(rest) != 1 || rest[0] != "reindex" {
			fmt.Fprint(os.Stderr, "usage: schalter search reindex\n")
			return 2
		}
		err = withStore(ctx, cfg, log, func(st *store.Store) error { return reindex(ctx, cfg, st, log) })
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		logError(log, err)
		return 1
	}
	return 0
}

func logError(log *slog.Logger, err error) {
	if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			log.Error("invalid", "where", f.Path, "line", f.Line, "problem", f.Message)
		}
	}
	log.Error(err.Error())
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	return slog.New(h)
}

// database returns the database URL: DATABASE_URL, or the private cluster,
// started if needed. The returned stop function stops a cluster this
// process started.
func database(ctx context.Context, cfg *config.Config, log *slog.Logger) (string, func(), error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, func() {}, nil
	}
	cl := &pgcluster.Cluster{Dir: filepath.Join(cfg.DataDir, "pg"), BinDir: cfg.PGBinDir, Logger: log}
	url, err := cl.Start(ctx, "schalter")
	if err != nil {
		return "", nil, err
	}
	return url, func() {
		if err := cl.Stop(); err != nil {
			log.Error("stopping the private PostgreSQL", "err", err)
		}
	}, nil
}

func withStore(ctx context.Context, cfg *config.Config, log *slog.Logger, fn func(*store.Store) error) error {
	url, stopDB, err := database(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopDB()
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func seed(ctx context.Context, st *store.Store, log *slog.Logger) error {
	b, err := catalog.LoadBundle(db.SeedFS())
	if err != nil {
		return err
	}
	res, err := st.Seed(ctx, b)
	if err != nil {
		return err
	}
	log.Info("demo catalogue loaded", "offices", res.Offices, "categories", res.Categories, "audiences", res.Audiences,
		"services_created", res.Created, "services_updated", res.Updated, "services_unchanged", res.Unchanged)
	n, err := forms.New(st, account.ProfileFields).Seed(ctx, db.SeedFS())
	if err != nil {
		return err
	}
	log.Info("demo forms loaded", "forms_added", n)
	return nil
}

func serve(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) error {
	var err error
	// config.FromEnv refuses this too; serve checks again because the
	// development identity provider lets anybody log in as anybody.
	if cfg.EID.Dev && cfg.Env == "production" {
		return errors.New("refusing to start: the development identity provider (SCHALTER_EID_DEV) is not allowed in production")
	}
	// The private cluster is ours: keep it migrated. A shared production
	// database is migrated deliberately with `schalter migrate up`.
	if cfg.DatabaseURL == "" || cfg.Demo {
		if err := st.Migrate(ctx, "up", log); err != nil {
			return err
		}
	}
	if cfg.Demo {
		if err := seed(ctx, st, log); err != nil {
			return err
		}
	}
	if cfg.SecretKey == "" && cfg.Env != "production" {
		if cfg.SecretKey, err = devSecret(filepath.Join(cfg.DataDir, "secret-key"), secretbox.NewKey); err != nil {
			return err
		}
	}
	if cfg.Env == "dev" {
		if err := devAPIToken(ctx, st, cfg.DataDir); err != nil {
			return err
		}
		log.Info("API token of the development editor (not logged) is in a file", "file", filepath.Join(cfg.DataDir, "admin-token"))
	}

	var assets fs.FS = pwa.Dist()
	if cfg.PWADir != "" {
		assets = os.DirFS(cfg.PWADir)
	}
	// stripe-mock (make run STRIPE=mock) lives as long as the server; it
	// stops after the job queue, whose refunds may still be talking to it.
	stopStripeMock, err := startStripeMock(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopStripeMock()
	deps, err := Wire(cfg, st, log)
	if err != nil {
		return err
	}
	if cfg.Demo && cfg.DemoSimURL != "" {
		// make run's simulated Betreibungsamt, with its fixed development
		// credentials (SCHALTER_DEMO is refused in production).
		// Its status answers are next to the deliveries (/cases → /status),
		// for `schalter sim betreibungsamt -status-callback=false`.
		ep := connector.Endpoints{Delivery: cfg.DemoSimURL}
		if u, err := url.Parse(cfg.DemoSimURL); err == nil {
			ep.Status = u.ResolveReference(&url.URL{Path: "status"}).String()
		}
		if _, err := deps.Connectors.ConfigureEndpoints(ctx, "betreibungsamt", ep, simoffice.DevSecret, simoffice.DevAPIKey); err != nil {
			return fmt.Errorf("connecting the simulated Betreibungsamt: %w", err)
		}
		log.Info("the Betreibungsamt's cases go to the simulated office", "url", cfg.DemoSimURL)
	}
	engine, settings, err := startSearch(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	defer engine.Close()
	deps.Search, deps.SearchSettings = engine, settings
	// The queue works with a context of its own: jobs in flight get the
	// shutdown's grace period, not the signal's immediate cancel.
	queue, err := StartJobs(context.WithoutCancel(ctx), cfg, st, deps, log, jobs.Options{})
	if err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := queue.Stop(stopCtx); err != nil {
			log.Warn("stopping the job queue", "err", err)
		}
	}()
	deps.Jobs = queue
	app := api.New(cfg, deps, log, assets)
	go app.Run(ctx)
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("serving", "url", "http://"+displayAddr(ln.Addr()), "env", cfg.Env)
	errc := make(chan error, 2)
	monitor := app.MetricsHandler()
	if cfg.Pprof {
		monitor = withPprof(monitor)
	}
	metrics, err := serveMetrics(cfg.MetricsAddr, monitor, log, errc)
	if err != nil {
		ln.Close()
		return err
	}
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if metrics != nil {
		_ = metrics.Shutdown(shutdownCtx) // a scrape in flight is not worth waiting for
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// serveMetrics serves Prometheus metrics on their own listener (addr, from
// SCHALTER_METRICS_ADDR), so the public port never hands them out; nil
// when addr is empty (off). A failure to serve ends up on errc, like the
// main server's.
func serveMetrics(addr string, h http.Handler, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener (SCHALTER_METRICS_ADDR): %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("serving metrics", "url", "http://"+displayAddr(ln.Addr())+"/metrics")
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics listener: %w", err)
		}
	}()
	return srv, nil
}

// withPprof adds Go's profiler to the metrics listener's handler
// (SCHALTER_PPROF): CPU, heap and goroutine profiles of the running
// server, where only the operators reach.
func withPprof(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// devAPIToken gives `make run` a catalogue script token without a login:
// a development editor (no password, so nobody can log in as it) and its
// personal API token in a file readable only by its owner, reused while
// it works. Only in the dev environment.
func devAPIToken(ctx context.Context, st *store.Store, dataDir string) error {
	file := filepath.Join(dataDir, "admin-token")
	svc := &account.Service{Store: st}
	if b, err := os.ReadFile(file); err == nil {
		if _, err := svc.APITokenAccount(ctx, strings.TrimSpace(string(b))); err == nil {
			return nil
		}
	}
	const email = "entwicklung@schalter.invalid"
	now := time.Now()
	acc, err := st.CreateAccount(ctx, email, email, "", &now, store.Role{Role: account.RoleEditor}, store.Role{Role: account.RoleAdmin})
	if apperr.CodeOf(err) == apperr.Conflict {
		acc, err = st.AccountByEmail(ctx, email)
	}
	if err != nil {
		return err
	}
	random, _ := account.NewToken()
	token := account.APITokenPrefix + random
	if _, err := st.CreateAPIToken(ctx, acc.ID, "make run", account.HashToken(token), now.Add(365*24*time.Hour)); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(token), 0o600)
}

// devSecret reads a development secret from file, creating it (readable
// by its owner only) on first use, so it survives restarts.
func devSecret(file string, generate func() string) (string, error) {
	if b, err := os.ReadFile(file); err == nil && len(b) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	v := generate()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return "", err
	}
	return v, os.WriteFile(file, []byte(v), 0o600)
}

func pg(ctx context.Context, cfg *config.Config, args []string) error {
	cl := &pgcluster.Cluster{Dir: filepath.Join(cfg.DataDir, "pg"), BinDir: cfg.PGBinDir}
	if len(args) == 1 && args[0] == "stop" {
		return cl.StopRunning(ctx)
	}
	if len(args) == 1 && args[0] == "url" {
		url, err := cl.Start(ctx, "schalter")
		if err != nil {
			return err
		}
		fmt.Println(url)
		return nil
	}
	return errors.New("usage: schalter pg [url|stop]")
}

func runOpenAPI(args []string, w io.Writer) int {
	format := "yaml"
	if len(args) == 2 && args[0] == "-format" {
		format = args[1]
	}
	spec := api.OpenAPI()
	var (
		b   []byte
		err error
	)
	switch format {
	case "yaml":
		b, err = spec.YAML()
	case "json":
		b, err = spec.MarshalJSON()
	default:
		err = fmt.Errorf("unknown format %q", format)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, _ = w.Write(b)
	return 0
}

// startSearch opens the search engine (Meilisearch when configured, else
// the embedded one), builds or catches up its index, and keeps it current
// in the background until ctx ends.
func startSearch(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (search.Engine, search.Settings, error) {
	settings, err := search.DefaultSettings()
	if err != nil {
		return nil, settings, err
	}
	engine, shared, err := openEngine(cfg)
	if err != nil {
		return nil, settings, err
	}
	syncer := &searchsync.Syncer{Store: st, Engine: engine, Log: log, Settings: settings, Shared: shared, KeepOutbox: 7 * 24 * time.Hour}
	if err := syncer.Start(ctx); err != nil {
		engine.Close()
		return nil, settings, fmt.Errorf("search index: %w", err)
	}
	go syncer.Run(ctx)
	log.Info("search ready", "engine", engine.Name())
	return engine, settings, nil
}

// reindex rebuilds the configured engine's index. The embedded index must
// not be open in a running server (each server has its own; restart it
// after deleting SCHALTER_SEARCH_DIR instead, or run this while it is down).
func reindex(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) error {
	settings, err := search.DefaultSettings()
	if err != nil {
		return err
	}
	engine, shared, err := openEngine(cfg)
	if err != nil {
		return err
	}
	defer engine.Close()
	return (&searchsync.Syncer{Store: st, Engine: engine, Log: log, Settings: settings, Shared: shared}).Rebuild(ctx)
}
