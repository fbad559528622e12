package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/privacy"
)

// The privacy cockpit: the profile a person chooses to fill, the consents
// that let forms prefill from it, and the transparency log of who saw or
// received which data.

const tagPrivacy = "Privacy"

// Profile is what a person chooses to give; every field is optional.
type Profile struct {
	GivenName      *string  `json:"given_name,omitempty" maxLength:"100" example:"Anna"`
	FamilyName     *string  `json:"family_name,omitempty" maxLength:"100" example:"Muster"`
	Street         *string  `json:"street,omitempty" maxLength:"200" example:"Bahnhofstrasse 1"`
	PostalCode     *string  `json:"postal_code,omitempty" maxLength:"20" example:"8610"`
	Locality       *string  `json:"locality,omitempty" maxLength:"100" example:"Uster"`
	Country        *string  `json:"country,omitempty" maxLength:"2" doc:"ISO 3166 code; CH when empty." example:"CH"`
	Phone          *string  `json:"phone,omitempty" maxLength:"30" doc:"Stored as E.164." example:"+41791234567"`
	Language       *string  `json:"language,omitempty" enum:"de,fr,it,en"`
	NotifyChannels []string `json:"notify_channels,omitempty" maxItems:"3" enum:"email,sms,push" doc:"Preferred channels for notifications."`
}

// ProfileOut is the stored profile.
type ProfileOut struct {
	Profile
	UpdatedAt *time.Time `json:"updated_at,omitempty" doc:"Unset until the profile is first saved."`
}

func profileOut(p privacy.Profile) ProfileOut {
	out := ProfileOut{Profile: Profile{GivenName: p.GivenName, FamilyName: p.FamilyName, Street: p.Street, PostalCode: p.PostalCode,
		Locality: p.Locality, Country: p.Country, Phone: p.Phone, Language: p.Language, NotifyChannels: p.NotifyChannels}}
	if !p.UpdatedAt.IsZero() {
		t := p.UpdatedAt.UTC()
		out.UpdatedAt = &t
	}
	return out
}

