package cases_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/store"
)

// Environment of TestSubmitChild: the database, the account, the draft,
// and where it stops (killHook: in the submission hook).
const (
	killDB      = "SCHALTER_CASES_KILL_DB"
	killAccount = "SCHALTER_CASES_KILL_ACCOUNT"
	killDraft   = "SCHALTER_CASES_KILL_DRAFT"
	killInHook  = "SCHALTER_CASES_KILL_IN_HOOK"
)

// TestKilledMidSubmit: the server is killed (SIGKILL: no shutdown) in the
// middle of a submission, before the transaction commits: once in the
// submission hook (the draft deleted, the delivery enqueued), once after
// the case was numbered, while its row is written. Afterwards there is no
// case, the draft is still there and the year's counter gave its number
// back, so the retry submits the draft once, as number 1.
func TestKilledMidSubmit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// inHook: the child stops in OnSubmit; otherwise it is held at
		// its case's row by a lock the test takes on the office's row
		// (the case's foreign key waits for it).
		inHook bool
	}{
		{"in the submission hook", true},
		{"numbered, writing the case", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ctx := context.Background()
			tamara := b.account(t, "tamara@killed.example")
			draft := b.draft(t, tamara, dog, dogData)

			var office pgx.Tx
			if !tc.inHook {
				var err error
				office, err = b.st.Pool().Begin(ctx)
				require.NoError(t, err)
				defer office.Rollback(ctx) //nolint:errcheck
				_, err = office.Exec(ctx, "SELECT slug FROM office WHERE slug = 'sicherheit' FOR UPDATE")
				require.NoError(t, err)
			}
			child := exec.Command(os.Args[0], "-test.run=^TestSubmitChild$", "-test.v")
			child.Env = append(os.Environ(), killDB+"="+b.st.Pool().Config().ConnString(), killAccount+"="+tamara.String(), killDraft+"="+draft.String())
			if tc.inHook {
				child.Env = append(child.Env, killInHook+"=1")
			}
			out, err := child.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, child.Start())
			inside := make(chan struct{})
			go func() {
				lines := bufio.NewScanner(out)
				for lines.Scan() {
					if strings.TrimSpace(lines.Text()) == "inside the transaction" {
						close(inside)
						break
					}
				}
				for lines.Scan() {
				}
			}()
			if !tc.inHook {
				// The child's case insert waits for the office's row.
				go func() {
					for {
						var n int
						err := b.st.Pool().QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%CaseInsert%'").Scan(&n)
						if err != nil {
							t.Errorf("watching the child: %v", err)
						}
						if err != nil || n > 0 {
							close(inside)
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
				}()
			}
			select {
			case <-inside:
			case <-time.After(60 * time.Second):
				_ = child.Process.Kill()
				t.Fatal("the child never reached the submission's transaction")
			}
			require.NoError(t, child.Process.Kill())
			_ = child.Wait()
			if office != nil {
				require.NoError(t, office.Rollback(ctx))
			}

			// PostgreSQL rolls the dead connection's transaction back.
			require.Eventually(t, func() bool {
				var n int
				require.NoError(t, b.st.Pool().QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL").Scan(&n))
				return n == 0
			}, 30*time.Second, 50*time.Millisecond)
			mine, err := b.svc.Mine(ctx, tamara)
			require.NoError(t, err)
			require.Empty(t, mine, "no half case")
			_, err = b.drafts.Get(ctx, drafts.Account(tamara), draft)
			require.NoError(t, err, "the draft is still there")

			c, err := b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@killed.example", Level: account.LevelAccount, Draft: draft, Language: "de"})
			require.NoError(t, err, "the retry submits it")
			zurich, err := time.LoadLocation("Europe/Zurich")
			require.NoError(t, err)
			require.Equal(t, cases.Number("UST", time.Now().In(zurich).Year(), 1), c.Number, "the killed submission's number was given back")
			mine, err = b.svc.Mine(ctx, tamara)
			require.NoError(t, err)
			require.Len(t, mine, 1)
			require.Equal(t, c.Number, mine[0].Number)
		})
	}
}

// TestSubmitChild is the server TestKilledMidSubmit kills: it submits and
// hangs inside the transaction (in the hook, or where the test holds it).
// Run alone, it does nothing.
func TestSubmitChild(t *testing.T) {
	url := os.Getenv(killDB)
	if url == "" {
		t.Skip("the child process of TestKilledMidSubmit")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	svc := cases.New(st, f, "UST")
	if os.Getenv(killInHook) != "" {
		svc.OnSubmit = func(context.Context, *store.Queries, ...cases.Record) error {
			os.Stdout.WriteString("inside the transaction\n")
			select {} // until killed
		}
	}
	_, err = svc.Submit(ctx, cases.Submission{Account: uuid.MustParse(os.Getenv(killAccount)), Email: "tamara@killed.example", Level: account.LevelAccount,
		Draft: uuid.MustParse(os.Getenv(killDraft)), Language: "de"})
	t.Fatalf("the submission returned: %v", err)
}
