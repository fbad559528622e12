// Package pgcluster runs a private PostgreSQL cluster for development, demos
// and tests, so that Schalter needs nothing but the system's PostgreSQL
// binaries when DATABASE_URL is not set.
//
// The cluster lives in one directory (for example .data/pg). The first start
// runs initdb; later starts reuse the data. PostgreSQL refuses to run as
// root, so when the process is root the server runs as an unprivileged user
// (postgres by default) through runuser. The server listens on 127.0.0.1 on
// a port chosen once and kept in the directory, and is reached with a
// generated password kept there too.
package pgcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a private PostgreSQL server rooted in Dir.
type Cluster struct {
	// Dir holds the data directory (Dir/data), the password, the port and the log.
	Dir string
	// BinDir holds initdb, pg_ctl and postgres. Empty means FindBinDir.
	BinDir string
	// RunAs is the system user the server runs as when the process is root.
	RunAs string
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger

	started bool
	// users holds a shared lock on Dir/users while this process uses the
	// server, so that Stop knows whether anyone else still does.
	users *os.File
}

const superuser = "schalter"

// FindBinDir finds the PostgreSQL server binaries: SCHALTER_PG_BINDIR, then
// the directory of an initdb on PATH, then `pg_config --bindir`, then the
// newest /usr/lib/postgresql/<version>/bin (Debian and Ubuntu) or
// /usr/pgsql-<version>/bin (RHEL).
func FindBinDir() (string, error) {
	if dir := os.Getenv("SCHALTER_PG_BINDIR"); dir != "" {
		return dir, checkBinDir(dir)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Debian links some binaries into /usr/local/bin; use the real directory.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if dir := filepath.Dir(p); checkBinDir(dir) == nil {
			return dir, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if checkBinDir(dir) == nil {
			return dir, nil
		}
	}
	var candidates []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql@*/bin", "/usr/local/opt/postgresql@*/bin"} {
		m, _ := filepath.Glob(pattern)
		candidates = append(candidates, m...)
	}
	// Highest major version first: "17" sorts after "9" only numerically.
	sort.Slice(candidates, func(i, j int) bool { return versionOf(candidates[i]) > versionOf(candidates[j]) })
	for _, dir := range candidates {
		if checkBinDir(dir) == nil {
			return dir, nil
		}
	}
	return "", errors.New("pgcluster: no PostgreSQL server binaries found; install PostgreSQL (e.g. apt-get install postgresql) or set SCHALTER_PG_BINDIR or DATABASE_URL")
}

func versionOf(dir string) int {
	for _, part := range strings.Split(dir, string(filepath.Separator)) {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "pgsql-"), "postgresql@")
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

func checkBinDir(dir string) error {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("pgcluster: %s not found in %s", name, dir)
		}
	}
	return nil
}

func (c *Cluster) logf(msg string, args ...any) {
	if c.Logger != nil {
		c.Logger.Info(msg, args...)
	}
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }

// Start initialises the cluster if needed, starts it if it is not running,
// and returns a connection URL for the given database (created if missing).
// Several processes may share one cluster: the first starts it, and the
// last one to call Stop stops it (see Stop).
func (c *Cluster) Start(ctx context.Context, database string) (string, error) {
	if c.BinDir == "" {
		dir, err := FindBinDir()
		if err != nil {
			return "", err
		}
		c.BinDir = dir
	}
	if c.RunAs == "" {
		c.RunAs = "postgres"
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return "", err
	}
	c.Dir = dir

	// One process at a time sets the cluster up; others wait here.
	unlock, err := c.flock(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()

	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err != nil {
		if err := c.initdb(ctx); err != nil {
			return "", err
		}
	}
	port, err := c.port()
	if err != nil {
		return "", err
	}
	if !c.running(ctx) {
		if err := c.pgctl(ctx, "start", "-w", "-t", "60", "-l", filepath.Join(c.Dir, "postgres.log"),
			"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s", port, c.Dir)); err != nil {
			return "", fmt.Errorf("pgcluster: start failed (see %s): %w", filepath.Join(c.Dir, "postgres.log"), err)
		}
		c.started = true
		c.logf("started private PostgreSQL", "dir", c.Dir, "port", port)
	}
	if c.users == nil {
		if c.users, err = os.OpenFile(filepath.Join(c.Dir, "users"), os.O_CREATE|os.O_RDWR, 0o644); err != nil {
			return "", err
		}
		if err := syscall.Flock(int(c.users.Fd()), syscall.LOCK_SH); err != nil {
			return "", err
		}
	}
	pw, err := os.ReadFile(filepath.Join(c.Dir, "password"))
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	u := &url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, strings.TrimSpace(string(pw))),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	if err := c.ensureDatabase(ctx, u, database); err != nil {
		return "", err
	}
	return u.String(), nil
}

