package mail_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
)

// refusingSMTP is an SMTP server that refuses every recipient with code:
// Mailpit accepts everything, and a permanent refusal (550) must be seen.
func refusingSMTP(t *testing.T, code string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				_, _ = c.Write([]byte("220 refusing.test ESMTP\r\n"))
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
					case "EHLO", "HELO", "MAIL":
						_, _ = c.Write([]byte("250 ok\r\n"))
					case "RCPT":
						_, _ = c.Write([]byte(code + " mailbox unavailable\r\n"))
					case "QUIT":
						_, _ = c.Write([]byte("221 bye\r\n"))
						return
					default:
						_, _ = c.Write([]byte("250 ok\r\n"))
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// TestMailWorker works mail jobs with River's rivertest against the real
// test cluster: delivered, retried when the server is away or says "try
// later", cancelled at once when it refuses for good or the message
// cannot be opened.
func TestMailWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	otherBox, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	sink := mailtest.Start(t)
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return l.Addr().String()
	}()
	pool := pgtest.DB(t, pgtest.Options{})
	msg := mail.Message{To: "anna@example.ch", Subject: "Bitte bestätigen", Text: "https://schalter.example/account/verify#geheim"}

	for _, tc := range []struct {
		name  string
		addr  string
		seal  *secretbox.Box
		event river.EventKind
		state rivertype.JobState
	}{
		{"delivered", sink.SMTPAddr, box, river.EventKindJobCompleted, rivertype.JobStateCompleted},
		{"server away: retried later", closed, box, river.EventKindJobFailed, rivertype.JobStateRetryable},
		{"try later (451): retried later", refusingSMTP(t, "451"), box, river.EventKindJobFailed, rivertype.JobStateRetryable},
		{"refused for good (550): cancelled", refusingSMTP(t, "550"), box, river.EventKindJobCancelled, rivertype.JobStateCancelled},
		{"sealed with another key: cancelled", sink.SMTPAddr, otherBox, river.EventKindJobCancelled, rivertype.JobStateCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &mail.Worker{Sender: &mail.SMTP{Addr: tc.addr, From: "Stadt Uster <noreply@uster.ch>"}, Box: box}
			tw := rivertest.NewWorker(t, riverpgxv5.New(pool), &river.Config{}, w)
			args, err := (&mail.Outbox{Box: tc.seal}).Job("verify", msg)
			require.NoError(t, err)
			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			defer tx.Rollback(ctx) //nolint:errcheck // rolled back after the checks
			res, err := tw.Work(ctx, t, tx, args, nil)
			// rivertest hands back the error of a failed attempt; a
			// cancelled job is an outcome, not an error.
			require.Equal(t, tc.state == rivertype.JobStateRetryable, err != nil, "%v", err)
			require.Equal(t, tc.event, res.EventKind)
			state := res.Job.State
			if tc.state == rivertype.JobStateRetryable && state == rivertype.JobStateAvailable {
				// River makes a retry due within seconds available at once,
				// scheduled for later.
				require.True(t, res.Job.ScheduledAt.After(res.Job.CreatedAt), "the retry waits its backoff")
				state = rivertype.JobStateRetryable
			}
			require.Equal(t, tc.state, state)
			require.Equal(t, mail.MaxAttempts, res.Job.MaxAttempts)
			if tc.event != river.EventKindJobCompleted {
				require.Len(t, res.Job.Errors, 1, "the failure is recorded on the job")
				require.NotContains(t, res.Job.Errors[0].Error, "geheim", "the error does not quote the message")
			}
		})
	}
	got := sink.Messages(t)
	require.Len(t, got, 1, "only the delivered case reached the server")
	require.Equal(t, "anna@example.ch", got[0].To)
	require.Contains(t, got[0].Text, "verify#geheim")
}

// TestMailJobSealed: what the job table holds says what the mail is for,
// and nothing of whom it goes to or the link it carries.
func TestMailJobSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	pool := pgtest.DB(t, pgtest.Options{})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(t, err)
	args, err := (&mail.Outbox{Box: box}).Job("reset", mail.Message{To: "bruno@example.ch", Subject: "Neues Passwort", Text: "https://schalter.example/account/reset#token-123"})
	require.NoError(t, err)
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := client.InsertTx(ctx, tx, args, nil)
		return err
	})
	require.NoError(t, err)
	var raw string
	require.NoError(t, pool.QueryRow(ctx, "SELECT args::text FROM river_job WHERE kind = 'mail'").Scan(&raw))
	require.Contains(t, raw, `"purpose": "reset"`)
	for _, secret := range []string{"bruno", "example.ch", "token-123", "Passwort"} {
		require.NotContains(t, raw, secret)
	}
	_, err = (&mail.Outbox{}).Job("reset", mail.Message{To: "x@example.ch"})
	require.Error(t, err, "no outbox without the secret box")
}
