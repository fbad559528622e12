package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/guest"
)

// Order drafts (internal/drafts): the PWA creates one on the first change
// and saves it as the person types. Who owns a draft is the session's
// account, else the guest cookie, as for favourites. Each answer carries
// the draft's revision as its ETag; a save sends it back in If-Match and
// a save from an older revision gets 412 with the draft as it is now.

const tagDrafts = "Drafts"

// DraftIDInput addresses one draft.
type DraftIDInput struct {
	GuestInput
	ID string `path:"id" format:"uuid" example:"0b7d2f0e-5c1a-4f7e-9d3b-2a1c4e5f6a7b"`
}

// DraftFields is what a person has entered and where they are.
type DraftFields struct {
	Data    json.RawMessage `json:"data" doc:"The form's fields as entered so far (a JSON object; what is missing may stay missing until submission). At most 64 KiB."`
	Section string          `json:"section,omitempty" maxLength:"80" doc:"The section the person is at, to resume there." example:"dog"`
}

// DraftCreateInput starts a draft.
type DraftCreateInput struct {
	GuestInput
	LangParams
	Body struct {
		Service string `json:"service" maxLength:"100" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"hund-anmelden" doc:"The service whose published form the draft fills."`
		DraftFields
	}
}

// DraftSaveInput saves a draft over the revision the client last saw.
type DraftSaveInput struct {
	DraftIDInput
	LangParams
	IfMatch string `header:"If-Match" required:"true" doc:"The ETag of the draft this save was made from." example:"\"3\""`
	Body    DraftFields
}

// DraftIssue is something not right yet in a draft.
type DraftIssue struct {
	Location string `json:"location" example:"body.data.microchip_number"`
	Message  string `json:"message" example:"does not match pattern '^[0-9]{15}$'"`
}

// DraftSummary is a draft in the list.
type DraftSummary struct {
	ID            string    `json:"id" format:"uuid"`
	Service       string    `json:"service" example:"hund-anmelden"`
	ServiceTitle  string    `json:"service_title" example:"Hund anmelden"`
	FormVersion   int       `json:"form_version" doc:"The version of the form the draft was started on and is checked against."`
	Section       string    `json:"section,omitempty"`
	Revision      int       `json:"revision"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	ExpiresAt     time.Time `json:"expires_at" doc:"When the draft is deleted unless it is changed again."`
	RetentionDays int       `json:"retention_days" doc:"How many days after its last change a draft is kept: 30 in an account, 7 for a guest." example:"30"`
	Guest         bool      `json:"guest" doc:"Kept for a guest (in this browser only) rather than in an account."`
}

// DraftOut is a draft with its data.
type DraftOut struct {
	DraftSummary
	Data   json.RawMessage `json:"data"`
	Issues []DraftIssue    `json:"issues" doc:"What is not right yet, per field, as a submission would find it; a missing field is not listed until submission."`
}

// DraftWritten answers a write with the draft, its ETag and maybe a new
// guest cookie.
type DraftWritten struct {
	ETag         string      `header:"ETag"`
	CacheControl string      `header:"Cache-Control"`
	SetCookie    http.Cookie `header:"Set-Cookie"`
	Body         DraftOut
}

// DraftConflict is the 412 of a save from an older revision: the problem
// and the draft as it is now, so the person can choose which to keep.
type DraftConflict struct {
	huma.ErrorModel
	Current DraftOut `json:"current" doc:"The draft as saved meanwhile (on another device or tab)."`
}

// DraftLinkInput asks for a "continue later" link.
type DraftLinkInput struct {
	DraftIDInput
	LangParams
	Body struct {
		Email string `json:"email" maxLength:"254" example:"tamara@example.ch" doc:"Where to send the link."`
	}
}

// DraftResumeInput spends a "continue later" link.
type DraftResumeInput struct {
	GuestInput
	LangParams
	Body struct {
		Token string `json:"token" minLength:"20" maxLength:"100" doc:"The token from the link's fragment (after #)."`
	}
}

// draftOwner is whose drafts a request sees: the logged-in account's,
// else the guest's (nobody without a valid guest cookie).
func (s *Server) draftOwner(ctx context.Context, in GuestInput) drafts.Owner {
	if id, ok := s.sessionAccount(ctx); ok {
		return drafts.Account(id)
	}
	return drafts.Guest(in.Guest)
}

// draftWriter is the owner of a write, creating a guest (and its cookie
// in out) for a visitor who has neither a session nor a guest cookie.
func (s *Server) draftWriter(ctx context.Context, in GuestInput, out *DraftWritten) drafts.Owner {
	return s.draftWriterCookie(ctx, in, &out.SetCookie)
}

// draftWriterCookie is draftWriter for any answer with a Set-Cookie.
func (s *Server) draftWriterCookie(ctx context.Context, in GuestInput, cookie *http.Cookie) drafts.Owner {
	owner := s.draftOwner(ctx, in)
	if owner.IsZero() {
		id := guest.New()
		owner = drafts.Guest(id)
		*cookie = newGuestCookie(id)
	}
	return owner
}

func (s *Server) draftSummary(ctx context.Context, d drafts.Draft, lang string) DraftSummary {
	out := DraftSummary{ID: d.ID.String(), Service: d.Service, FormVersion: d.FormVersion, Section: d.Section, Revision: d.Revision,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(), RetentionDays: int(d.Retention.Hours() / 24), Guest: d.Guest,
		ServiceTitle: s.serviceTitle(ctx, d.Service, lang)}
	return out
}

// serviceTitle is a published service's title in lang, for lists that
// name services by slug; "" when it is not published (any more).
func (s *Server) serviceTitle(ctx context.Context, slug, lang string) string {
	if snap, err := s.cache.Current(ctx); err == nil {
		if svc, err := snap.Service(slug); err == nil {
			return svc.Title.In(lang)
		}
	}
	return ""
}

func (s *Server) draftOut(ctx context.Context, d *drafts.Draft, lang string) DraftOut {
	out := DraftOut{DraftSummary: s.draftSummary(ctx, *d, lang), Data: d.Data, Issues: make([]DraftIssue, 0, len(d.Issues))}
	for _, i := range d.Issues {
		out.Issues = append(out.Issues, DraftIssue{Location: i.Path, Message: i.Message})
	}
	return out
}

// draftETag is a draft's revision as a strong ETag.
func draftETag(revision int) string { return `"` + strconv.Itoa(revision) + `"` }

// parseDraftETag reads the revision from If-Match.
func parseDraftETag(h string) (int, error) {
	n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(h), `"`))
	if err != nil || n < 1 || !strings.HasPrefix(strings.TrimSpace(h), `"`) {
		return 0, apperr.InvalidFields("If-Match must be the draft's ETag", apperr.FieldError{Path: "header.If-Match", Message: `must be the ETag of the draft, such as "3"`})
	}
	return n, nil
}

