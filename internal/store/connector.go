package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Connector is how Schalter reaches an office's system and the office's
// system reaches Schalter.
type Connector struct {
	Office       string
	EndpointURL  string
	StatusURL    string // where Schalter asks for its cases' status; "" when the system calls back
	KeyID        string
	SecretSealed []byte
	APIKeyHash   []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Reservation is a document an office announced for a case.
type Reservation struct {
	ID       uuid.UUID
	Case     uuid.UUID
	Kind     string
	Title    string
	Filename string
}

func connectorFrom(r dbq.Connector) Connector {
	return Connector{Office: r.OfficeSlug, EndpointURL: r.EndpointUrl, StatusURL: deref(r.StatusUrl), KeyID: r.KeyID, SecretSealed: r.SecretSealed,
		APIKeyHash: r.ApiKeyHash, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// PutConnector sets an office's connector.
func (q *Queries) PutConnector(ctx context.Context, c Connector) error {
	err := q.gen.ConnectorPut(ctx, q.db, dbq.ConnectorPutParams{OfficeSlug: c.Office, EndpointUrl: c.EndpointURL, StatusUrl: strPtr(c.StatusURL), KeyID: c.KeyID,
		SecretSealed: c.SecretSealed, ApiKeyHash: c.APIKeyHash})
	return mapErr(err, onErr{missingRef: "no such office", conflict: "this API key is in use"})
}

// OfficeConnector returns an office's connector; NotFound when it has none.
func (q *Queries) OfficeConnector(ctx context.Context, office string) (Connector, error) {
	r, err := q.gen.ConnectorOfOffice(ctx, q.db, office)
	return connectorFrom(r), mapErr(err, onErr{notFound: "the office has no connector"})
}

// OfficesWithConnector are those of offices that have a connector.
func (q *Queries) OfficesWithConnector(ctx context.Context, offices []string) ([]string, error) {
	out, err := q.gen.OfficesWithConnector(ctx, q.db, offices)
	return out, mapErr(err, onErr{})
}

// ConnectorByKey returns the connector whose API key hashes to hash.
func (q *Queries) ConnectorByKey(ctx context.Context, hash []byte) (Connector, error) {
	r, err := q.gen.ConnectorByKey(ctx, q.db, hash)
	return connectorFrom(r), mapErr(err, onErr{notFound: "unknown API key"})
}

// Connectors lists every connector without secrets.
func (q *Queries) Connectors(ctx context.Context) ([]Connector, error) {
	rows, err := q.gen.ConnectorList(ctx, q.db)
	return convert(rows, func(r dbq.ConnectorListRow) Connector {
		return Connector{Office: r.OfficeSlug, EndpointURL: r.EndpointUrl, StatusURL: deref(r.StatusUrl), KeyID: r.KeyID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}), mapErr(err, onErr{})
}

// PolledOffices lists the offices with a status URL, whose systems
// Schalter asks for the status of their cases.
func (q *Queries) PolledOffices(ctx context.Context) ([]string, error) {
	offices, err := q.gen.ConnectorsPolled(ctx, q.db)
	return offices, mapErr(err, onErr{})
}

// HandOver records that the office's system has the case (delivered to
// it, or read by it); once per case.
func (q *Queries) HandOver(ctx context.Context, caseID uuid.UUID) error {
	return mapErr(q.gen.HandoverInsert(ctx, q.db, caseID), onErr{missingRef: "no such case"})
}

// CaseStatus is a case's number and status.
type CaseStatus struct {
	Number string
	Status string
}

// HandedOverCases lists up to limit cases of office in statuses that its
// system has, ordered by number, after the number after ("" for the
// first page).
func (q *Queries) HandedOverCases(ctx context.Context, office string, statuses []string, after string, limit int) ([]CaseStatus, error) {
	rows, err := q.gen.HandedOverCases(ctx, q.db, dbq.HandedOverCasesParams{OfficeSlug: office, Statuses: statuses, After: after, Max: int32(limit)})
	return convert(rows, func(r dbq.HandedOverCasesRow) CaseStatus { return CaseStatus(r) }), mapErr(err, onErr{})
}

// AddReservation announces a document for a case.
func (q *Queries) AddReservation(ctx context.Context, r Reservation) error {
	err := q.gen.ReservationInsert(ctx, q.db, dbq.ReservationInsertParams{ID: r.ID, CaseID: r.Case, Kind: r.Kind, Title: r.Title, Filename: r.Filename})
	return mapErr(err, onErr{missingRef: "no such case"})
}

// TakeReservation spends a reservation; NotFound when there is none (or
// its document was uploaded already).
func (q *Queries) TakeReservation(ctx context.Context, id uuid.UUID) (Reservation, error) {
	r, err := q.gen.ReservationTake(ctx, q.db, id)
	return Reservation{ID: r.ID, Case: r.CaseID, Kind: r.Kind, Title: r.Title, Filename: r.Filename},
		mapErr(err, onErr{notFound: "no such document announced, or it was uploaded already"})
}
