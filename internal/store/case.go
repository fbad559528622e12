package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Case is a submitted order.
type Case struct {
	ID          uuid.UUID
	Number      string
	Account     *uuid.UUID // nil once the account is deleted
	Service     string
	FormVersion int
	Office      string
	Data        []byte
	Language    string
	Delivery    string
	Notify      []string
	Status      string
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// CaseEvent is a step of a case's timeline.
type CaseEvent struct {
	ID        int64
	At        time.Time
	Status    string
	ActorKind string
	Actor     string
	Message   string
}

func caseFrom(r dbq.OrderCase) Case {
	return Case{ID: r.ID, Number: r.Number, Account: r.AccountID, Service: r.ServiceSlug, FormVersion: int(r.FormVersion), Office: r.OfficeSlug,
		Data: r.Data, Language: r.Language, Delivery: r.Delivery, Notify: r.Notify, Status: r.Status, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt}
}

func caseEventFrom(r dbq.CaseEvent) CaseEvent {
	return CaseEvent{ID: r.ID, At: r.At, Status: r.Status, ActorKind: r.ActorKind, Actor: r.Actor, Message: r.Message}
}

var errNoCase = onErr{notFound: "no such case"}

// OrderableService is what a submission needs to know of a service.
type OrderableService struct {
	Office    string
	Assurance string
}

// OrderableService returns the office and assurance level of a published
// service.
func (q *Queries) OrderableService(ctx context.Context, slug string) (OrderableService, error) {
	r, err := q.gen.CaseService(ctx, q.db, slug)
	return OrderableService{Office: r.OfficeSlug, Assurance: r.Assurance}, mapErr(err, onErr{notFound: "no such service"})
}

// NextCaseNumber counts the next case of year (in a transaction: the
// counter row stays locked until it commits, so callers take it as late
// as they can).
func (q *Queries) NextCaseNumber(ctx context.Context, year int) (int, error) {
	n, err := q.gen.CaseNextNumber(ctx, q.db, int32(year))
	return int(n), mapErr(err, onErr{})
}

// CreateCase stores a submitted case (with c.ID when set, so that work
// done before, such as a job, can name it) and, in the same statement,
// the first step of its timeline in the case's initial status (received,
// or payment_due where the service is paid first) by actor.
func (q *Queries) CreateCase(ctx context.Context, c Case, actorKind, actor string) (Case, CaseEvent, error) {
	if c.ID == uuid.Nil {
		c.ID = uuid.New()
	}
	r, err := q.gen.CaseInsert(ctx, q.db, dbq.CaseInsertParams{ID: c.ID, Number: c.Number, AccountID: c.Account, ServiceSlug: c.Service,
		FormVersion: int32(c.FormVersion), OfficeSlug: c.Office, Data: c.Data, Language: c.Language, Delivery: c.Delivery, Notify: c.Notify,
		Status: c.Status, ActorKind: actorKind, Actor: actor})
	if err != nil {
		return Case{}, CaseEvent{}, mapErr(err, onErr{conflict: "this case number exists already", missingRef: "no such service or form version"})
	}
	out := caseFrom(dbq.OrderCase{ID: r.ID, Number: r.Number, AccountID: r.AccountID, ServiceSlug: r.ServiceSlug, FormVersion: r.FormVersion,
		OfficeSlug: r.OfficeSlug, Data: r.Data, Language: r.Language, Delivery: r.Delivery, Notify: r.Notify, Status: r.Status,
		SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt})
	return out, CaseEvent{ID: r.EventID, At: r.EventAt, Status: r.Status, ActorKind: r.EventActorKind, Actor: r.EventActor, Message: r.EventMessage}, nil
}

// AddCaseEvent appends to a case's timeline and sets its status, in one
// statement.
func (q *Queries) AddCaseEvent(ctx context.Context, caseID uuid.UUID, e CaseEvent) (CaseEvent, error) {
	r, err := q.gen.CaseEventInsert(ctx, q.db, dbq.CaseEventInsertParams{CaseID: caseID, Status: e.Status, ActorKind: e.ActorKind, Actor: e.Actor, Message: e.Message})
	return caseEventFrom(dbq.CaseEvent(r)), mapErr(err, errNoCase)
}

// CaseStep is a step for the timeline of a case.
type CaseStep struct {
	Case uuid.UUID
	CaseEvent
}

// AddCaseSteps writes steps to the timelines of their cases in one
// statement, in order; each case takes the status of its last step.
func (q *Queries) AddCaseSteps(ctx context.Context, steps []CaseStep) error {
	var p dbq.CaseEventsInsertParams
	for _, e := range steps {
		p.CaseIds, p.Statuses, p.ActorKinds = append(p.CaseIds, e.Case), append(p.Statuses, e.Status), append(p.ActorKinds, e.ActorKind)
		p.Actors, p.Messages = append(p.Actors, e.Actor), append(p.Messages, e.Message)
	}
	return mapErr(q.gen.CaseEventsInsert(ctx, q.db, p), errNoCase)
}

// LockCases locks cases for a change of status (in a transaction), in id
// order; a case that does not exist is left out.
func (q *Queries) LockCases(ctx context.Context, ids []uuid.UUID) ([]Case, error) {
	rows, err := q.gen.CasesLock(ctx, q.db, ids)
	return convert(rows, caseFrom), mapErr(err, onErr{})
}

// AccountCase returns the account's case number.
func (q *Queries) AccountCase(ctx context.Context, account uuid.UUID, number string) (Case, error) {
	r, err := q.gen.CaseOfAccount(ctx, q.db, dbq.CaseOfAccountParams{Number: number, AccountID: &account})
	return caseFrom(r), mapErr(err, errNoCase)
}

// OfficeCase returns case number if one of offices handles it.
func (q *Queries) OfficeCase(ctx context.Context, offices []string, number string) (Case, error) {
	r, err := q.gen.CaseOfOffices(ctx, q.db, dbq.CaseOfOfficesParams{Number: number, Offices: offices})
	return caseFrom(r), mapErr(err, errNoCase)
}

// LockCase locks a case for a change of status (in a transaction).
func (q *Queries) LockCase(ctx context.Context, id uuid.UUID) (Case, error) {
	r, err := q.gen.CaseLock(ctx, q.db, id)
	return caseFrom(r), mapErr(err, errNoCase)
}

// AccountCases lists the account's cases, newest first.
func (q *Queries) AccountCases(ctx context.Context, account uuid.UUID, limit int) ([]Case, error) {
	rows, err := q.gen.CasesOfAccount(ctx, q.db, dbq.CasesOfAccountParams{AccountID: &account, Max: int32(limit)})
	return convert(rows, caseFrom), mapErr(err, onErr{})
}

// OfficeCases lists the cases of offices in statuses (all when empty),
// oldest first: the queue an office works through.
func (q *Queries) OfficeCases(ctx context.Context, offices, statuses []string, limit int) ([]Case, error) {
	if statuses == nil {
		statuses = []string{}
	}
	rows, err := q.gen.CasesOfOffices(ctx, q.db, dbq.CasesOfOfficesParams{Offices: offices, Statuses: statuses, Max: int32(limit)})
	return convert(rows, caseFrom), mapErr(err, onErr{})
}

// CaseEvents is a case's timeline, oldest first.
func (q *Queries) CaseEvents(ctx context.Context, caseID uuid.UUID) ([]CaseEvent, error) {
	rows, err := q.gen.CaseEvents(ctx, q.db, caseID)
	return convert(rows, caseEventFrom), mapErr(err, onErr{})
}

// Letterhead is what documents about a case print at the top.
type Letterhead struct {
	ServiceTitle, OfficeName, Street, PostalCode, Locality string
}

// CaseLetterhead returns the service's title and its office's name and
// address in lang.
func (q *Queries) CaseLetterhead(ctx context.Context, service, lang string) (Letterhead, error) {
	r, err := q.gen.CaseLetterhead(ctx, q.db, dbq.CaseLetterheadParams{Slug: service, Lang: lang})
	return Letterhead(r), mapErr(err, onErr{notFound: "no such service"})
}

// CaseByID returns a case by its id (for jobs that carry the id).
func (q *Queries) CaseByID(ctx context.Context, id uuid.UUID) (Case, error) {
	r, err := q.gen.CaseGet(ctx, q.db, id)
	return caseFrom(r), mapErr(err, errNoCase)
}
