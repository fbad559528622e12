package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
)

// Cases (internal/cases): a resident submits a draft and follows the
// case; the staff of the office that handles it see and move it. Staff
// operations need the staff role and two factors; which office's cases a
// staff member sees is the domain's rule.

const tagCases = "Cases"

var staffSecurity = []map[string][]string{{sessionScheme: {account.RoleStaff}}}

// CaseNumberInput addresses a case by its number.
type CaseNumberInput struct {
	Number string `path:"number" maxLength:"30" example:"UST-2026-004711-3" doc:"The case number; lower case and a wrong check digit are answered like an unknown case."`
}

// CaseEventOut is a step of a case's timeline.
type CaseEventOut struct {
	At      time.Time `json:"at"`
	Status  string    `json:"status" enum:"payment_due,received,in_progress,waiting,done,rejected,withdrawn"`
	By      string    `json:"by" enum:"resident,staff,system" doc:"Who made the step; staff are not named to the resident."`
	Message string    `json:"message,omitempty" doc:"What the office or the person wrote with it."`
}

// CaseSummary is a case in a list.
type CaseSummary struct {
	Number       string    `json:"number" example:"UST-2026-004711-3"`
	Service      string    `json:"service" example:"betreibungsregisterauszug-bestellen"`
	ServiceTitle string    `json:"service_title"`
	Office       string    `json:"office" example:"betreibungsamt"`
	Status       string    `json:"status" enum:"payment_due,received,in_progress,waiting,done,rejected,withdrawn"`
	SubmittedAt  time.Time `json:"submitted_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// CaseDetail is a case with what was submitted.
type CaseDetail struct {
	CaseSummary
	FormVersion int             `json:"form_version"`
	Language    string          `json:"language" enum:"de,fr,it,en"`
	Delivery    string          `json:"delivery" enum:"account,post" doc:"How documents reach the person: into the account, or by post to the address in the form."`
	Notify      []string        `json:"notify" doc:"Channels the person is told about changes on (email, sms; web push follows with the notifications)."`
	Data        json.RawMessage `json:"data" doc:"What was submitted, unchangeable."`
	CanWithdraw bool            `json:"can_withdraw" doc:"True while the office has not started: the person may still withdraw."`
}

// CaseOut is a case as the person sees it.
type CaseOut struct {
	CaseDetail
	Timeline []CaseEventOut `json:"timeline"`
}

// StaffCaseEventOut names the staff member, for the office.
type StaffCaseEventOut struct {
	CaseEventOut
	Actor string `json:"actor" example:"eva.meier@uster.ch"`
}

// SubmitInput submits a draft.
type SubmitInput struct {
	LangParams
	Body struct {
		Draft  string   `json:"draft" format:"uuid" doc:"The draft to submit; it becomes the case and is gone."`
		Notify []string `json:"notify,omitempty" maxItems:"2" doc:"Channels to be told about changes on: email, sms (needs a mobile number in the profile). Default: email." example:"[\"email\"]"`
	}
}

// WithdrawInput withdraws a case.
type WithdrawInput struct {
	CaseNumberInput
	LangParams
	Body struct {
		Message string `json:"message,omitempty" maxLength:"2000" doc:"Why, for the office (optional)."`
	}
}

// CaseQueueInput filters the office's queue.
type CaseQueueInput struct {
	Status []string `query:"status" maxItems:"7" doc:"Only cases in these statuses (payment_due, received, in_progress, waiting, done, rejected, withdrawn); all when empty."`
}

// MoveInput changes a case's status.
type MoveInput struct {
	CaseNumberInput
	Body struct {
		Status  string `json:"status" enum:"in_progress,waiting,done,rejected" doc:"in_progress: started; waiting: for the person; done; rejected."`
		Message string `json:"message,omitempty" maxLength:"4000" doc:"Shown to the person on the timeline."`
	}
}

// StaffCaseOut is a case as its office sees it.
type StaffCaseOut struct {
	CaseDetail
	Timeline []StaffCaseEventOut `json:"timeline"`
}

func (s *Server) caseSummary(ctx context.Context, c cases.Record, lang string) CaseSummary {
	return CaseSummary{Number: c.Number, Service: c.Service, ServiceTitle: s.serviceTitle(ctx, c.Service, lang), Office: c.Office, Status: c.Status,
		SubmittedAt: c.SubmittedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

func (s *Server) caseList(ctx context.Context, list []cases.Record, lang string) *Uncached[Items[CaseSummary]] {
	return &Uncached[Items[CaseSummary]]{CacheControl: "private, no-store",
		Body: Items[CaseSummary]{Items: mapAll(list, func(c cases.Record) CaseSummary { return s.caseSummary(ctx, c, lang) })}}
}

func (s *Server) caseDetail(ctx context.Context, c *cases.Case, lang string) CaseDetail {
	return CaseDetail{CaseSummary: s.caseSummary(ctx, c.Record, lang), FormVersion: c.FormVersion, Language: c.Language, Delivery: c.Delivery,
		Notify: c.Notify, Data: c.Data, CanWithdraw: c.Status == cases.Received || c.Status == cases.PaymentDue}
}

func caseEventOut(e cases.Event) CaseEventOut {
	return CaseEventOut{At: e.At.UTC(), Status: e.Status, By: e.ActorKind, Message: e.Message}
}

func (s *Server) caseOut(ctx context.Context, c *cases.Case, lang string) CaseOut {
	return CaseOut{CaseDetail: s.caseDetail(ctx, c, lang), Timeline: mapAll(c.Events, caseEventOut)}
}

func (s *Server) staffCaseOut(ctx context.Context, c *cases.Case) StaffCaseOut {
	return StaffCaseOut{CaseDetail: s.caseDetail(ctx, c, "de"), Timeline: mapAll(c.Events, func(e cases.Event) StaffCaseEventOut {
		return StaffCaseEventOut{CaseEventOut: caseEventOut(e), Actor: e.Actor}
	})}
}

// sessionUser is the session's account, for a write that names it (the
// timeline's actor): one query, where s.me also reads roles and factors
// that a submission does not need.
func (s *Server) sessionUser(ctx context.Context) (*account.Account, error) {
	id, ok := s.sessionAccount(ctx)
	if !ok {
		return nil, apperr.New(apperr.Unauthorized, "not logged in")
	}
	acc, err := s.accounts.Account(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		// The account was deleted under a live session.
		_ = s.sessions.Destroy(ctx)
		return nil, apperr.New(apperr.Unauthorized, "not logged in")
	}
	return acc, err
}

func (s *Server) registerCases(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "submitCase", Method: http.MethodPost, Path: "/api/v1/me/cases", Tags: []string{tagCases}, Security: sessionSecurity,
		Summary: "Submit a draft",
		Description: "Checks the draft completely against the form version it was filled on (422 per field under body.data), and the session " +
			"against the service's assurance level (403 step-up problem below it). The draft becomes the case, with a number such as " +
			"UST-2026-004711-3 and the first step of its timeline, in one transaction; a second submission of the draft is 404. Send an Idempotency-Key.",
		DefaultStatus: http.StatusCreated,
		Errors:        append(errs, http.StatusForbidden),
	}, func(ctx context.Context, in *SubmitInput) (*Uncached[CaseOut], error) {
		me, err := s.sessionUser(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		draft, err := uuid.Parse(in.Body.Draft)
		if err != nil {
			return nil, s.problem(ctx, apperr.InvalidFields("not a draft id", apperr.FieldError{Path: "body.draft", Message: "must be a UUID"}))
		}
		notify := in.Body.Notify
		if notify == nil {
			notify = []string{"email"}
		}
		c, err := s.cases.Submit(ctx, cases.Submission{Account: me.ID, Email: me.Email, Level: s.sessionLevel(ctx), Draft: draft, Notify: notify, Language: in.resolve()})
		var up *cases.StepUp
		if errors.As(err, &up) {
			return nil, s.requireLevel(ctx, up.Need, 0)
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[CaseOut]{CacheControl: "private, no-store", Body: s.caseOut(ctx, c, in.resolve())}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listMyCases", Method: http.MethodGet, Path: "/api/v1/me/cases", Tags: []string{tagCases}, Security: sessionSecurity,
		Summary: "My cases", Description: "The account's cases, newest first, with their status.",
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *LangParams) (*Uncached[Items[CaseSummary]], error) {
		id, _ := s.sessionAccount(ctx)
		list, err := s.cases.Mine(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.caseList(ctx, list, in.resolve()), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "getMyCase", Method: http.MethodGet, Path: "/api/v1/me/cases/{number}", Tags: []string{tagCases}, Security: sessionSecurity,
		Summary: "One of my cases", Description: "What was submitted and the timeline. Another person's case is 404.",
		Errors: errs,
	}, func(ctx context.Context, in *struct {
		CaseNumberInput
		LangParams
	}) (*Uncached[CaseOut], error) {
		id, _ := s.sessionAccount(ctx)
		c, err := s.cases.Get(ctx, id, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[CaseOut]{CacheControl: "private, no-store", Body: s.caseOut(ctx, c, in.resolve())}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "withdrawMyCase", Method: http.MethodPost, Path: "/api/v1/me/cases/{number}/withdraw", Tags: []string{tagCases}, Security: sessionSecurity,
		Summary: "Withdraw my case", Description: "Possible while the office has not started (status received or payment_due); afterwards 409: ask the office.",
		Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *WithdrawInput) (*Uncached[CaseOut], error) {
		me, err := s.sessionUser(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.cases.Withdraw(ctx, me.ID, me.Email, in.Number, in.Body.Message)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[CaseOut]{CacheControl: "private, no-store", Body: s.caseOut(ctx, c, in.resolve())}, nil
	})

	staffErrs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "officeCaseQueue", Method: http.MethodGet, Path: "/api/v1/office/cases", Tags: []string{tagCases}, Security: staffSecurity,
		Summary: "My offices' cases (staff)", Description: "The cases of the offices the staff member works in, oldest first, without what was submitted. Staff only, at level two_factor.",
		Errors: staffErrs,
	}, func(ctx context.Context, in *CaseQueueInput) (*Uncached[Items[CaseSummary]], error) {
		id, _ := s.sessionAccount(ctx)
		list, err := s.cases.Queue(ctx, id, in.Status)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.caseList(ctx, list, "de"), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "officeOpenCase", Method: http.MethodGet, Path: "/api/v1/office/cases/{number}", Tags: []string{tagCases}, Security: staffSecurity,
		Summary: "Open a case (staff)", Description: "What was submitted and the timeline, for staff of the office that handles the case (another office: 404). Every opening is written to the person's transparency log.",
		Errors: append(staffErrs, http.StatusNotFound),
	}, func(ctx context.Context, in *CaseNumberInput) (*Uncached[StaffCaseOut], error) {
		id, _ := s.sessionAccount(ctx)
		c, err := s.cases.Open(ctx, id, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[StaffCaseOut]{CacheControl: "private, no-store", Body: s.staffCaseOut(ctx, c)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "officeMoveCase", Method: http.MethodPost, Path: "/api/v1/office/cases/{number}/status", Tags: []string{tagCases}, Security: staffSecurity,
		Summary: "Change a case's status (staff)", Description: "received → in_progress, waiting, done or rejected; payment_due → rejected (the case is handed over once paid); in_progress ⇄ waiting; done, rejected and withdrawn are final (409). The message is shown to the person.",
		Errors: append(staffErrs, http.StatusNotFound, http.StatusConflict),
	}, func(ctx context.Context, in *MoveInput) (*Uncached[StaffCaseOut], error) {
		id, _ := s.sessionAccount(ctx)
		c, err := s.cases.Move(ctx, id, in.Number, in.Body.Status, in.Body.Message)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[StaffCaseOut]{CacheControl: "private, no-store", Body: s.staffCaseOut(ctx, c)}, nil
	})
}
