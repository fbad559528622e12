package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// SigningKey is an office's Ed25519 key; PrivateSealed is empty in lists.
type SigningKey struct {
	ID            string
	Office        string
	PublicKey     []byte
	PrivateSealed []byte
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

// Document is an issued document without its bytes.
type Document struct {
	ID            uuid.UUID
	Case          uuid.UUID
	CaseNumber    string // only in the account's list
	Account       *uuid.UUID
	Office        string
	Kind          string
	Title         string
	Filename      string
	ContentType   string
	Size          int
	SHA256        []byte
	KeyID         string
	Signature     []byte
	IssuedAt      time.Time
	RevokedAt     *time.Time
	RevokedReason *string
}

func keyFrom(r dbq.SigningKey) SigningKey {
	return SigningKey{ID: r.ID, Office: r.OfficeSlug, PublicKey: r.PublicKey, PrivateSealed: r.PrivateSealed, CreatedAt: r.CreatedAt, RetiredAt: r.RetiredAt}
}

func documentFrom(r dbq.DocumentMetaRow) Document {
	return Document{ID: r.ID, Case: r.CaseID, Account: r.AccountID, Office: r.OfficeSlug, Kind: r.Kind, Title: r.Title, Filename: r.Filename,
		ContentType: r.ContentType, Size: int(r.Size), SHA256: r.Sha256, KeyID: r.KeyID, Signature: r.Signature, IssuedAt: r.IssuedAt,
		RevokedAt: r.RevokedAt, RevokedReason: r.RevokedReason}
}

var errNoDocument = onErr{notFound: "no such document"}

// LockOfficeKeys serialises key changes of one office (in a transaction).
func (q *Queries) LockOfficeKeys(ctx context.Context, office string) error {
	_, err := q.gen.SigningKeyLockOffice(ctx, q.db, office)
	return mapErr(err, onErr{notFound: "no such office"})
}

// ActiveSigningKey is the office's current key; NotFound when it has none.
func (q *Queries) ActiveSigningKey(ctx context.Context, office string) (SigningKey, error) {
	r, err := q.gen.SigningKeyActive(ctx, q.db, office)
	return keyFrom(r), mapErr(err, onErr{notFound: "the office has no signing key yet"})
}

// AddSigningKey retires the office's active key, if any, and stores k as
// the active one. The caller holds LockOfficeKeys.
func (q *Queries) AddSigningKey(ctx context.Context, k SigningKey) (SigningKey, error) {
	if err := q.gen.SigningKeyRetire(ctx, q.db, k.Office); err != nil {
		return SigningKey{}, mapErr(err, onErr{})
	}
	r, err := q.gen.SigningKeyInsert(ctx, q.db, dbq.SigningKeyInsertParams{ID: k.ID, OfficeSlug: k.Office, PublicKey: k.PublicKey, PrivateSealed: k.PrivateSealed})
	return keyFrom(r), mapErr(err, onErr{conflict: "a key was added at the same time", missingRef: "no such office"})
}

// SigningKey returns a key by id.
func (q *Queries) SigningKey(ctx context.Context, id string) (SigningKey, error) {
	r, err := q.gen.SigningKeyGet(ctx, q.db, id)
	return keyFrom(r), mapErr(err, onErr{notFound: "no such key"})
}

// SigningKeys lists every key, active and retired, without private parts.
func (q *Queries) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	rows, err := q.gen.SigningKeyList(ctx, q.db)
	return convert(rows, func(r dbq.SigningKeyListRow) SigningKey {
		return SigningKey{ID: r.ID, Office: r.OfficeSlug, PublicKey: r.PublicKey, CreatedAt: r.CreatedAt, RetiredAt: r.RetiredAt}
	}), mapErr(err, onErr{})
}

// AddDocument stores an issued document with its bytes.
func (q *Queries) AddDocument(ctx context.Context, d Document, body []byte) error {
	err := q.gen.DocumentInsert(ctx, q.db, dbq.DocumentInsertParams{ID: d.ID, CaseID: d.Case, AccountID: d.Account, OfficeSlug: d.Office, Kind: d.Kind,
		Title: d.Title, Filename: d.Filename, ContentType: d.ContentType, Size: int32(d.Size), Sha256: d.SHA256, KeyID: d.KeyID,
		Signature: d.Signature, IssuedAt: d.IssuedAt, Body: body})
	return mapErr(err, onErr{conflict: "this document exists already", missingRef: "no such case or key"})
}

// Document returns a document's metadata.
func (q *Queries) Document(ctx context.Context, id uuid.UUID) (Document, error) {
	r, err := q.gen.DocumentMeta(ctx, q.db, id)
	return documentFrom(r), mapErr(err, errNoDocument)
}

// DocumentBody returns a document's bytes.
func (q *Queries) DocumentBody(ctx context.Context, id uuid.UUID) ([]byte, error) {
	b, err := q.gen.DocumentBody(ctx, q.db, id)
	return b, mapErr(err, errNoDocument)
}

// AccountDocuments lists the documents delivered to an account, newest first.
func (q *Queries) AccountDocuments(ctx context.Context, account uuid.UUID) ([]Document, error) {
	rows, err := q.gen.DocumentsOfAccount(ctx, q.db, &account)
	return convert(rows, func(r dbq.DocumentsOfAccountRow) Document {
		d := documentFrom(dbq.DocumentMetaRow{ID: r.ID, CaseID: r.CaseID, AccountID: r.AccountID, OfficeSlug: r.OfficeSlug, Kind: r.Kind, Title: r.Title,
			Filename: r.Filename, ContentType: r.ContentType, Size: r.Size, Sha256: r.Sha256, KeyID: r.KeyID, Signature: r.Signature,
			IssuedAt: r.IssuedAt, RevokedAt: r.RevokedAt, RevokedReason: r.RevokedReason})
		d.CaseNumber = r.CaseNumber
		return d
	}), mapErr(err, onErr{})
}

// RevokeDocument marks a document revoked; false when it was already.
func (q *Queries) RevokeDocument(ctx context.Context, id uuid.UUID, reason string) (bool, error) {
	n, err := q.gen.DocumentRevoke(ctx, q.db, dbq.DocumentRevokeParams{ID: id, Reason: &reason})
	return n == 1, mapErr(err, onErr{})
}
