// Package pgtest gives tests a real PostgreSQL database of their own.
//
// All test processes share one private cluster under .data/test/pg (or the
// server at TEST_DATABASE_URL). The first test to need it builds a template
// database (migrated, and optionally seeded with the demo catalogue) named
// after a hash of the migrations and seed files; every test then gets a
// fresh clone (CREATE DATABASE … TEMPLATE), which takes a few tens of
// milliseconds, and drops it at cleanup. Nothing is mocked.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgcluster"
	"github.com/schalter-ch/schalter/internal/store"
)

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
	templates  sync.Map // name → *templateState
)

type templateState struct {
	once sync.Once
	err  error
}

// RepoRoot finds the repository root (the directory with go.mod).
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// adminURL returns a URL to the test server's postgres database.
func adminURL() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
			serverURL = u
			return
		}
		cl := &pgcluster.Cluster{Dir: filepath.Join(RepoRoot(), ".data", "test", "pg")}
		// The cluster stays up after the tests so the next `go test` starts
		// fast; `make test` stops it at the end (schalter pg stop).
		serverURL, serverErr = cl.Start(context.Background(), "postgres")
	})
	return serverURL, serverErr
}

func withDB(raw, name string) string {
	u, _ := url.Parse(raw)
	u.Path = "/" + name
	return u.String()
}

// Options choose what the test database holds.
type Options struct {
	// Seed loads the demo catalogue.
	Seed bool
}

// DB returns a pool on a fresh database that is dropped when the test ends.
func DB(t testing.TB, opts Options) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	admin, err := adminURL()
	if err != nil {
		t.Fatalf("pgtest: starting PostgreSQL: %v", err)
	}
	tpl, err := template(ctx, admin, opts)
	if err != nil {
		t.Fatalf("pgtest: template: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	if err := createFromTemplate(ctx, conn, name, tpl); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := pgxpool.New(ctx, withDB(admin, name))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	return pool
}

// createFromTemplate clones tpl; PostgreSQL refuses while another session
// is cloning the same template, so it retries briefly.
func createFromTemplate(ctx context.Context, conn *pgx.Conn, name, tpl string) error {
	var err error
	for i := 0; i < 100; i++ {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tpl}.Sanitize())
		if err == nil {
			return nil
		}
		time.Sleep(time.Duration(20+i*5) * time.Millisecond)
	}
	return err
}

// template builds (once per content hash, across processes) the template
// database and returns its name.
func template(ctx context.Context, admin string, opts Options) (string, error) {
	h := sha256.New()
	_ = fs.WalkDir(db.Migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(db.Migrations, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	h.Write([]byte(store.JobsSchemaVersion))
	prefix := "tpl_"
	if opts.Seed {
		prefix = "tplseed_"
		// What seed does, besides the files it reads: a change there must
		// not reuse a template built by the old code.
		h.Write([]byte(seedCode))
		_ = fs.WalkDir(db.Seed, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(db.Seed, p)
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
	}
	name := prefix + hex.EncodeToString(h.Sum(nil)[:8])
	st, _ := templates.LoadOrStore(name, &templateState{})
	ts := st.(*templateState)
	ts.once.Do(func() { ts.err = buildTemplate(ctx, admin, name, opts) })
	return name, ts.err
}

func buildTemplate(ctx context.Context, admin, name string, opts Options) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// Other test processes may build the same template: one does, the
	// others wait on the lock and then find it.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		return err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock(4242)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := name + "_build"
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	st, err := store.Open(ctx, withDB(admin, building))
	if err != nil {
		return err
	}
	err = st.Migrate(ctx, "up", slog.New(slog.DiscardHandler))
	if err == nil && opts.Seed {
		err = seed(ctx, st)
	}
	st.Close()
	if err != nil {
		return err
	}
	// Renamed only when complete, so a crash never leaves a half-built
	// template that later runs would trust.
	_, err = conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize())
	return err
}

// seedCode names what seed loads; bump it when seed starts loading more.
const seedCode = "catalogue+forms"

func seed(ctx context.Context, st *store.Store) error {
	b, err := catalog.LoadBundle(db.SeedFS())
	if err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	if _, err = st.Seed(ctx, b); err != nil {
		return err
	}
	_, err = forms.New(st, account.ProfileFields).Seed(ctx, db.SeedFS())
	return err
}

// Store returns a store on a fresh database.
func Store(t testing.TB, opts Options) *store.Store {
	return store.New(DB(t, opts))
}

// Demo returns the demo catalogue, freshly loaded (callers may change it).
func Demo(t testing.TB) *catalog.Bundle {
	t.Helper()
	b, err := catalog.LoadBundle(db.SeedFS())
	if err != nil {
		t.Fatalf("pgtest: demo catalogue: %v", err)
	}
	return b
}
