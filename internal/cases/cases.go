// Package cases holds the use cases of submitted orders: submitting a
// draft (checked completely against the form version it was filled on,
// at the service's assurance level), the case number, the immutable copy
// of what was submitted, the status timeline, the person's withdrawal,
// and what the office's staff see and do with the cases of their office.
//
// Rules that protect the person: a case is visible to the account that
// submitted it and to staff of the office that handles it, to nobody
// else (everything else is NotFound, so a case number reveals nothing);
// every time staff open a case's data, the person's transparency log
// gets an entry in the same transaction as the read; what was submitted
// never changes (a database trigger refuses it), only the status moves,
// and only along the transitions below, each with an event on the
// timeline.
package cases

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// Statuses of a case.
const (
	// PaymentDue: the service is paid first; the office sees the case
	// once it is paid.
	PaymentDue = "payment_due"
	Received   = "received"
	InProgress = "in_progress"
	Waiting    = "waiting" // for the person: a document, an answer
	Done       = "done"
	Rejected   = "rejected"
	Withdrawn  = "withdrawn"
)

// Statuses lists them in the order of a case's life.
var Statuses = []string{PaymentDue, Received, InProgress, Waiting, Done, Rejected, Withdrawn}

// next are the moves an office may make from each status; done,
// rejected and withdrawn are final. Withdrawing is the person's own move
// (Withdraw), and only from received or payment_due: once the office has
// started, the person asks the office instead. A case leaves payment_due
// for received only by its payment (Paid); the office may reject it.
var next = map[string][]string{
	PaymentDue: {Rejected},
	Received:   {InProgress, Waiting, Done, Rejected},
	InProgress: {Waiting, Done, Rejected},
	Waiting:    {InProgress, Done, Rejected},
}

// CanMove reports whether an office may move a case from one status to
// another.
func CanMove(from, to string) bool { return slices.Contains(next[from], to) }

// Channels a person can be told about their case on. Web push joins when
// the notifications land (the column allows it already).
var Channels = []string{"email", "sms"}

// Record is a submitted order as stored; Event a step of its timeline.
type (
	Record = store.Case
	Event  = store.CaseEvent
)

// Case is a submitted order with its timeline.
type Case struct {
	Record
	Events []Event
}

// StepUp is the cause of a Forbidden submission: the session's assurance
// level is below the service's. The edge turns it into a step-up problem.
type StepUp struct{ Need account.Level }

func (s *StepUp) Error() string { return "the service needs the assurance level " + s.Need.String() }

// Service runs the cases use cases.
type Service struct {
	st    *store.Store
	forms *forms.Service
	// Prefix starts every case number (config SCHALTER_CASE_PREFIX).
	prefix string
	zone   *time.Location
	// City heads the documents (config's city name, "Stadt Uster").
	City string
	// OnSubmit runs in the submission's transaction, before the case is
	// numbered and stored (c has its id, office and data, not its
	// number): the connectors enqueue the case's delivery to the office
	// there, so that it is sent if and only if the case commits. It is
	// also given the cases a payment hands to their office
	// (PaymentSteps), many at once when a bank file paid them.
	OnSubmit func(ctx context.Context, q *store.Queries, cs ...Record) error
	// OnCreated runs in the submission's transaction before the case is
	// numbered and stored (c has its id, office, data and status, not
	// its number; what it writes may refer to the case only by
	// references checked at commit): the payments give it its bill
	// there. Lines are its fees (none for a free service or one whose
	// office sets the amount later).
	OnCreated func(ctx context.Context, q *store.Queries, c Record, spec *fees.Spec, lines []fees.Line) error
}

// New returns the cases service; prefix starts the case numbers.
func New(st *store.Store, f *forms.Service, prefix string) *Service {
	zone, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zone = time.UTC // no tzdata: the year turns an hour or two late
	}
	return &Service{st: st, forms: f, prefix: prefix, zone: zone}
}

// Submission is a person submitting their draft.
type Submission struct {
	Account uuid.UUID
	Email   string // the account's, for the timeline's actor
	// Level is what the person's session proves.
	Level    account.Level
	Draft    uuid.UUID
	Notify   []string
	Language string
}

