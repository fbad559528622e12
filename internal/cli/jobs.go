package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/attachments"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/idempotency"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/store"
)

// Workers registers a worker for every kind of job Schalter enqueues. A
// job of a kind missing here fails on every replica with "job kind is not
// registered" and ends among the dead letters, so a new kind is added here
// in the same change that first enqueues it.
func Workers(cfg *config.Config, d api.Deps, log *slog.Logger) *river.Workers {
	w := river.NewWorkers()
	var sender mail.Sender
	if cfg.SMTPAddr != "" {
		sender = &mail.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUser, Password: cfg.SMTPPassword}
	}
	river.AddWorker(w, &mail.Worker{Sender: sender, Box: d.Accounts.Secrets})
	river.AddWorker(w, &jobs.Chore[idempotency.ExpireArgs]{Run: d.Idempotency.Expire, Done: "expired idempotency keys", Log: log})
	river.AddWorker(w, &jobs.Chore[account.PruneArgs]{Run: d.Accounts.Prune, Done: "pruned ended sessions' devices and old credential attempts", Log: log})
	river.AddWorker(w, &jobs.Chore[favourites.BoostArgs]{Run: d.Favourites.RefreshBoost, Done: "popularity updated from favourites", Log: log})
	river.AddWorker(w, &jobs.Chore[drafts.PruneArgs]{Run: d.Drafts.Prune, Done: "deleted expired order drafts and their links", Log: log})
	river.AddWorker(w, &jobs.Chore[attachments.PruneArgs]{Run: d.Attachments.Prune, Done: "deleted attachments no submission took", Log: log})
	river.AddWorker(w, &account.ByAddressWorker{Service: d.Accounts})
	river.AddWorker(w, &connector.Worker{Service: d.Connectors})
	river.AddWorker(w, &jobs.Chore[connector.PollOfficesArgs]{Run: d.Connectors.EnqueuePolls, Log: log})
	river.AddWorker(w, &connector.PollWorker{Service: d.Connectors, Log: log})
	river.AddWorker(w, &payments.ReceiptWorker{Service: d.Payments})
	river.AddWorker(w, &payments.RefundWorker{Service: d.Payments})
	river.AddWorker(w, &payments.InvoiceWorker{Service: d.Payments})
	river.AddWorker(w, &jobs.Chore[payments.ConfirmArgs]{Run: d.Payments.Confirm, Done: "payments confirmed by asking their provider (webhook lost)", Log: log})
	river.AddWorker(w, &jobs.Chore[reconcile.WatchArgs]{Run: d.Reconcile.Watch, Done: "bank notification files taken from the watched folder", Log: log})
	river.AddWorker(w, &devpay.Worker{Provider: d.DevPayProvider})
	return w
}

// Periodic is the housekeeping the leader replica enqueues by itself.
func Periodic() []jobs.Periodic {
	return []jobs.Periodic{
		{Interval: idempotency.ExpireEvery, Args: idempotency.ExpireArgs{}},
		{Interval: account.PruneEvery, Args: account.PruneArgs{}},
		{Interval: favourites.BoostEvery, Args: favourites.BoostArgs{}},
		{Interval: drafts.PruneEvery, Args: drafts.PruneArgs{}},
		{Interval: drafts.PruneEvery, Args: attachments.PruneArgs{}},
		{Interval: connector.PollEvery, Args: connector.PollOfficesArgs{}},
		{Interval: payments.ConfirmEvery, Args: payments.ConfirmArgs{}},
		{Interval: reconcile.WatchEvery, Args: reconcile.WatchArgs{}},
	}
}

// StartJobs starts the job queue's working client on st for the services
// d (from Wire); stop it with its Stop after the HTTP server has finished
// its requests, so the jobs they enqueued are still picked up by this
// replica or another.
func StartJobs(ctx context.Context, cfg *config.Config, st *store.Store, d api.Deps, log *slog.Logger, o jobs.Options) (*jobs.Queue, error) {
	if d.Accounts.Secrets == nil {
		// Mail jobs are sealed with the secret box; without it no worker
		// could open them.
		return nil, errors.New("job queue: SCHALTER_SECRET_KEY is not set")
	}
	o.Periodic = append(o.Periodic, Periodic()...)
	q, err := jobs.New(st, Workers(cfg, d, log), log, o)
	if err != nil {
		return nil, err
	}
	if err := q.Start(ctx); err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return q, nil
}

const jobsUsage = `usage: schalter jobs list [--state STATE]... [--limit N]
       schalter jobs retry ID [ID ...]
       schalter jobs cancel ID [ID ...]`

// jobsCmd is `schalter jobs`: what operators need without River UI.
func jobsCmd(ctx context.Context, st *store.Store, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(jobsUsage)
	}
	q, err := jobs.New(st, nil, log, jobs.Options{})
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		return listJobs(ctx, q, args[1:], stdout)
	case "retry", "cancel":
		if len(args) < 2 {
			return errors.New(jobsUsage)
		}
		for _, a := range args[1:] {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a job id", a)
			}
			var j jobs.Job
			if args[0] == "retry" {
				j, err = q.Retry(ctx, id)
			} else {
				j, err = q.Cancel(ctx, id)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "job %d (%s): %s\n", j.ID, j.Kind, j.State)
		}
		return nil
	}
	return errors.New(jobsUsage)
}

type stateFlags []string

func (s *stateFlags) String() string     { return strings.Join(*s, ",") }
func (s *stateFlags) Set(v string) error { *s = append(*s, v); return nil }

func listJobs(ctx context.Context, q *jobs.Queue, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jobs list", flag.ContinueOnError)
	var states stateFlags
	fs.Var(&states, "state", "only jobs in this state (repeatable): "+strings.Join(jobs.States, ", "))
	limit := fs.Int("limit", 50, "at most this many jobs, newest first")
	fs.SetOutput(stdout)
	if err := fs.Parse(args); err != nil {
		return err
	}
	js, err := q.List(ctx, *limit, states...)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tCREATED\tNEXT RUN\tLAST ERROR")
	for _, j := range js {
		next := ""
		if j.State == "scheduled" || j.State == "retryable" || j.State == "available" {
			next = j.ScheduledAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts,
			j.CreatedAt.Local().Format(time.DateTime), next, oneLine(j.LastError, 80))
	}
	return tw.Flush()
}

// oneLine shortens an error to one line of at most n runes for the table.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
