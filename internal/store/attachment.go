package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Attachment is a file attached to a form, without its bytes.
type Attachment struct {
	ID          string
	Owner       DraftOwner
	Case        *uuid.UUID
	Filename    string
	ContentType string
	Size        int
	SHA256      []byte
	CreatedAt   time.Time
}

func attachmentFrom(r dbq.Attachment) Attachment {
	return Attachment{ID: r.ID, Owner: DraftOwner{Account: r.AccountID, GuestHash: r.GuestHash}, Case: r.CaseID, Filename: r.Filename,
		ContentType: r.ContentType, Size: int(r.Size), SHA256: r.Sha256, CreatedAt: r.CreatedAt}
}

var errNoAttachment = onErr{notFound: "no such attachment"}

// AddAttachment stores an attachment's metadata.
func (q *Queries) AddAttachment(ctx context.Context, a Attachment) error {
	err := q.gen.AttachmentInsert(ctx, q.db, dbq.AttachmentInsertParams{ID: a.ID, AccountID: a.Owner.Account, GuestHash: a.Owner.GuestHash,
		Filename: a.Filename, ContentType: a.ContentType, Size: int32(a.Size), Sha256: a.SHA256})
	return mapErr(err, onErr{conflict: "this attachment exists already", missingRef: "no such account"})
}

// PutAttachmentBlob stores an attachment's bytes (the PostgreSQL blob store).
func (q *Queries) PutAttachmentBlob(ctx context.Context, id string, body []byte) error {
	return mapErr(q.gen.AttachmentBlobPut(ctx, q.db, dbq.AttachmentBlobPutParams{ID: id, Body: body}), onErr{missingRef: "no such attachment"})
}

// AttachmentBlob returns an attachment's bytes.
func (q *Queries) AttachmentBlob(ctx context.Context, id string) ([]byte, error) {
	b, err := q.gen.AttachmentBlobGet(ctx, q.db, id)
	return b, mapErr(err, errNoAttachment)
}

// OwnAttachment returns owner's attachment id; NotFound for anyone else's.
func (q *Queries) OwnAttachment(ctx context.Context, owner DraftOwner, id string) (Attachment, error) {
	r, err := q.gen.AttachmentOfOwner(ctx, q.db, dbq.AttachmentOfOwnerParams{ID: id, AccountID: owner.Account, GuestHash: owner.GuestHash})
	return attachmentFrom(r), mapErr(err, errNoAttachment)
}

// OfficeAttachment returns attachment id of a case of offices.
func (q *Queries) OfficeAttachment(ctx context.Context, offices []string, id string) (Attachment, error) {
	r, err := q.gen.AttachmentOfOffices(ctx, q.db, dbq.AttachmentOfOfficesParams{ID: id, Offices: offices})
	return attachmentFrom(r), mapErr(err, errNoAttachment)
}

// OpenAttachmentCount counts owner's attachments no case took yet.
func (q *Queries) OpenAttachmentCount(ctx context.Context, owner DraftOwner) (int, error) {
	n, err := q.gen.AttachmentCountOfOwner(ctx, q.db, dbq.AttachmentCountOfOwnerParams{AccountID: owner.Account, GuestHash: owner.GuestHash})
	return int(n), mapErr(err, onErr{})
}

// LinkAttachments gives the account's open attachments ids to a case and
// says how many it took.
func (q *Queries) LinkAttachments(ctx context.Context, account, caseID uuid.UUID, ids []string) (int64, error) {
	n, err := q.gen.AttachmentLink(ctx, q.db, dbq.AttachmentLinkParams{CaseID: &caseID, Ids: ids, AccountID: &account})
	return n, mapErr(err, onErr{})
}

// AdoptGuestAttachments moves a guest's open attachments to the account.
func (q *Queries) AdoptGuestAttachments(ctx context.Context, guestHash []byte, account uuid.UUID) (int64, error) {
	n, err := q.gen.AttachmentAdoptGuest(ctx, q.db, dbq.AttachmentAdoptGuestParams{GuestHash: guestHash, AccountID: &account})
	return n, mapErr(err, onErr{})
}

// PruneAttachments deletes attachments no submission took in time.
func (q *Queries) PruneAttachments(ctx context.Context) (int64, error) {
	n, err := q.gen.AttachmentPrune(ctx, q.db)
	return n, mapErr(err, onErr{})
}

// MoveAttachments gives from's open attachments to to.
func (q *Queries) MoveAttachments(ctx context.Context, from, to DraftOwner) error {
	_, err := q.gen.AttachmentMove(ctx, q.db, dbq.AttachmentMoveParams{FromAccount: from.Account, FromGuest: from.GuestHash, ToAccount: to.Account, ToGuest: to.GuestHash})
	return mapErr(err, onErr{})
}