// Submit turns the account's draft into a case: the data must pass the
// form version the draft was filled on, and the session must reach the
// service's assurance level (at least an account). The draft is gone
// and the case exists, with its first event, in one transaction; a
// second submission of the same draft finds no draft (NotFound).
func (s *Service) Submit(ctx context.Context, in Submission) (*Case, error) {
	if in.Account == uuid.Nil {
		return nil, apperr.New(apperr.Unauthorized, "log in to submit")
	}
	// The stored draft, not drafts.Get: its field issues are for the
	// person, and the full validation below supersedes them.
	d, err := s.st.Draft(ctx, drafts.Account(in.Account).Key(), in.Draft)
	if err != nil {
		return nil, err
	}
	svc, err := s.st.OrderableService(ctx, d.Service)
	if err != nil {
		return nil, err
	}
	need, _ := account.ParseLevel(svc.Assurance)
	need = max(need, account.LevelAccount)
	if in.Level < need {
		return nil, &apperr.Error{Code: apperr.Forbidden, Message: (&StepUp{Need: need}).Error(), Cause: &StepUp{Need: need}}
	}
	notify, err := checkNotify(ctx, s.st, in.Account, in.Notify)
	if err != nil {
		return nil, err
	}
	form, err := s.forms.Form(ctx, d.Service, d.FormVersion)
	if err != nil {
		return nil, err
	}
	if err := form.Validate(d.Data, "body.data"); err != nil {
		return nil, err
	}
	var c Case
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		// Deleting first locks the draft: a parallel submission of it
		// waits here and then finds nothing.
		if err := q.DeleteDraft(ctx, store.DraftOwner{Account: &in.Account}, d.ID); err != nil {
			return err
		}
		files := form.Attachments(d.Data)
		if err := ownAttachments(ctx, q, in.Account, files); err != nil {
			return err
		}
		// Everything that does not need the case's row comes before the
		// number: the year's counter row stays locked from numbering to
		// commit, and every submission waits for it. The hook sees the
		// case as it will be stored, without its number.
		c.Record = store.Case{ID: uuid.New(), Account: &in.Account, Service: d.Service, FormVersion: d.FormVersion, Office: svc.Office,
			Data: d.Data, Language: in.Language, Delivery: delivery(d.Data), Notify: notify, Status: Received}
		// A service paid first keeps the case from its office until the
		// payment is in (PaymentSteps hands it over then). Without payments
		// (OnCreated unset: tests of other parts) nothing could ever pay
		// it, so the case goes on at once.
		lines := form.Fees.Lines(d.Data, time.Now())
		if s.OnCreated != nil && form.Fees != nil && form.Fees.Collect == fees.Before && fees.Total(lines) > 0 {
			c.Record.Status = PaymentDue
		} else if s.OnSubmit != nil {
			if err := s.OnSubmit(ctx, q, c.Record); err != nil {
				return err
			}
		}
		// The bill too: its rows' references to the case are checked at
		// commit (migration 00032), and its half dozen statements were
		// what every submission queued behind when they came after the
		// number.
		if s.OnCreated != nil && form.Fees != nil {
			if err := s.OnCreated(ctx, q, c.Record, form.Fees, lines); err != nil {
				return err
			}
		}
		year := time.Now().In(s.zone).Year()
		seq, err := q.NextCaseNumber(ctx, year)
		if err != nil {
			return err
		}
		c.Record.Number = Number(s.prefix, year, seq)
		var first Event
		if c.Record, first, err = q.CreateCase(ctx, c.Record, "resident", in.Email); err != nil {
			return err
		}
		c.Events = []Event{first}
		if len(files) > 0 {
			if _, err = q.LinkAttachments(ctx, in.Account, c.ID, slices.Sorted(maps.Keys(files))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ownAttachments checks the files the data names: each must be the
// person's own and not yet another case's.
func ownAttachments(ctx context.Context, q *store.Queries, account uuid.UUID, files map[string]string) error {
	for _, id := range slices.Sorted(maps.Keys(files)) {
		a, err := q.OwnAttachment(ctx, store.DraftOwner{Account: &account}, id)
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && a.Case != nil) {
			return apperr.InvalidFields("an attachment is missing", apperr.FieldError{Path: "body.data." + files[id],
				Message: "names a file that is not yours, was removed or belongs to another case; attach it again"})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// delivery is how documents reach the person: the form's own "delivery"
// field where it asks (documents by post or into the account), else into
// the account.
func delivery(data json.RawMessage) string {
	var d struct {
		Delivery string `json:"delivery"`
	}
	if json.Unmarshal(data, &d) == nil && d.Delivery == "post" {
		return "post"
	}
	return "account"
}

// checkNotify checks the channels the person chose: known, each once,
// and SMS only with a phone number in the profile.
func checkNotify(ctx context.Context, st *store.Store, id uuid.UUID, chosen []string) ([]string, error) {
	out := []string{}
	for i, ch := range chosen {
		path := "body.notify[" + strconv.Itoa(i) + "]"
		switch {
		case !slices.Contains(Channels, ch):
			return nil, apperr.InvalidFields("unknown channel", apperr.FieldError{Path: path, Message: "must be email or sms"})
		case slices.Contains(out, ch):
			return nil, apperr.InvalidFields("a channel twice", apperr.FieldError{Path: path, Message: "is chosen twice"})
		}
		out = append(out, ch)
	}
	if slices.Contains(out, "sms") {
		p, err := st.Profile(ctx, id)
		if err != nil {
			return nil, err
		}
		if p.Phone == nil || *p.Phone == "" {
			return nil, apperr.InvalidFields("no phone number for SMS", apperr.FieldError{Path: "body.notify", Message: "SMS needs a mobile number in your profile"})
		}
	}
	return out, nil
}

// Mine lists the account's cases, newest first (without timelines).
func (s *Service) Mine(ctx context.Context, id uuid.UUID) ([]Record, error) {
	return s.st.AccountCases(ctx, id, 500)
}

// Get returns the account's case with its timeline; anyone else's is
// NotFound, and so is a number with a wrong check digit.
func (s *Service) Get(ctx context.Context, id uuid.UUID, number string) (*Case, error) {
	n, ok := ValidNumber(number)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "no such case")
	}
	c, err := s.st.AccountCase(ctx, id, n)
	if err != nil {
		return nil, err
	}
	return s.withEvents(ctx, s.st.Queries, c)
}

// Withdraw is the person taking back their case while the office has not
// started on it.
func (s *Service) Withdraw(ctx context.Context, id uuid.UUID, email, number, message string) (*Case, error) {
	n, ok := ValidNumber(number)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "no such case")
	}
	var out *Case
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		c, err := q.AccountCase(ctx, id, n)
		if err != nil {
			return err
		}
		if c, err = q.LockCase(ctx, c.ID); err != nil {
			return err
		}
		if c.Status != Received && c.Status != PaymentDue {
			return apperr.New(apperr.Conflict, "the office has started on this case (%s); please contact the office instead", c.Status)
		}
		if _, err := q.AddCaseEvent(ctx, c.ID, store.CaseEvent{Status: Withdrawn, ActorKind: "resident", Actor: email, Message: message}); err != nil {
			return err
		}
		c.Status = Withdrawn
		out, err = s.withEvents(ctx, q, c)
		return err
	})
	return out, err
}

