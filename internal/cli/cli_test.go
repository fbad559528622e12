package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestGracefulShutdown stops the server while a request is still being
// received: the request is answered, then serve returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{Seed: true})
	token := editorToken(t, store.New(pool))
	cfg := &config.Config{Env: "test", Addr: freeAddr(t), DatabaseURL: pool.Config().ConnString(),
		ShutdownTimeout: 10 * time.Second, DataDir: t.TempDir(), City: config.City{PrimaryColor: "#00508c"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- withStore(ctx, cfg, slog.New(slog.DiscardHandler), func(st *store.Store) error {
			return serve(ctx, cfg, st, slog.New(slog.DiscardHandler))
		})
	}()

	base := "http://" + cfg.Addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/admin/import", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	type result struct {
		status int
		body   string
		err    error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		resc <- result{status: res.StatusCode, body: string(b)}
	}()
	_, err := pw.Write([]byte(`{"services": `))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	cancel() // as SIGTERM would
	time.Sleep(200 * time.Millisecond)
	_, err = io.Copy(pw, bytes.NewReader([]byte(`[]}`)))
	require.NoError(t, err)
	pw.Close()

	r := <-resc
	require.NoError(t, r.err)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, r.body)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	_, err = http.Get(base + "/healthz")
	require.Error(t, err, "no longer listening")
}

// TestMetricsListener: Prometheus metrics are served on their own listener
// (SCHALTER_METRICS_ADDR) and nowhere on the public port, and the listener
// stops with the server.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{Seed: true})
	cfg := &config.Config{Env: "test", Addr: freeAddr(t), MetricsAddr: freeAddr(t), DatabaseURL: pool.Config().ConnString(),
		ShutdownTimeout: 10 * time.Second, DataDir: t.TempDir(), City: config.City{PrimaryColor: "#00508c"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- withStore(ctx, cfg, slog.New(slog.DiscardHandler), func(st *store.Store) error {
			return serve(ctx, cfg, st, slog.New(slog.DiscardHandler))
		})
	}()
	get := func(url string) (int, http.Header, string) {
		res, err := http.Get(url)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, res.Header, string(b)
	}
	base, metrics := "http://"+cfg.Addr, "http://"+cfg.MetricsAddr+"/metrics"
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	status, _, body := get(metrics)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `schalter_http_requests_total{code="200",method="GET",operation="getReadiness"}`)
	status, header, body := get(base + "/metrics")
	require.Equal(t, http.StatusNotFound, status, body)
	require.Equal(t, "application/problem+json", header.Get("Content-Type"))
	require.NotContains(t, body, "schalter_http")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	_, err := http.Get(metrics)
	require.Error(t, err, "the metrics listener stopped with the server")
}

func TestAdminCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	cfg := &config.Config{City: config.City{ShortName: "Uster"}}
	var out bytes.Buffer
	require.NoError(t, adminCmd(ctx, cfg, st, []string{"create-user", "--email", "chefin@uster.ch", "--role", "admin"}, strings.NewReader(""), &out))
	require.Contains(t, out.String(), "created chefin@uster.ch")
	require.Regexp(t, `password: [A-Za-z0-9]{24}\n`, out.String())

	out.Reset()
	require.NoError(t, adminCmd(ctx, cfg, st, []string{"create-user", "--email", "beat@uster.ch", "--role", "staff", "--office", "einwohnerdienste", "--password-stdin"},
		strings.NewReader("grüne Velos fahren leise\n"), &out))
	require.NotContains(t, out.String(), "password:")

	require.Error(t, adminCmd(ctx, cfg, st, []string{"create-user", "--email", "x@uster.ch", "--role", "admin", "--password-stdin"}, strings.NewReader("kurz\n"), &out))
	require.Error(t, adminCmd(ctx, cfg, st, []string{"create-user", "--role", "admin"}, strings.NewReader(""), &out))
	require.Error(t, adminCmd(ctx, cfg, st, []string{"delete-everything"}, strings.NewReader(""), &out))
}

func TestGrantAppRoleAndVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.DB(t, pgtest.Options{})
	st := store.New(pool)
	cfg := &config.Config{}
	var out bytes.Buffer
	require.NoError(t, verifyLog(ctx, st, &out))
	require.Contains(t, out.String(), "intact: 0 entries")

	role := fmt.Sprintf("app_cli_%d", time.Now().UnixNano())
	_, err := pool.Exec(ctx, "CREATE ROLE "+role)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = pool.Exec(context.Background(), "DROP ROLE "+role)
	})
	out.Reset()
	require.NoError(t, adminCmd(ctx, cfg, st, []string{"grant-app-role", "--role", role}, strings.NewReader(""), &out))
	require.Contains(t, out.String(), "granted "+role)
	var canUpdate, canInsert bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT has_table_privilege($1, 'transparency_log', 'UPDATE'), has_table_privilege($1, 'transparency_log', 'INSERT')", role).Scan(&canUpdate, &canInsert))
	require.False(t, canUpdate)
	require.True(t, canInsert)
	require.Error(t, adminCmd(ctx, cfg, st, []string{"grant-app-role"}, strings.NewReader(""), &out))
	require.Error(t, adminCmd(ctx, cfg, st, []string{"grant-app-role", "--role", "gibt_es_nicht"}, strings.NewReader(""), &out))

	_, err = st.AppendAccess(ctx, store.AccessEntryNew{Subject: uuid.New(), ActorKind: "system", Actor: "test", Action: "read", Data: []string{"E-Mail"}, Purpose: "Test", LegalBasis: "Test"})
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica; UPDATE transparency_log SET actor = 'x'")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	require.ErrorContains(t, verifyLog(ctx, st, &out), "broken at entry 1 (content changed)")
}

// TestProductionRefusesDevIdP: the development identity provider lets
// anybody log in as anybody, so a production server never starts with it,
// whether the configuration comes from the environment or not.
func TestProductionRefusesDevIdP(t *testing.T) {
	for _, v := range config.Vars {
		t.Setenv(v.Name, "")
	}
	t.Setenv("SCHALTER_ENV", "production")
	t.Setenv("DATABASE_URL", "postgres://db.invalid/schalter")
	t.Setenv("SCHALTER_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	t.Setenv("SCHALTER_EID_DEV", "true")
	require.Equal(t, 2, Run([]string{"serve"}), "refused before connecting to anything")

	cfg := &config.Config{Env: "production", EID: config.EID{Dev: true, Issuer: "http://localhost:8080/dev-idp", ClientID: config.DevIdPClientID}}
	err := serve(context.Background(), cfg, nil, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "not allowed in production")
}

// editorToken creates an editor with a personal API token, as the catalogue
// admin API wants.
func editorToken(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	acc, err := st.CreateAccount(ctx, "redaktion@uster.ch", "redaktion@uster.ch", "", &now, store.Role{Role: account.RoleEditor})
	require.NoError(t, err)
	random, _ := account.NewToken()
	token := account.APITokenPrefix + random
	_, err = st.CreateAPIToken(ctx, acc.ID, "test", account.HashToken(token), now.Add(time.Hour))
	require.NoError(t, err)
	return token
}

// TestDevAPIToken: make run's development editor token is created once,
// works, and is reused at the next start.
func TestDevAPIToken(t *testing.T) {
	t.Parallel()
	st := pgtest.Store(t, pgtest.Options{})
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, devAPIToken(ctx, st, dir))
	first, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(first), account.APITokenPrefix))
	svc := &account.Service{Store: st}
	id, err := svc.APITokenAccount(ctx, string(first))
	require.NoError(t, err)
	editor, err := svc.IsEditor(ctx, id)
	require.NoError(t, err)
	require.True(t, editor)
	require.NoError(t, devAPIToken(ctx, st, dir))
	again, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	require.NoError(t, err)
	require.Equal(t, first, again, "reused while it works")
	info, err := os.Stat(filepath.Join(dir, "admin-token"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
