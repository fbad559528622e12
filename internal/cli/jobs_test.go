package cli

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
)

// TestJobsCommand: `schalter jobs list` shows a waiting mail by its
// purpose-free kind and state, without its arguments; cancel and retry
// act on it and say what became of it; bad input is refused.
func TestJobsCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	log := slog.New(slog.DiscardHandler)
	key := secretbox.NewKey()
	box, err := secretbox.New(key)
	require.NoError(t, err)
	args, err := (&mail.Outbox{Box: box}).Job("verify", mail.Message{To: "nora@example.ch", Subject: "Hallo", Text: "Link"})
	require.NoError(t, err)
	require.NoError(t, st.Enqueue(ctx, args, nil))

	run := func(a ...string) (string, error) {
		var out bytes.Buffer
		err := jobsCmd(ctx, st, log, a, &out)
		return out.String(), err
	}
	out, err := run("list")
	require.NoError(t, err)
	require.Contains(t, out, "ID")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	fields := strings.Fields(lines[1])
	id := fields[0]
	require.Equal(t, []string{"mail", "available", "0/12"}, fields[1:4])
	require.NotContains(t, out, "nora")

	out, err = run("cancel", id)
	require.NoError(t, err)
	require.Equal(t, "job "+id+" (mail): cancelled\n", out)
	out, err = run("list", "--state", "available")
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 1, "only the header: %s", out)
	out, err = run("retry", id)
	require.NoError(t, err)
	require.Equal(t, "job "+id+" (mail): available\n", out)

	for _, bad := range [][]string{{}, {"frobnicate"}, {"retry"}, {"retry", "abc"}, {"cancel", "424242"}, {"list", "--state", "stuck"}} {
		_, err := run(bad...)
		require.Error(t, err, "%v", bad)
	}

	// The working client wired as `schalter serve` runs it delivers
	// through the configured mailer; here none is configured, so the job
	// fails and waits for a retry instead of vanishing. The housekeeping
	// jobs run once at start.
	cfg := &config.Config{Env: "test", SecretKey: key}
	deps, err := Wire(cfg, st, log)
	require.NoError(t, err)
	q, err := StartJobs(ctx, cfg, st, deps, log, jobsOptionsForTest)
	require.NoError(t, err)
	defer q.Stop(ctx) //nolint:errcheck // the test is over
	require.Eventually(t, func() bool {
		js, err := q.List(ctx, 10)
		if err != nil {
			return false
		}
		done := map[string]bool{}
		for _, j := range js {
			switch {
			case j.Kind == "mail":
				done["mail"] = j.Attempt >= 1 && strings.Contains(j.LastError, "no SMTP server configured")
			case j.State == "completed":
				done[j.Kind] = true
			}
		}
		return done["mail"] && done["idempotency_expire"] && done["account_prune"] && done["favourites_boost"]
	}, 30*time.Second, 20*time.Millisecond)
}

var jobsOptionsForTest = jobs.Options{FetchPoll: 20 * time.Millisecond}