func (s *Service) withEvents(ctx context.Context, q *store.Queries, c store.Case) (*Case, error) {
	events, err := q.CaseEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &Case{Record: c, Events: events}, nil
}

// caseAccess is what staff opening a case read, for the transparency log.
var caseAccess = struct{ purpose, legalBasis string }{
	purpose:    "Bearbeitung Ihres Antrags",
	legalBasis: "Gesetzliche Aufgabe des zuständigen Amtes; Ihr Antrag über den Online-Schalter",
}

// StaffOffices are the offices whose cases, with their files and
// documents, a staff account handles: those of its staff roles. An
// account without any is Forbidden.
func StaffOffices(ctx context.Context, q *store.Queries, staff uuid.UUID) ([]string, error) {
	out, err := q.StaffOffices(ctx, staff)
	if err == nil && len(out) == 0 {
		err = apperr.New(apperr.Forbidden, "only staff of an office see its cases")
	}
	return out, err
}

// Queue lists the cases of the staff member's offices in statuses (all
// when empty), oldest first. The list shows no submitted data, so it is
// not a read of it.
func (s *Service) Queue(ctx context.Context, staff uuid.UUID, statuses []string) ([]Record, error) {
	if err := checkStatuses(statuses); err != nil {
		return nil, err
	}
	cs, err := staffTx(ctx, s.st, staff, func(q *store.Queries, offices []string) ([]store.Case, error) {
		return q.OfficeCases(ctx, offices, statuses, 500)
	})
	return withoutData(cs), err
}

