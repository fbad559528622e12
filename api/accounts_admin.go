package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/privacy"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// Administrators manage roles. These operations need an administrator's
// session at level two_factor (not the catalogue's bearer token: a person
// is accountable for every role change), and every look-up of an account
// is written to that person's transparency log.

var adminSessionSecurity = []map[string][]string{{sessionScheme: {account.RoleAdmin}}}

// AccountAdminOut is an account as administrators see it.
type AccountAdminOut struct {
	ID            uuid.UUID `json:"id"`
	Email         string    `json:"email" example:"eva.meier@uster.ch"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
	Roles         []RoleOut `json:"roles"`
}

// FindAccountInput looks an account up by its exact address.
type FindAccountInput struct {
	Email string `query:"email" required:"true" maxLength:"254" doc:"The exact address; there is no listing or partial search of residents." example:"eva.meier@uster.ch"`
}

// SetRolesInput replaces an account's roles.
type SetRolesInput struct {
	ID   uuid.UUID `path:"id" example:"0b7d2f0e-5c1a-4f7e-9d3b-2a1c4e5f6a7b"`
	Body struct {
		Roles []RoleIn `json:"roles" maxItems:"50" doc:"The complete list; an empty list makes the account a resident only."`
	}
}

// RoleIn is a role to grant.
type RoleIn struct {
	Role   string `json:"role" enum:"staff,editor,admin"`
	Office string `json:"office,omitempty" maxLength:"100" doc:"Required for staff: the office slug." example:"einwohnerdienste"`
}

func (s *Server) registerAccountAdmin(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "findAccount", Method: http.MethodGet, Path: "/api/v1/admin/accounts", Tags: []string{tagAccount}, Security: adminSessionSecurity,
		Summary: "Find an account (administrators)",
		Description: "Looks an account up by its exact e-mail address to manage its roles. Administrators only, at level two_factor; " +
			"the look-up appears in the person's transparency log.",
		Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *FindAccountInput) (*Uncached[AccountAdminOut], error) {
		_, normalized, err := account.NormalizeEmail(in.Email)
		if err != nil {
			return nil, s.problem(ctx, fieldAt(err, "query.email"))
		}
		admin, _ := s.sessionAccount(ctx)
		v, err := s.privacy.AccountByEmail(ctx, admin, normalized)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[AccountAdminOut]{CacheControl: "private, no-store", Body: accountAdminOut(v)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "setAccountRoles", Method: http.MethodPut, Path: "/api/v1/admin/accounts/{id}/roles", Tags: []string{tagAccount}, Security: adminSessionSecurity,
		Summary: "Set an account's roles (administrators)",
		Description: "Replaces the roles: staff (one entry per office), editor, admin. The last administrator cannot be removed (409). " +
			"The person is told by e-mail. Idempotent.",
		Errors: append(errs, http.StatusNotFound, http.StatusConflict),
	}, func(ctx context.Context, in *SetRolesInput) (*Uncached[AccountAdminOut], error) {
		roles := make([]account.Role, 0, len(in.Body.Roles))
		for _, r := range in.Body.Roles {
			roles = append(roles, account.Role{Role: r.Role, Office: r.Office})
		}
		if err := s.accounts.SetRoles(ctx, in.ID, roles); err != nil {
			return nil, s.problem(ctx, err)
		}
		admin, _ := s.sessionAccount(ctx)
		v, err := s.privacy.AccountByID(ctx, admin, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[AccountAdminOut]{CacheControl: "private, no-store", Body: accountAdminOut(v)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "verifyTransparencyLog", Method: http.MethodGet, Path: "/api/v1/admin/transparency/verify", Tags: []string{tagPrivacy}, Security: adminSessionSecurity,
		Summary:     "Check the transparency log (administrators)",
		Description: "Walks the whole hash chain and reports the first entry that was changed, removed or reordered, and the head hash to publish elsewhere. Also `schalter transparency verify`.",
		Errors:      errs,
	}, func(ctx context.Context, _ *struct{}) (*Uncached[transparency.Report], error) {
		r, err := s.privacy.VerifyLog(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[transparency.Report]{CacheControl: "no-store", Body: r}, nil
	})
}

// accountAdminOut shows an account to an administrator; privacy.Service
// has written the look-up to the person's transparency log already.
func accountAdminOut(v privacy.AccountView) AccountAdminOut {
	acc := v.Account
	return AccountAdminOut{ID: acc.ID, Email: acc.Email, EmailVerified: acc.EmailVerifiedAt != nil, CreatedAt: acc.CreatedAt.UTC(), Roles: mapAll(v.Roles, roleOut)}
}

func roleOut(r account.Role) RoleOut { return RoleOut{Role: r.Role, Office: r.Office} }

// fieldAt points a single-field validation error at another location,
// e.g. a query parameter instead of the body.
func fieldAt(err error, path string) error {
	if e, ok := apperr.As(err); ok {
		for i := range e.Fields {
			e.Fields[i].Path = path
		}
	}
	return err
}
