package connector

// The status-polling backstop, for an office's system that has its cases
// (delivered to it, or read through the office API) but cannot call
// back. Every PollEvery the leader replica enqueues one poll per office
// whose connector has a status URL; the poll POSTs the numbers of the
// office's open cases that its system has, in batches, signed like a
// delivery, and applies each answer as the office API's status operation
// does (SetStatus): the same transitions, the same timeline entry by the
// office's system. An answer repeating the current status changes
// nothing; one the rules refuse is logged and skipped.
//
//	POST <status_url>
//	Schalter-Key-Id: …   Schalter-Signature: t=…,v1=…
//	{"office": "betreibungsamt", "cases": ["UST-2026-004711-3", …]}
//
//	200 {"cases": [{"number": "UST-2026-004711-3", "status": "done", "message": "…"}, …]}

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	// PollEvery is how often the offices' systems are asked.
	PollEvery = 5 * time.Minute
	// PollBatch is how many case numbers one request asks about.
	PollBatch = 100
	// MaxStatusAnswer is the largest answer read (a batch's answers are
	// far smaller).
	MaxStatusAnswer = 1 << 20
	// maxMessage is the office API's limit for a status message.
	maxMessage = 4000
)

// openStatuses are the statuses a case can still move from: the cases a
// poll asks about.
var openStatuses = func() []string {
	var open []string
	for _, from := range cases.Statuses {
		if slices.ContainsFunc(cases.Statuses, func(to string) bool { return cases.CanMove(from, to) }) {
			open = append(open, from)
		}
	}
	return open
}()

// StatusRequest is what an office's status URL receives.
type StatusRequest struct {
	Office string   `json:"office"`
	Cases  []string `json:"cases"`
}

// StatusAnswer is what it answers: a status for any of the cases asked
// about (those it does not know or has no news of may be left out).
type StatusAnswer struct {
	Cases []CaseStatus `json:"cases"`
}