// Stop ends this process's use of the server and stops it when no other
// process uses it any more: each user holds a shared lock on Dir/users,
// and only a process that can then take the lock exclusively stops the
// server. So two `schalter serve` on one data directory do not pull
// PostgreSQL from under each other, and the last one out cleans up.
func (c *Cluster) Stop() error {
	if c.users == nil {
		return nil
	}
	f := c.users
	c.users = nil
	defer f.Close()
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		c.logf("private PostgreSQL still in use by another process; leaving it running", "dir", c.Dir)
		return nil
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !c.running(ctx) {
		return nil
	}
	err := c.pgctl(ctx, "stop", "-w", "-m", "fast")
	c.started = false
	c.logf("stopped private PostgreSQL", "dir", c.Dir)
	return err
}

// Started reports whether this process started the server.
func (c *Cluster) Started() bool { return c.started }

func (c *Cluster) initdb(ctx context.Context) error {
	c.logf("creating private PostgreSQL cluster (first start)", "dir", c.Dir, "bindir", c.BinDir)
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	pwFile := filepath.Join(c.Dir, "password")
	if err := os.WriteFile(pwFile, []byte(hex.EncodeToString(pw)+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.RemoveAll(c.dataDir()); err != nil {
		return err
	}
	if err := c.chownForServer(c.Dir); err != nil {
		return err
	}
	args := []string{"-D", c.dataDir(), "-U", superuser, "--pwfile", pwFile, "--auth", "scram-sha-256",
		"-E", "UTF8", "--locale", "C", "--no-sync"}
	if err := c.run(ctx, filepath.Join(c.BinDir, "initdb"), args...); err != nil {
		return fmt.Errorf("pgcluster: initdb: %w", err)
	}
	// Tuned for a developer machine and test runs: durability is not needed
	// for data that `make run` can recreate, speed is.
	conf := "\n# schalter private cluster\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\nshared_buffers = 128MB\n"
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(conf)
	return err
}

// port returns the cluster's TCP port, choosing a free one on first use.
func (c *Cluster) port() (int, error) {
	file := filepath.Join(c.Dir, "port")
	if b, err := os.ReadFile(file); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: finding a free port: %w", err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p, os.WriteFile(file, []byte(strconv.Itoa(p)+"\n"), 0o644)
}

func (c *Cluster) running(ctx context.Context) bool {
	return c.pgctl(ctx, "status") == nil
}

func (c *Cluster) pgctl(ctx context.Context, args ...string) error {
	return c.run(ctx, filepath.Join(c.BinDir, "pg_ctl"), append([]string{"-D", c.dataDir()}, args...)...)
}

// run runs a PostgreSQL program, as RunAs when this process is root.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) error {
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.RunAs, "--", prog}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, prog, args...)
	}
	cmd.Dir = c.Dir
	// pg_ctl start leaves the server running: put it in its own process
	// group so a Ctrl-C in the terminal reaches Schalter, which then stops
	// the server cleanly, instead of killing PostgreSQL mid-flight.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(prog), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// chownForServer hands the cluster directory to RunAs when running as root,
// and makes sure the server user can reach it through its parents.
func (c *Cluster) chownForServer(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup(c.RunAs)
	if err != nil {
		return fmt.Errorf("pgcluster: running as root needs the unprivileged user %q: %w", c.RunAs, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		return err
	}
	for p := filepath.Dir(dir); p != "/" && p != "."; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Cluster) flock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(c.Dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) ensureDatabase(ctx context.Context, u *url.URL, database string) error {
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{database}.Sanitize())
	return err
}

// StopRunning stops the server whoever started it (for `schalter pg stop`
// and the end of a test run).
func (c *Cluster) StopRunning(ctx context.Context) error {
	if c.BinDir == "" {
		dir, err := FindBinDir()
		if err != nil {
			return err
		}
		c.BinDir = dir
	}
	if c.RunAs == "" {
		c.RunAs = "postgres"
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return err
	}
	c.Dir = dir
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err != nil {
		return nil
	}
	if !c.running(ctx) {
		return nil
	}
	return c.pgctl(ctx, "stop", "-w", "-m", "fast")
}
