package pgcluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestVersionOrder(t *testing.T) {
	t.Parallel()
	require.Equal(t, 15, versionOf("/usr/lib/postgresql/15/bin"))
	require.Equal(t, 17, versionOf("/usr/pgsql-17/bin"))
	require.Equal(t, 16, versionOf("/opt/homebrew/opt/postgresql@16/bin"))
	require.Greater(t, versionOf("/usr/lib/postgresql/17/bin"), versionOf("/usr/lib/postgresql/9/bin"))
}

func TestFindBinDir(t *testing.T) {
	dir, err := FindBinDir()
	require.NoError(t, err)
	require.NoError(t, checkBinDir(dir))
	t.Setenv("SCHALTER_PG_BINDIR", t.TempDir())
	_, err = FindBinDir()
	require.Error(t, err, "an explicit directory without binaries is an error, not a silent fallback")
}

// TestLifecycle creates a cluster, reuses it, and stops it.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pg")
	c := &Cluster{Dir: dir}
	url, err := c.Start(ctx, "schalter")
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.StopRunning(context.Background()) })
	require.True(t, c.Started())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	var one int
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
	conn.Close(ctx)

	// A second process finds it running and reuses it without owning it.
	again := &Cluster{Dir: dir}
	url2, err := again.Start(ctx, "schalter")
	require.NoError(t, err)
	require.Equal(t, url, url2)
	require.False(t, again.Started())
	require.NoError(t, again.Stop())
	conn, err = pgx.Connect(ctx, url)
	require.NoError(t, err, "still running: the first user has not stopped")
	conn.Close(ctx)

	require.NoError(t, c.Stop())
	_, err = pgx.Connect(ctx, url)
	require.Error(t, err)
	_, err = os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
	require.NoError(t, err, "data survives a stop")

	// Restart reuses data and port.
	url3, err := (&Cluster{Dir: dir}).Start(ctx, "schalter")
	require.NoError(t, err)
	require.Equal(t, url, url3)
}