func parseDraftID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, apperr.InvalidFields("not a draft id", apperr.FieldError{Path: "path.id", Message: "must be a UUID"})
	}
	return u, nil
}

// written answers a write with d in lang.
func (s *Server) written(ctx context.Context, out *DraftWritten, d *drafts.Draft, lang string) *DraftWritten {
	out.ETag, out.CacheControl, out.Body = draftETag(d.Revision), "private, no-store", s.draftOut(ctx, d, lang)
	return out
}

func (s *Server) registerDrafts(api huma.API) {
	errs := []int{http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "createDraft", Security: guestSecurity, Method: http.MethodPost, Path: "/api/v1/drafts", Tags: []string{tagDrafts},
		Summary:       "Start a draft of a service's form",
		Description:   "Created on the first change in a form, owned by the logged-in account or else the guest (the guest cookie is set when there is none). The draft keeps the form version published now. Accepts incomplete data and answers with the issues found so far; refuses only what no draft may hold (not an object, unknown fields, more than 64 KiB). Send an Idempotency-Key so that a retry does not start a second draft.",
		DefaultStatus: http.StatusCreated,
		Errors:        append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *DraftCreateInput) (*DraftWritten, error) {
		out := &DraftWritten{}
		d, err := s.drafts.Create(ctx, s.draftWriter(ctx, in.GuestInput, out), in.Body.Service, in.Body.Data, in.Body.Section)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.written(ctx, out, d, in.resolve()), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listDrafts", Security: guestSecurity, Method: http.MethodGet, Path: "/api/v1/drafts", Tags: []string{tagDrafts},
		Summary:     "List my drafts",
		Description: "The drafts of the logged-in account, or of the guest, last changed first, with when each will be deleted.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *struct {
		GuestInput
		LangParams
	}) (*Uncached[Items[DraftSummary]], error) {
		list, err := s.drafts.List(ctx, s.draftOwner(ctx, in.GuestInput))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := Items[DraftSummary]{Items: make([]DraftSummary, 0, len(list))}
		for _, d := range list {
			out.Items = append(out.Items, s.draftSummary(ctx, d, in.resolve()))
		}
		return &Uncached[Items[DraftSummary]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "getDraft", Security: guestSecurity, Method: http.MethodGet, Path: "/api/v1/drafts/{id}", Tags: []string{tagDrafts},
		Summary:     "A draft",
		Description: "The draft with its data and issues; the ETag is its revision, for If-Match on the next save. Another person's draft is 404.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *struct {
		DraftIDInput
		LangParams
	}) (*DraftWritten, error) {
		id, err := parseDraftID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := s.drafts.Get(ctx, s.draftOwner(ctx, in.GuestInput), id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.written(ctx, &DraftWritten{}, d, in.resolve()), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "saveDraft", Security: guestSecurity, Method: http.MethodPatch, Path: "/api/v1/drafts/{id}", Tags: []string{tagDrafts},
		Summary:     "Save a draft (autosave)",
		Description: "Replaces the draft's data and section, only over the revision in If-Match. A save made from an older revision (another device or tab saved meanwhile) is 412 with `current`, the draft as it is now: show both and let the person keep one by saving again with current's ETag. Every save keeps the draft for another retention period.",
		Errors:      append(errs, http.StatusPreconditionFailed),
	}, func(ctx context.Context, in *DraftSaveInput) (*DraftWritten, error) {
		id, err := parseDraftID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		rev, err := parseDraftETag(in.IfMatch)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := s.drafts.Save(ctx, s.draftOwner(ctx, in.GuestInput), id, rev, in.Body.Data, in.Body.Section)
		var stale *drafts.Stale
		if errors.As(err, &stale) {
			p := &DraftConflict{Current: s.draftOut(ctx, stale.Current, in.resolve())}
			p.Status, p.Title, p.Detail = http.StatusPreconditionFailed, http.StatusText(http.StatusPreconditionFailed), err.Error()
			return nil, p
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.written(ctx, &DraftWritten{}, d, in.resolve()), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "deleteDraft", Security: guestSecurity, Method: http.MethodDelete, Path: "/api/v1/drafts/{id}", Tags: []string{tagDrafts},
		Summary:       "Delete a draft",
		Description:   "Deletes the draft and what was entered in it.",
		DefaultStatus: http.StatusNoContent,
		Errors:        errs,
	}, func(ctx context.Context, in *DraftIDInput) (*struct{}, error) {
		id, err := parseDraftID(in.ID)
		if err == nil {
			err = s.drafts.Delete(ctx, s.draftOwner(ctx, in.GuestInput), id)
		}
		return nil, s.problem(ctx, err)
	})

	huma.Register(api, huma.Operation{
		OperationID: "mailDraftLink", Security: guestSecurity, Method: http.MethodPost, Path: "/api/v1/drafts/{id}/continue-later", Tags: []string{tagDrafts},
		Summary:       "Mail a guest a link to continue later",
		Description:   "For a guest's draft: mails a link that resumes it in any browser, once, within 72 hours (the draft then moves to that browser, or to the account logged in there). At most 3 links per draft and 5 per address a day. An account's draft needs none (409): the account shows it on every device. 503 when the server has no mailer.",
		DefaultStatus: http.StatusAccepted,
		Errors:        append(errs, http.StatusConflict, http.StatusTooManyRequests, http.StatusServiceUnavailable),
	}, func(ctx context.Context, in *DraftLinkInput) (*struct{}, error) {
		id, err := parseDraftID(in.ID)
		if err == nil {
			err = s.drafts.MailLink(ctx, s.draftOwner(ctx, in.GuestInput), id, in.Body.Email, in.resolve())
		}
		return nil, s.problem(ctx, err)
	})

	huma.Register(api, huma.Operation{
		OperationID: "resumeDraft", Security: guestSecurity, Method: http.MethodPost, Path: "/api/v1/drafts/resume", Tags: []string{tagDrafts},
		Summary:     "Resume a draft from a \"continue later\" link",
		Description: "Spends the link's token and gives the draft to this browser's guest (setting the cookie when there is none) or to the logged-in account. A used, expired or unknown token is 404.",
		Errors:      errs,
	}, func(ctx context.Context, in *DraftResumeInput) (*DraftWritten, error) {
		out := &DraftWritten{}
		d, err := s.drafts.Resume(ctx, in.Body.Token, s.draftWriter(ctx, in.GuestInput, out))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.written(ctx, out, d, in.resolve()), nil
	})
}
