package reconcile_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/reconcile"
)

// TestWatchedFolder: the job imports the folder's complete *.xml files
// as the watched folder and moves them to done/, or to failed/ with the
// reason; files still being written, other names and hidden ones stay;
// the same file dropped again books nothing and is moved aside.
func TestWatchedFolder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bill := b.submit(t, 1)
	good := file(t, "MSG-W1", credit("W-1", bill.Reference, 2000))
	settled := time.Now().Add(-reconcile.Settle - time.Second)
	drop := func(name string, body []byte, at time.Time) {
		t.Helper()
		path := filepath.Join(b.dir, name)
		require.NoError(t, os.WriteFile(path, body, 0o600))
		require.NoError(t, os.Chtimes(path, at, at))
	}
	drop("zkb-0302.xml", good, settled)
	drop("broken.XML", good[:len(good)/3], settled)
	drop("fresh.xml", file(t, "MSG-W2", credit("W-2", unknownRef, 100)), time.Now())
	drop("zkb-0303.xml.part", file(t, "MSG-W3", credit("W-3", unknownRef, 100)), settled)
	drop(".zkb-0304.xml", file(t, "MSG-W4", credit("W-4", unknownRef, 100)), settled)
	drop("readme.txt", []byte("not for us"), settled)

	pgtest.Chore(t, b.st, reconcile.WatchArgs{}, b.svc.Watch)
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(b.dir, rel))
		return err == nil
	}
	for rel, want := range map[string]bool{
		"done/zkb-0302.xml": true, "zkb-0302.xml": false,
		"failed/broken.XML": true, "failed/broken.XML.error.txt": true, "broken.XML": false,
		"fresh.xml": true, "zkb-0303.xml.part": true, ".zkb-0304.xml": true, "readme.txt": true,
	} {
		require.Equal(t, want, exists(rel), rel)
	}
	reason, err := os.ReadFile(filepath.Join(b.dir, "failed/broken.XML.error.txt"))
	require.NoError(t, err)
	require.Regexp(t, `^broken\.XML: the file is not well-formed XML\n  line [0-9]+: `, string(reason))
	require.Equal(t, cases.Received, b.caseStatus(t, bill.Case), "paid from the folder")
	imports, err := b.svc.Imports(ctx, b.finance)
	require.NoError(t, err)
	require.Len(t, imports, 1)
	require.Equal(t, reconcile.FolderActor, imports[0].ImportedBy)
	require.Equal(t, "zkb-0302.xml", imports[0].Filename)

	// The same file again, and the fresh one once it has settled.
	books := b.books(t)
	drop("zkb-0302.xml", good, settled)
	require.NoError(t, os.Chtimes(filepath.Join(b.dir, "fresh.xml"), settled, settled))
	n, err := b.svc.Watch(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	require.True(t, exists("done/zkb-0302-2.xml"), "moved aside, not over the first")
	require.True(t, exists("done/fresh.xml"))
	after := b.books(t)
	require.Equal(t, books[2], after[2], "no payment twice")
	require.Equal(t, books[3]+1, after[3], "one import more: fresh.xml")

	// Without a folder the job does nothing.
	n, err = reconcile.New(b.pay, reconcile.Config{}).Watch(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	// A folder that is gone is an error for the job's log.
	_, err = reconcile.New(b.pay, reconcile.Config{Dir: filepath.Join(b.dir, "gone")}).Watch(ctx)
	require.ErrorContains(t, err, "watched folder")
}
