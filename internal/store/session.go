package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Device is one live session of an account.
type Device struct {
	ID        string
	UserAgent string
	Methods   string
	CreatedAt time.Time
	Expiry    time.Time
}

// AddDevice records that a session token belongs to an account.
func (s *Store) AddDevice(ctx context.Context, token, id string, account uuid.UUID, userAgent, methods string) error {
	return s.q.SessionDeviceAdd(ctx, s.pool, dbq.SessionDeviceAddParams{Token: token, ID: id, AccountID: account, UserAgent: userAgent, Methods: methods})
}

// Devices lists an account's live sessions, newest first.
func (s *Store) Devices(ctx context.Context, account uuid.UUID) ([]Device, error) {
	rows, err := s.q.SessionDeviceList(ctx, s.pool, account)
	if err != nil {
		return nil, err
	}
	out := make([]Device, 0, len(rows))
	for _, r := range rows {
		out = append(out, Device{ID: r.ID, UserAgent: r.UserAgent, Methods: r.Methods, CreatedAt: r.CreatedAt, Expiry: r.Expiry})
	}
	return out, nil
}

// EndDevice ends one of the account's sessions; NotFound for a session of
// another account or one that is gone.
func (s *Store) EndDevice(ctx context.Context, account uuid.UUID, id string) error {
	n, err := s.q.SessionDeviceEnd(ctx, s.pool, dbq.SessionDeviceEndParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such session")
	}
	return err
}

// PruneDevices forgets sessions that ended.
func (s *Store) PruneDevices(ctx context.Context) (int64, error) {
	return s.q.SessionDevicePrune(ctx, s.pool)
}

// KnownDevice is a browser and system an account logged in from.
type KnownDevice = dbq.KnownDevicesRow

// SeenDevice records a login from a device label and reports whether the
// account had never used it before.
func (s *Store) SeenDevice(ctx context.Context, account uuid.UUID, label string) (bool, error) {
	return s.q.KnownDeviceSeen(ctx, s.pool, dbq.KnownDeviceSeenParams{AccountID: account, Label: label})
}

// KnownDevices lists the device labels of an account, most recent first.
func (s *Store) KnownDevices(ctx context.Context, account uuid.UUID) ([]KnownDevice, error) {
	return s.q.KnownDevices(ctx, s.pool, account)
}
