package jobs_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// killChildDB names the database of TestKilledReplicaLosesNoJob's child.
const killChildDB = "SCHALTER_JOBS_KILL_CHILD_DB"

// TestKilledReplicaLosesNoJob: a replica is killed (SIGKILL: no shutdown,
// no cleanup) while it works a job that was committed before; a fresh
// replica rescues the job and completes it. The replica is a process of
// its own (this test binary, running TestKillChild), so the kill is real.
func TestKilledReplicaLosesNoJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	require.NoError(t, st.Enqueue(ctx, stuckArgs{}, nil))

	child := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	child.Env = append(os.Environ(), killChildDB+"="+st.Pool().Config().ConnString())
	out, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	working := make(chan struct{})
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if strings.TrimSpace(lines.Text()) == "working" {
				close(working)
				break
			}
		}
		for lines.Scan() { // drain until the child is gone
		}
	}()
	select {
	case <-working:
	case <-time.After(60 * time.Second):
		_ = child.Process.Kill()
		t.Fatal("the child replica never started the job")
	}
	require.NoError(t, child.Process.Kill())
	_ = child.Wait()

	// The job is still marked running by the dead replica; once it is
	// older than RescueAfter, a fresh replica's rescuer gives it back.
	time.Sleep(1500 * time.Millisecond)
	var runs atomic.Int32
	w := river.NewWorkers()
	river.AddWorker(w, &countingWorker{runs: &runs})
	q := start(t, st, w, jobs.Options{RescueAfter: time.Second, JobTimeout: 500 * time.Millisecond})
	id := onlyJob(t, q).ID
	done := waitFor(t, q, id, "completed")
	require.Equal(t, int32(1), runs.Load(), "worked once by the fresh replica")
	require.Equal(t, 2, done.Attempt, "the killed attempt counted, the second completed")
}

// TestKillChild is the replica TestKilledReplicaLosesNoJob kills: it works
// the job by announcing it and then hanging. Run alone, it does nothing.
func TestKillChild(t *testing.T) {
	url := os.Getenv(killChildDB)
	if url == "" {
		t.Skip("the child process of TestKilledReplicaLosesNoJob")
	}
	st, err := store.Open(context.Background(), url)
	require.NoError(t, err)
	w := river.NewWorkers()
	river.AddWorker(w, &hangingWorker{})
	start(t, st, w, jobs.Options{})
	select {} // until killed
}

type hangingWorker struct {
	river.WorkerDefaults[stuckArgs]
}

func (*hangingWorker) Work(context.Context, *river.Job[stuckArgs]) error {
	os.Stdout.WriteString("working\n")
	select {}
}
