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
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/store"
)

// Environment of TestSubmitChild: the database, the account and the draft.
const (
	killDB      = "SCHALTER_CASES_KILL_DB"
	killAccount = "SCHALTER_CASES_KILL_ACCOUNT"
	killDraft   = "SCHALTER_CASES_KILL_DRAFT"
)

// TestKilledMidSubmit: the server is killed (SIGKILL: no shutdown) in the
// middle of a submission, after the case row is written and before the
// transaction commits. Afterwards there is no case and the draft is
// still there, so the retry submits it once.
func TestKilledMidSubmit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tamara := b.account(t, "tamara@killed.example")
	draft := b.draft(t, tamara, dog, dogData)

	child := exec.Command(os.Args[0], "-test.run=^TestSubmitChild$", "-test.v")
	child.Env = append(os.Environ(), killDB+"="+b.st.Pool().Config().ConnString(), killAccount+"="+tamara.String(), killDraft+"="+draft.String())
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
	select {
	case <-inside:
	case <-time.After(60 * time.Second):
		_ = child.Process.Kill()
		t.Fatal("the child never reached the submission's transaction")
	}
	require.NoError(t, child.Process.Kill())
	_ = child.Wait()

	// PostgreSQL rolls the dead connection's transaction back.
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, b.st.Pool().QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND datname = current_database()").Scan(&n))
		return n == 0
	}, 30*time.Second, 50*time.Millisecond)
	mine, err := b.svc.Mine(ctx, tamara)
	require.NoError(t, err)
	require.Empty(t, mine, "no half case")
	_, err = b.drafts.Get(ctx, drafts.Account(tamara), draft)
	require.NoError(t, err, "the draft is still there")

	c, err := b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@killed.example", Level: account.LevelAccount, Draft: draft, Language: "de"})
	require.NoError(t, err, "the retry submits it")
	mine, err = b.svc.Mine(ctx, tamara)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, c.Number, mine[0].Number)
}

// TestSubmitChild is the server TestKilledMidSubmit kills: it submits and
// hangs inside the transaction. Run alone, it does nothing.
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
	svc.OnSubmit = func(context.Context, *store.Queries, cases.Record) error {
		os.Stdout.WriteString("inside the transaction\n")
		select {} // until killed
	}
	_, err = svc.Submit(ctx, cases.Submission{Account: uuid.MustParse(os.Getenv(killAccount)), Email: "tamara@killed.example", Level: account.LevelAccount,
		Draft: uuid.MustParse(os.Getenv(killDraft)), Language: "de"})
	t.Fatalf("the submission returned: %v", err)
}
