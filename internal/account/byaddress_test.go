package account_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestByAddressJob: a request about an address is worked as the queue
// works it: a known or unknown address gets its mail job; a job that can
// never be worked (sealed with a replaced key, an unknown purpose) is
// cancelled at once instead of retried.
func TestByAddressJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	newBox := func() *secretbox.Box {
		b, err := secretbox.New(secretbox.NewKey())
		require.NoError(t, err)
		return b
	}
	box, other := newBox(), newBox()
	svc := &account.Service{Store: st, City: "Uster", Secrets: box, Outbox: &mail.Outbox{Box: box}}
	_, err := svc.CreateUser(ctx, "bekannt@job.example", "grüne Velos fahren leise")
	require.NoError(t, err)
	seal := func(b *secretbox.Box, addr string) []byte { return b.Seal([]byte(addr), []byte("account-by-address")) }
	for _, tc := range []struct {
		name  string
		args  account.ByAddressArgs
		event river.EventKind
		mails int // mail jobs it enqueues
	}{
		{"reset, known address", account.ByAddressArgs{Purpose: "reset", Sealed: seal(box, "bekannt@job.example")}, river.EventKindJobCompleted, 1},
		{"reset, unknown address", account.ByAddressArgs{Purpose: "reset", Sealed: seal(box, "fremd@job.example")}, river.EventKindJobCompleted, 1},
		{"throttled, known address", account.ByAddressArgs{Purpose: "login_throttled", Sealed: seal(box, "bekannt@job.example")}, river.EventKindJobCompleted, 1},
		{"throttled, unknown address: nobody is mailed", account.ByAddressArgs{Purpose: "login_throttled", Sealed: seal(box, "fremd@job.example")}, river.EventKindJobCompleted, 0},
		{"sealed with another key", account.ByAddressArgs{Purpose: "reset", Sealed: seal(other, "bekannt@job.example")}, river.EventKindJobCancelled, 0},
		{"unknown purpose", account.ByAddressArgs{Purpose: "frobnicate", Sealed: seal(box, "bekannt@job.example")}, river.EventKindJobCancelled, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := mailJobs(t, st)
			res, err := pgtest.Work(t, st, &account.ByAddressWorker{Service: svc}, tc.args)
			require.NoError(t, err)
			require.Equal(t, tc.event, res.EventKind)
			if tc.event == river.EventKindJobCancelled {
				require.Equal(t, rivertype.JobStateCancelled, res.Job.State)
			}
			require.Equal(t, tc.mails, mailJobs(t, st)-before)
		})
	}
}

// mailJobs counts the mail jobs on the queue.
func mailJobs(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	require.NoError(t, st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'mail'").Scan(&n))
	return n
}
