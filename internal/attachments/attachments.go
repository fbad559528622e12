// Package attachments holds the files people attach to forms: photos of
// a damaged street light, a scanned contract. An upload is checked by
// its content, never by its name or the type the browser claims: only
// JPEG, PNG, WebP and HEIC photos and PDF documents are taken, at most
// 10 MiB each; the sniffed type is stored and served, always as an
// attachment with nosniff, so an upload can never run as a page on
// Schalter's origin. Each file keeps its SHA-256.
//
// Attachments belong to their uploader as drafts do (an account, or a
// guest's hashed id); they move to the account at login and with a
// "continue later" link, and a submission hands those its data names to
// the case, for the office. Files no submission took are deleted after
// the drafts' retention.
//
// The bytes sit behind Blobs: PostgreSQL by default (PGBlobs); an
// S3-compatible object store is the production option for large volumes
// (see docs/attachments.md).
package attachments

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"path"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

const (
	// MaxBytes bounds one file: a phone photo, a multi-page scan.
	MaxBytes = 10 << 20
	// MaxOpen bounds the files one owner keeps that no case took.
	MaxOpen = 50
)

// Attachment is a stored file without its bytes.
type Attachment = store.Attachment

// Blobs stores attachments' bytes. Put runs in the transaction that
// stores the metadata (q), so neither exists without the other.
type Blobs interface {
	Put(ctx context.Context, q *store.Queries, id string, body []byte) error
	Get(ctx context.Context, q *store.Queries, id string) ([]byte, error)
}

// PGBlobs keeps the bytes in PostgreSQL (table attachment_blob), in the
// same backups as everything else.
type PGBlobs struct{}

// Put implements Blobs.
func (PGBlobs) Put(ctx context.Context, q *store.Queries, id string, body []byte) error {
	return q.PutAttachmentBlob(ctx, id, body)
}

// Get implements Blobs.
func (PGBlobs) Get(ctx context.Context, q *store.Queries, id string) ([]byte, error) {
	return q.AttachmentBlob(ctx, id)
}

// Service runs the attachments use cases.
type Service struct {
	st    *store.Store
	blobs Blobs
}

// New returns the attachments service, its bytes in blobs.
func New(st *store.Store, blobs Blobs) *Service { return &Service{st: st, blobs: blobs} }

// Sniff is the type of body by its content, or "" when it is none of the
// types Schalter takes.
func Sniff(body []byte) string {
	if len(body) >= 12 && string(body[4:8]) == "ftyp" {
		switch string(body[8:12]) {
		case "heic", "heix", "heim", "heis", "mif1", "msf1":
			return "image/heic" // iPhone photos; net/http does not know them
		}
	}
	switch t := http.DetectContentType(body); t {
	case "image/jpeg", "image/png", "image/webp":
		return t
	case "application/pdf":
		if bytes.Contains(body[max(0, len(body)-1024):], []byte("%%EOF")) {
			return t
		}
	}
	return ""
}

// Upload stores a file for owner.
func (s *Service) Upload(ctx context.Context, owner drafts.Owner, filename string, body []byte) (Attachment, error) {
	if owner.IsZero() {
		return Attachment{}, apperr.New(apperr.Internal, "an attachment needs an owner")
	}
	switch {
	case len(body) == 0:
		return Attachment{}, apperr.InvalidFields("the file is empty", apperr.FieldError{Path: "body", Message: "must be a file"})
	case len(body) > MaxBytes:
		return Attachment{}, apperr.InvalidFields("the file is too large", apperr.FieldError{Path: "body", Message: "must be at most 10 MiB"})
	}
	kind := Sniff(body)
	if kind == "" {
		return Attachment{}, apperr.InvalidFields("this kind of file is not accepted",
			apperr.FieldError{Path: "body", Message: "must be a JPEG, PNG, WebP or HEIC photo or a PDF (checked by its content, not its name)"})
	}
	sum := sha256.Sum256(body)
	a := Attachment{ID: newID(), Owner: owner.Key(), Filename: cleanName(filename), ContentType: kind, Size: len(body), SHA256: sum[:]}
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		n, err := q.OpenAttachmentCount(ctx, a.Owner)
		if err != nil {
			return err
		}
		if n >= MaxOpen {
			return apperr.New(apperr.Conflict, "you have %d files waiting for a submission; submit or let them expire first", n)
		}
		if err := q.AddAttachment(ctx, a); err != nil {
			return err
		}
		return s.blobs.Put(ctx, q, a.ID, body)
	})
	return a, err
}

// newID is att_ and 128 random bits: what form fields of widget "file" hold.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "att_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// cleanName keeps a file name readable and harmless: its last path
// element, letters, digits and . _ - only, at most 120 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '.' || r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsSpace(r) || unicode.IsLetter(r):
			b.WriteRune('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if len(out) > 120 {
		out = out[len(out)-120:]
	}
	if out == "" {
		return "anhang"
	}
	return out
}

// Download is owner's file with its bytes; anyone else's is NotFound.
func (s *Service) Download(ctx context.Context, owner drafts.Owner, id string) (Attachment, []byte, error) {
	if owner.IsZero() {
		return Attachment{}, nil, apperr.New(apperr.NotFound, "no such attachment")
	}
	a, err := s.st.OwnAttachment(ctx, owner.Key(), id)
	if err != nil {
		return Attachment{}, nil, err
	}
	body, err := s.blobs.Get(ctx, s.st.Queries, id)
	return a, body, err
}

// StaffDownload is a file of a case of the staff member's offices,
// written to the person's transparency log in the same transaction.
func (s *Service) StaffDownload(ctx context.Context, staff uuid.UUID, id string) (Attachment, []byte, error) {
	var a Attachment
	var body []byte
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		offices, err := cases.StaffOffices(ctx, q, staff)
		if err != nil {
			return err
		}
		if a, err = q.OfficeAttachment(ctx, offices, id); err != nil {
			return err
		}
		if body, err = s.blobs.Get(ctx, q, id); err != nil {
			return err
		}
		c, err := q.CaseByID(ctx, *a.Case)
		if err != nil || c.Account == nil {
			return err
		}
		return transparency.StaffRead(ctx, q, staff, *c.Account, c.Office, []string{"Anhang " + a.Filename + " zu Antrag " + c.Number},
			"Bearbeitung Ihres Antrags", "Gesetzliche Aufgabe des zuständigen Amtes")
	})
	return a, body, err
}

// AdoptGuest moves the files of the guest whose cookie came with a login
// to the account.
func (s *Service) AdoptGuest(ctx context.Context, guestID string, account uuid.UUID) (int64, error) {
	g := drafts.Guest(guestID)
	if g.IsZero() {
		return 0, nil
	}
	return s.st.AdoptGuestAttachments(ctx, g.Key().GuestHash, account)
}

// Prune deletes files no submission took within the drafts' retention
// (the periodic PruneArgs job).
func (s *Service) Prune(ctx context.Context) (int64, error) { return s.st.PruneAttachments(ctx) }

// PruneArgs is the periodic job that runs Prune (a jobs.Chore).
type PruneArgs struct{}

// Kind names the job in River.
func (PruneArgs) Kind() string { return "attachment_prune" }
