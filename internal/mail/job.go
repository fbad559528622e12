package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/secretbox"
)

// MaxAttempts is how often a mail is tried before it lands in the dead
// letters (River's "discarded"). With River's backoff (attempt⁴ seconds)
// the twelfth try is about eleven hours after the first: a mail server
// that is down over night still gets the morning's verification links out
// while they are valid (24 hours).
const MaxAttempts = 12

// sealContext binds a sealed message to the mail queue, so it cannot be
// replayed into another sealed column.
var sealContext = []byte("mail-job")

// JobArgs is a mail waiting on the durable job queue. The message itself
// (the recipient, and links with one-time tokens) is sealed: the job table
// is read by operators in `schalter jobs list` and River UI, and a
// verification or reset link read there would open someone's account.
// Purpose is the only thing in the clear, so an operator can tell what a
// stuck job is without reading it.
type JobArgs struct {
	Purpose string `json:"purpose"`
	Sealed  []byte `json:"sealed"`
}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return "mail" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (JobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MaxAttempts}
}

// Outbox turns messages into jobs. Domain services enqueue the job in the
// transaction of the change that causes the mail (store.Queries.Enqueue),
// so a mail goes out if and only if the change committed.
type Outbox struct {
	Box *secretbox.Box
}

// Job seals m into the arguments of a mail job.
func (o *Outbox) Job(purpose string, m Message) (JobArgs, error) {
	if o == nil || o.Box == nil {
		return JobArgs{}, errors.New("mail: the outbox needs the secret box (SCHALTER_SECRET_KEY)")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return JobArgs{}, err
	}
	return JobArgs{Purpose: purpose, Sealed: o.Box.Seal(b, sealContext)}, nil
}

// Open is the message sealed in a job's arguments (for the worker, and
// for tests that follow a link they mailed).
func (o *Outbox) Open(args JobArgs) (Message, error) {
	var m Message
	plain, err := o.Box.Open(args.Sealed, sealContext)
	if err != nil {
		return m, fmt.Errorf("mail: opening the message: %w", err)
	}
	if err := json.Unmarshal(plain, &m); err != nil {
		return m, fmt.Errorf("mail: decoding the message: %w", err)
	}
	return m, nil
}

// Worker delivers mail jobs through a Sender. A failure River retries with
// backoff; a failure no retry can fix (the server refused the recipient
// for good, the message cannot be opened) cancels the job at once, so it
// shows up among the dead letters instead of being tried for eleven hours.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	Sender Sender
	Box    *secretbox.Box
}

// Timeout bounds one delivery; SMTP itself times out after 10 s per step.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return time.Minute }

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	m, err := (&Outbox{Box: w.Box}).Open(job.Args)
	if err != nil {
		// Sealed with another key (rotated, or a copied database).
		return river.JobCancel(err)
	}
	if w.Sender == nil {
		return ErrNotConfigured // retried: the mailer may be configured by then
	}
	if err := w.Sender.Send(ctx, m); err != nil {
		if permanent(err) {
			return river.JobCancel(err)
		}
		return err
	}
	return nil
}

// permanent reports whether an SMTP failure is final: a 5xx reply (RFC
// 5321 §4.2.1, e.g. 550 mailbox unavailable) or a message Schalter itself
// refuses to send. 4xx replies and network errors are worth retrying.
func permanent(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	return errors.Is(err, errRefused)
}