// CaseStatus is the office's status of one case, with an optional
// message for the person, as in the office API's status operation.
type CaseStatus struct {
	Number  string `json:"number"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// PollOfficesArgs is the periodic job that enqueues the offices' polls.
type PollOfficesArgs struct{}

// Kind names the job in River.
func (PollOfficesArgs) Kind() string { return "connector_poll_offices" }

// PollArgs is the job that asks one office's system.
type PollArgs struct {
	Office string `json:"office"`
}

// Kind names the job in River.
func (PollArgs) Kind() string { return "connector_poll" }

// InsertOpts: one poll per office waiting or running at a time (the
// period's next one is skipped while one retries), and a few quick
// retries: the next period asks again anyway.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 4, Queue: river.QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// EnqueuePolls is the PollOfficesArgs job: one poll for each office with
// a status URL. It reports no count; the polls log what they change.
func (s *Service) EnqueuePolls(ctx context.Context) (int64, error) {
	offices, err := s.st.PolledOffices(ctx)
	if err != nil || len(offices) == 0 {
		return 0, err
	}
	return 0, s.st.InTx(ctx, func(q *store.Queries) error {
		for _, o := range offices {
			if err := q.Enqueue(ctx, PollArgs{Office: o}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// PollResult is what one poll did.
type PollResult struct {
	Asked   int      // cases asked about
	Applied []string // numbers of the cases moved
	Skipped []Skipped
}

// Skipped is an answer not applied.
type Skipped struct {
	Number, Status, Reason string
}

// errPollRefused marks a poll no retry helps (the office refused the
// request, or answered something that is not a status answer).
var errPollRefused = errors.New("connector: the status poll was refused")

// Poll asks office's system for the status of its open cases that it has
// and applies the answers. Network errors, 408, 429 and 5xx are returned
// for a retry (answers applied before stay applied; applying them again
// changes nothing); a refusal is an error wrapping errPollRefused.
func (s *Service) Poll(ctx context.Context, office string) (PollResult, error) {
	var res PollResult
	conn, err := s.st.OfficeConnector(ctx, office)
	if apperr.CodeOf(err) == apperr.NotFound || (err == nil && conn.StatusURL == "") {
		return res, nil // no longer polled
	}
	if err != nil {
		return res, err
	}
	secret, err := s.box.Open(conn.SecretSealed, sealContext)
	if err != nil {
		return res, fmt.Errorf("%w: opening the secret of %s: %v", errPollRefused, office, err)
	}
	batch := s.PollBatch
	if batch <= 0 {
		batch = PollBatch
	}
	after := ""
	for {
		page, err := s.st.HandedOverCases(ctx, office, openStatuses, after, batch)
		if err != nil || len(page) == 0 {
			return res, err
		}
		res.Asked += len(page)
		answers, err := s.ask(ctx, conn, secret, page)
		if err != nil {
			return res, err
		}
		if err := s.apply(ctx, office, page, answers, &res); err != nil {
			return res, err
		}
		if len(page) < batch {
			return res, nil
		}
		after = page[len(page)-1].Number
	}
}

func (s *Service) ask(ctx context.Context, conn store.Connector, secret []byte, page []store.CaseStatus) ([]CaseStatus, error) {
	numbers := make([]string, len(page))
	for i, c := range page {
		numbers[i] = c.Number
	}
	body, err := json.Marshal(StatusRequest{Office: conn.Office, Cases: numbers})
	if err != nil {
		return nil, err
	}
	resp, err := s.post(ctx, conn, conn.StatusURL, secret, body, http.Header{"Accept": {"application/json"}})
	if errors.Is(err, errNotCalled) {
		return nil, fmt.Errorf("%w: %v", errPollRefused, err)
	}
	if err != nil {
		return nil, fmt.Errorf("connector: asking %s for the status of its cases: %w", conn.Office, err)
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxStatusAnswer+1))
	switch {
	case isRedirect(resp):
		return nil, fmt.Errorf("%w: %s: %s", errPollRefused, conn.Office, redirectError(resp))
	case retryable(resp):
		return nil, fmt.Errorf("connector: %s answered %d to the status poll", conn.Office, resp.StatusCode)
	case resp.StatusCode >= 300:
		return nil, fmt.Errorf("%w: %s answered %d", errPollRefused, conn.Office, resp.StatusCode)
	case readErr != nil:
		return nil, fmt.Errorf("connector: reading %s's status answer: %w", conn.Office, readErr)
	case len(raw) > MaxStatusAnswer:
		return nil, fmt.Errorf("%w: %s's answer is over %d bytes", errPollRefused, conn.Office, MaxStatusAnswer)
	case len(bytes.TrimSpace(raw)) == 0:
		return nil, nil // 204, or 200 without news
	}
	var a StatusAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: %s's answer is not a status answer: %v", errPollRefused, conn.Office, err)
	}
	return a.Cases, nil
}

// apply applies the answers about page as the office's system: through
// SetStatus, like the office API's status operation.
func (s *Service) apply(ctx context.Context, office string, page []store.CaseStatus, answers []CaseStatus, res *PollResult) error {
	current := make(map[string]string, len(page))
	for _, c := range page {
		current[c.Number] = c.Status
	}
	for _, a := range answers {
		now, asked := current[a.Number]
		skip := func(reason string) {
			res.Skipped = append(res.Skipped, Skipped{Number: a.Number, Status: a.Status, Reason: reason})
		}
		switch {
		case !asked:
			// Another office's case, or one of this office not asked
			// about: a poll changes only what it asked about.
			skip("not asked about")
			continue
		case a.Status == now:
			continue // no news
		case !slices.Contains(cases.Statuses, a.Status):
			skip("not a status")
			continue
		case utf8.RuneCountInString(a.Message) > maxMessage:
			skip(fmt.Sprintf("message over %d characters", maxMessage))
			continue
		}
		_, err := s.SetStatus(ctx, office, a.Number, a.Status, a.Message)
		switch apperr.CodeOf(err) {
		case apperr.Conflict, apperr.NotFound, apperr.Invalid:
			skip(err.Error())
			continue
		}
		if err != nil {
			return err
		}
		current[a.Number] = a.Status
		res.Applied = append(res.Applied, a.Number)
	}
	return nil
}

// PollWorker asks an office's system for the status of its cases.
type PollWorker struct {
	river.WorkerDefaults[PollArgs]
	Service *Service
	Log     *slog.Logger
}

// Timeout bounds a poll: its batches, each request within the shared
// client's timeout.
func (w *PollWorker) Timeout(*river.Job[PollArgs]) time.Duration { return 5 * time.Minute }

// Work implements river.Worker. A poll that cannot succeed, or fails on
// its last try, is logged and completes: the next period asks again, so
// the dead letters stay for what a person must resend.
func (w *PollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	office := job.Args.Office
	res, err := w.Service.Poll(ctx, office)
	for _, sk := range res.Skipped {
		log.WarnContext(ctx, "connector: a status answer of the office's system was skipped", "office", office, "case", sk.Number, "status", sk.Status, "reason", sk.Reason)
	}
	if len(res.Applied) > 0 {
		log.InfoContext(ctx, "connector: statuses from the office's system applied", "office", office, "count", len(res.Applied), "asked", res.Asked)
	}
	switch {
	case errors.Is(err, errPollRefused):
		log.WarnContext(ctx, "connector: status poll refused; asking again next period", "office", office, "err", err)
		return nil
	case err != nil && job.Attempt >= job.MaxAttempts:
		log.ErrorContext(ctx, "connector: status poll failed; asking again next period", "office", office, "attempt", job.Attempt, "err", err)
		return nil
	}
	return err
}