// OfficeQueue is Queue for an office's own system (which polls for new
// cases when it cannot receive them).
func (s *Service) OfficeQueue(ctx context.Context, office string, statuses []string) ([]Record, error) {
	if err := checkStatuses(statuses); err != nil {
		return nil, err
	}
	cs, err := s.st.OfficeCases(ctx, []string{office}, statuses, 500)
	return withoutData(cs), err
}

func checkStatuses(statuses []string) error {
	for i, st := range statuses {
		if !slices.Contains(Statuses, st) {
			return apperr.InvalidFields("unknown status", apperr.FieldError{Path: "query.status[" + strconv.Itoa(i) + "]", Message: "is not a status of a case"})
		}
	}
	return nil
}

func withoutData(cs []Record) []Record {
	for i := range cs {
		cs[i].Data = nil
	}
	return cs
}

// Open shows a case of the staff member's offices with what was
// submitted, and writes the read to the person's transparency log in the
// same transaction. Another office's case is NotFound.
func (s *Service) Open(ctx context.Context, staff uuid.UUID, number string) (*Case, error) {
	return staffTx(ctx, s.st, staff, func(q *store.Queries, offices []string) (*Case, error) {
		c, err := officeCase(ctx, q, offices, number)
		if err != nil {
			return nil, err
		}
		if err := s.logRead(ctx, q, staff, c); err != nil {
			return nil, err
		}
		return s.withEvents(ctx, q, c)
	})
}

// Move changes the status of a case of the staff member's offices, with
// a message for the person, along the allowed transitions.
func (s *Service) Move(ctx context.Context, staff uuid.UUID, number, to, message string) (*Case, error) {
	return staffTx(ctx, s.st, staff, func(q *store.Queries, offices []string) (*Case, error) {
		c, err := officeCase(ctx, q, offices, number)
		if err != nil {
			return nil, err
		}
		me, err := q.AccountByID(ctx, staff)
		if err != nil {
			return nil, err
		}
		return s.move(ctx, q, c, to, store.CaseEvent{Status: to, ActorKind: "staff", Actor: me.Email, Message: message})
	})
}