// ConsentOut is a consent to prefill the forms of one service.
type ConsentOut struct {
	Service   string     `json:"service" example:"umzug-melden"`
	Fields    []string   `json:"fields" example:"[\"given_name\",\"family_name\",\"street\"]"`
	GrantedAt time.Time  `json:"granted_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Active    bool       `json:"active"`
}

func consentOut(c privacy.Consent) ConsentOut {
	return ConsentOut{Service: c.Service, Fields: c.Fields, GrantedAt: c.GrantedAt.UTC(), RevokedAt: utcPtr(c.RevokedAt), Active: c.RevokedAt == nil}
}

// mapAll converts a list for the wire; never nil, as Schalter's lists
// are always present.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ConsentInput grants a consent for one service.
type ConsentInput struct {
	Slug string `path:"slug" maxLength:"100" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"adressauskunft"`
	Body struct {
		Fields []string `json:"fields" minItems:"1" maxItems:"10" doc:"Profile fields the service's forms may read: given_name, family_name, street, postal_code, locality, country, phone, language, email; and earlier_cases: the answers of the person's last case of the service that its form lists as reusable (ui.reuse)." example:"[\"given_name\",\"family_name\"]"`
	}
}

// PrefillOut is what a form may fill in.
type PrefillOut struct {
	Service string            `json:"service" example:"adressauskunft"`
	Values  map[string]string `json:"values" doc:"Consented fields that have a value; empty without consent."`
	Consent *ConsentOut       `json:"consent,omitempty" doc:"Unset when the person has not agreed yet: ask, then PUT /api/v1/me/consents/{slug}."`
	Fields  []string          `json:"fields" doc:"Every profile field a form can ask for."`
	Earlier *EarlierOut       `json:"earlier,omitempty" doc:"With consent to earlier_cases and a case of this service before: its answers the form may reuse."`
}

// EarlierOut are the reusable answers of the person's last case.
type EarlierOut struct {
	CaseNumber  string                     `json:"case_number" example:"UST-2025-000412-7"`
	SubmittedAt time.Time                  `json:"submitted_at"`
	Values      map[string]json.RawMessage `json:"values" doc:"Form field → the answer given then (any JSON the form's schema allows)."`
}

// AccessEntryOut is one entry of the transparency log.
type AccessEntryOut struct {
	Seq        int64     `json:"seq" example:"42"`
	OccurredAt time.Time `json:"occurred_at"`
	ActorKind  string    `json:"actor_kind" enum:"staff,office,connector,form,system"`
	Actor      string    `json:"actor" example:"eva.meier@uster.ch"`
	Office     string    `json:"office,omitempty" example:"einwohnerdienste"`
	Action     string    `json:"action" enum:"read,disclose"`
	Data       []string  `json:"data" example:"[\"Name\",\"Adresse\"]"`
	Purpose    string    `json:"purpose"`
	LegalBasis string    `json:"legal_basis"`
	Sealed     bool      `json:"sealed" doc:"The entry's hash matches its content (tamper check)."`
}

// AccessLogInput pages the transparency log.
type AccessLogInput struct {
	Before int64 `query:"before" minimum:"0" doc:"Show entries older than this seq (from next_before)."`
	Limit  int   `query:"limit" minimum:"1" maximum:"100" default:"50"`
}

// AccessLogOut is a page of the transparency log.
type AccessLogOut struct {
	Items      []AccessEntryOut `json:"items"`
	NextBefore int64            `json:"next_before,omitempty" doc:"Pass as before for the next page; unset on the last page."`
}

func accessEntryOut(e privacy.Entry) AccessEntryOut {
	out := AccessEntryOut{Seq: e.Seq, OccurredAt: e.OccurredAt.UTC(), ActorKind: e.ActorKind, Actor: e.Actor, Action: e.Action,
		Data: e.Data, Purpose: e.Purpose, LegalBasis: e.LegalBasis, Sealed: e.Sealed}
	if e.Office != nil {
		out.Office = *e.Office
	}
	return out
}

func (s *Server) registerPrivacy(api huma.API) {
	meOp := func(id, method, path, summary, desc string, errs ...int) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{tagPrivacy}, Security: sessionSecurity,
			Summary: summary, Description: desc, Errors: append([]int{http.StatusUnauthorized, http.StatusInternalServerError}, errs...)}
	}
	huma.Register(api, meOp("getMyProfile", http.MethodGet, "/api/v1/me/profile", "My profile",
		"What the person chose to give. Forms prefill from it only for services the person agreed to."),
		func(ctx context.Context, _ *struct{}) (*Uncached[ProfileOut], error) {
			id, _ := s.sessionAccount(ctx)
			p, err := s.privacy.Profile(ctx, id)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &Uncached[ProfileOut]{CacheControl: "private, no-store", Body: profileOut(p)}, nil
		})

	huma.Register(api, meOp("putMyProfile", http.MethodPut, "/api/v1/me/profile", "Save my profile",
		"Replaces the profile: fields left out are removed. Phone numbers are stored as E.164; a Swiss postal code has four digits.",
		http.StatusForbidden, http.StatusUnprocessableEntity),
		func(ctx context.Context, in *struct{ Body Profile }) (*Uncached[ProfileOut], error) {
			id, _ := s.sessionAccount(ctx)
			b := in.Body
			p, err := s.privacy.SaveProfile(ctx, id, account.ProfileInput{GivenName: b.GivenName, FamilyName: b.FamilyName, Street: b.Street,
				PostalCode: b.PostalCode, Locality: b.Locality, Country: b.Country, Phone: b.Phone, Language: b.Language, NotifyChannels: b.NotifyChannels})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &Uncached[ProfileOut]{CacheControl: "private, no-store", Body: profileOut(p)}, nil
		})

	huma.Register(api, meOp("listMyConsents", http.MethodGet, "/api/v1/me/consents", "My consents",
		"Every consent to prefill forms, active and revoked, newest first."),
		func(ctx context.Context, _ *struct{}) (*Uncached[Items[ConsentOut]], error) {
			id, _ := s.sessionAccount(ctx)
			cs, err := s.privacy.Consents(ctx, id)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &Uncached[Items[ConsentOut]]{CacheControl: "private, no-store", Body: Items[ConsentOut]{Items: mapAll(cs, consentOut)}}, nil
		})

	huma.Register(api, meOp("grantConsent", http.MethodPut, "/api/v1/me/consents/{slug}", "Agree to prefill a service's forms",
		"Lets the forms of one service read the listed profile fields, replacing an earlier consent for it. Idempotent.",
		http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity),
		func(ctx context.Context, in *ConsentInput) (*Uncached[ConsentOut], error) {
			id, _ := s.sessionAccount(ctx)
			if _, err := s.formService(ctx, in.Slug); err != nil {
				return nil, s.problem(ctx, err)
			}
			c, err := s.accounts.GrantConsent(ctx, id, in.Slug, in.Body.Fields)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &Uncached[ConsentOut]{CacheControl: "private, no-store", Body: consentOut(c)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "revokeConsent", Method: http.MethodDelete, Path: "/api/v1/me/consents/{slug}",
		Tags: []string{tagPrivacy}, Security: sessionSecurity, DefaultStatus: http.StatusNoContent,
		Summary: "Withdraw a consent", Description: "From now on the service's forms start empty. The consent stays in the list as revoked.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}},
		func(ctx context.Context, in *ServiceAccessInput) (*struct{}, error) {
			id, _ := s.sessionAccount(ctx)
			return nil, s.problem(ctx, s.privacy.RevokeConsent(ctx, id, in.Slug))
		})

	huma.Register(api, meOp("prefillForm", http.MethodGet, "/api/v1/me/services/{slug}/prefill", "Prefill a service's form",
		"The consented profile fields for the service's form. Every call is recorded in the transparency log as a disclosure "+
			"to the form; without consent nothing is read and consent is unset.", http.StatusNotFound, http.StatusUnprocessableEntity),
		func(ctx context.Context, in *ServiceAccessInput) (*Uncached[PrefillOut], error) {
			id, _ := s.sessionAccount(ctx)
			svc, err := s.formService(ctx, in.Slug)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := PrefillOut{Service: in.Slug, Values: map[string]string{}, Fields: account.ProfileFields}
			p, err := s.accounts.Prefill(ctx, id, svc)
			switch {
			case err == nil:
				co := consentOut(p.Consent)
				out.Values, out.Consent = p.Values, &co
				if p.Earlier != nil {
					out.Earlier = &EarlierOut{CaseNumber: p.Earlier.Number, SubmittedAt: p.Earlier.SubmittedAt.UTC(), Values: p.Earlier.Values}
				}
			case apperr.CodeOf(err) == apperr.Forbidden:
				// No consent: the form asks first.
			default:
				return nil, s.problem(ctx, err)
			}
			return &Uncached[PrefillOut]{CacheControl: "private, no-store", Body: out}, nil
		})

	huma.Register(api, meOp("listMyDataAccess", http.MethodGet, "/api/v1/me/transparency", "Who saw my data",
		"The transparency log: every read or disclosure of the person's data by staff, a connector, another office or a form, "+
			"with who, what, when, purpose and legal basis, newest first. Each entry says whether its tamper seal holds.",
		http.StatusUnprocessableEntity),
		func(ctx context.Context, in *AccessLogInput) (*Uncached[AccessLogOut], error) {
			id, _ := s.sessionAccount(ctx)
			page, err := s.privacy.AccessLog(ctx, id, in.Before, in.Limit)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := AccessLogOut{Items: mapAll(page.Entries, accessEntryOut), NextBefore: page.NextBefore}
			return &Uncached[AccessLogOut]{CacheControl: "private, no-store", Body: out}, nil
		})
}

// formService finds a published service for consents and prefills.
func (s *Server) formService(ctx context.Context, slug string) (account.FormService, error) {
	snap, err := s.cache.Current(ctx)
	if err != nil {
		return account.FormService{}, err
	}
	d, err := snap.Service(slug)
	if err != nil {
		return account.FormService{}, err
	}
	out := account.FormService{Slug: d.Slug, Title: d.Title.De, Office: d.Office.Slug}
	// The answers a last case may give are the published form's to say.
	if v, err := s.forms.Published(ctx, slug); err == nil {
		out.Reuse = v.Definition.UI.Reuse
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return account.FormService{}, err
	}
	return out, nil
}
