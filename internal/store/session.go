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
func (q *Queries) AddDevice(ctx context.Context, token, id string, account uuid.UUID, userAgent, methods string) error {
	return q.gen.SessionDeviceAdd(ctx, q.db, dbq.SessionDeviceAddParams{Token: token, ID: id, AccountID: account, UserAgent: userAgent, Methods: methods})
}

// Devices lists an account's live sessions, newest first.
func (q *Queries) Devices(ctx context.Context, account uuid.UUID) ([]Device, error) {
	rows, err := q.gen.SessionDeviceList(ctx, q.db, account)
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
func (q *Queries) EndDevice(ctx context.Context, account uuid.UUID, id string) error {
	n, err := q.gen.SessionDeviceEnd(ctx, q.db, dbq.SessionDeviceEndParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such session")
	}
	return err
}

// PruneDevices forgets sessions that ended.
func (q *Queries) PruneDevices(ctx context.Context) (int64, error) {
	return q.gen.SessionDevicePrune(ctx, q.db)
}

// KnownDevice is a browser and system an account logged in from.
type KnownDevice struct {
	Label     string
	FirstSeen time.Time
	LastSeen  time.Time
}

// SeenDevice records a login from a device label and reports whether the
// account had never used it before.
func (q *Queries) SeenDevice(ctx context.Context, account uuid.UUID, label string) (bool, error) {
	return q.gen.KnownDeviceSeen(ctx, q.db, dbq.KnownDeviceSeenParams{AccountID: account, Label: label})
}

// KnownDevices lists the device labels of an account, most recent first.
func (q *Queries) KnownDevices(ctx context.Context, account uuid.UUID) ([]KnownDevice, error) {
	rows, err := q.gen.KnownDevices(ctx, q.db, account)
	return convert(rows, func(r dbq.KnownDevicesRow) KnownDevice { return KnownDevice(r) }), mapErr(err, onErr{})
}