// move changes c's status along the allowed transitions, with event e.
func (s *Service) move(ctx context.Context, q *store.Queries, c Record, to string, e Event) (*Case, error) {
	c, err := q.LockCase(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if !CanMove(c.Status, to) {
		return nil, apperr.New(apperr.Conflict, "a case cannot move from %s to %s", c.Status, to)
	}
	if _, err := q.AddCaseEvent(ctx, c.ID, e); err != nil {
		return nil, err
	}
	c.Status = to
	return s.withEvents(ctx, q, c)
}

// ForOffice is case number if office handles it (for the office's own
// system, which logs its reads itself); NotFound otherwise.
func (s *Service) ForOffice(ctx context.Context, office, number string) (*Case, error) {
	c, err := officeCase(ctx, s.st.Queries, []string{office}, number)
	if err != nil {
		return nil, err
	}
	return s.withEvents(ctx, s.st.Queries, c)
}

// MoveAsSystem changes the status of a case of office on behalf of the
// office's own system (actor names it), in q's transaction.
func (s *Service) MoveAsSystem(ctx context.Context, q *store.Queries, office, number, to, actor, message string) (*Case, error) {
	c, err := officeCase(ctx, q, []string{office}, number)
	if err != nil {
		return nil, err
	}
	return s.move(ctx, q, c, to, store.CaseEvent{Status: to, ActorKind: "system", Actor: actor, Message: message})
}

// Note adds a step to a case's timeline that does not change its status
// ("sent to the office", "transmission delayed"), in q's transaction.
func Note(ctx context.Context, q *store.Queries, id uuid.UUID, actor, message string) error {
	c, err := q.LockCase(ctx, id)
	if err != nil {
		return err
	}
	_, err = q.AddCaseEvent(ctx, id, store.CaseEvent{Status: c.Status, ActorKind: "system", Actor: actor, Message: message})
	return err
}

// staffTx runs fn in a transaction with the offices of staff.
func staffTx[T any](ctx context.Context, st *store.Store, staff uuid.UUID, fn func(q *store.Queries, offices []string) (T, error)) (T, error) {
	var out T
	err := st.InTx(ctx, func(q *store.Queries) error {
		offices, err := StaffOffices(ctx, q, staff)
		if err != nil {
			return err
		}
		out, err = fn(q, offices)
		return err
	})
	return out, err
}

func officeCase(ctx context.Context, q *store.Queries, offices []string, number string) (store.Case, error) {
	n, ok := ValidNumber(number)
	if !ok {
		return store.Case{}, apperr.New(apperr.NotFound, "no such case")
	}
	return q.OfficeCase(ctx, offices, n)
}

// logRead writes staff's read of a case's data to its person's log (none
// once the account is deleted: there is nobody to tell).
func (s *Service) logRead(ctx context.Context, q *store.Queries, staff uuid.UUID, c store.Case) error {
	if c.Account == nil {
		return nil
	}
	return transparency.StaffRead(ctx, q, staff, *c.Account, c.Office, []string{"Antrag " + c.Number}, caseAccess.purpose, caseAccess.legalBasis)
}

// PaymentStep is what a payment writes to its case's timeline.
type PaymentStep struct {
	// Case is locked by the caller.
	Case    Record
	Message string
	// Settled says that the case owes nothing now.
	Settled bool
}

// PaymentSteps writes the steps of payments to their cases' timelines in
// q's transaction (the payments'), all in one statement: a note, or, for
// a case that waited for its payment and is settled now, the step that
// hands it to its office, whose delivery is then enqueued as at a
// submission. A case in any other status keeps it (paid again, or paid
// after the office rejected it: the payments see to a refund).
func (s *Service) PaymentSteps(ctx context.Context, q *store.Queries, steps []PaymentStep) error {
	status := make(map[uuid.UUID]string, len(steps))
	out := make([]store.CaseStep, 0, len(steps))
	var handed []Record
	for _, st := range steps {
		c := st.Case
		if now, ok := status[c.ID]; ok {
			c.Status = now // a second payment of the case in the same call
		}
		if c.Status == PaymentDue && st.Settled {
			c.Status = Received
			handed = append(handed, c)
		}
		status[c.ID] = c.Status
		out = append(out, store.CaseStep{Case: c.ID, CaseEvent: store.CaseEvent{Status: c.Status, ActorKind: "system", Actor: "payments", Message: st.Message}})
	}
	if len(out) == 0 {
		return nil
	}
	if err := q.AddCaseSteps(ctx, out); err != nil {
		return err
	}
	if len(handed) > 0 && s.OnSubmit != nil {
		return s.OnSubmit(ctx, q, handed...)
	}
	return nil
}

// StaffCase is case number if it belongs to one of staff's offices, read
// in q's transaction without its data (for the payments of the case);
// NotFound otherwise, Forbidden for someone who is no staff at all.
func StaffCase(ctx context.Context, q *store.Queries, staff uuid.UUID, number string) (Record, error) {
	offices, err := StaffOffices(ctx, q, staff)
	if err != nil {
		return Record{}, err
	}
	c, err := officeCase(ctx, q, offices, number)
	c.Data = nil
	return c, err
}

// AccountCase is the account's case number (NotFound for anyone else's
// and for a number with a wrong check digit), in q's transaction.
func AccountCase(ctx context.Context, q *store.Queries, account uuid.UUID, number string) (Record, error) {
	n, ok := ValidNumber(number)
	if !ok {
		return Record{}, apperr.New(apperr.NotFound, "no such case")
	}
	return q.AccountCase(ctx, account, n)
}
