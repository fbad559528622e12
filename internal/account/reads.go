package account

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store"
)

// The account's records as the rest of Schalter sees them. They are the
// store's domain types (never sqlc's), named here so that the HTTP edge
// depends on the account domain and not on the database package.
type (
	Account   = store.Account
	Role      = store.Role
	APIToken  = store.APIToken
	Passkey   = store.Passkey
	Device    = store.Device
	Factors   = store.Factors
	SMSNumber = store.SMSNumber
)

// Account returns the account with id; NotFound once it is deleted.
func (s *Service) Account(ctx context.Context, id uuid.UUID) (*Account, error) {
	return s.Store.AccountByID(ctx, id)
}

// Roles returns the account's roles.
func (s *Service) Roles(ctx context.Context, id uuid.UUID) ([]Role, error) {
	return s.Store.Roles(ctx, id)
}

// IsAdmin reports whether the account is an administrator.
func (s *Service) IsAdmin(ctx context.Context, id uuid.UUID) (bool, error) {
	return s.hasRole(ctx, id, RoleAdmin)
}

// IsStaff reports whether the account works in an office (any office:
// which cases it sees is internal/cases' rule).
func (s *Service) IsStaff(ctx context.Context, id uuid.UUID) (bool, error) {
	return s.hasRole(ctx, id, RoleStaff)
}

func (s *Service) hasRole(ctx context.Context, id uuid.UUID, role string) (bool, error) {
	roles, err := s.Store.Roles(ctx, id)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(roles, func(r Role) bool { return r.Role == role }), nil
}

// APITokens lists the account's personal API tokens, newest first.
func (s *Service) APITokens(ctx context.Context, id uuid.UUID) ([]APIToken, error) {
	return s.Store.APITokens(ctx, id)
}

// DeleteAPIToken revokes one of the account's tokens; another account's
// token is NotFound.
func (s *Service) DeleteAPIToken(ctx context.Context, id, token uuid.UUID) error {
	return s.Store.DeleteAPIToken(ctx, id, token)
}

// ListPasskeys lists the account's passkeys, oldest first.
func (s *Service) ListPasskeys(ctx context.Context, id uuid.UUID) ([]Passkey, error) {
	return s.Store.Passkeys(ctx, id)
}

// AddDevice records the session behind token as one of the account's
// devices (what "My sessions" lists), with the methods of its login.
func (s *Service) AddDevice(ctx context.Context, token, deviceID string, id uuid.UUID, userAgent, methods string) error {
	return s.Store.AddDevice(ctx, token, deviceID, id, userAgent, methods)
}

// Devices lists the account's live sessions, newest first.
func (s *Service) Devices(ctx context.Context, id uuid.UUID) ([]Device, error) {
	return s.Store.Devices(ctx, id)
}

// EndDevice logs one of the account's sessions out; another account's
// session is NotFound.
func (s *Service) EndDevice(ctx context.Context, id uuid.UUID, deviceID string) error {
	return s.Store.EndDevice(ctx, id, deviceID)
}

// SMSNumber returns the account's number for SMS codes, confirmed or being
// confirmed; NotFound when there is none.
func (s *Service) SMSNumber(ctx context.Context, id uuid.UUID) (*SMSNumber, error) {
	return s.Store.SMS(ctx, id)
}
