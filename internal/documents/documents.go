// Package documents holds "Meine amtlichen Dokumente": documents an
// office delivers into a person's account, each signed so that anyone can
// check it.
//
// Each office signs with its own Ed25519 key, created on first use and
// rotatable; private keys are stored sealed with the server's secret box,
// public keys are published (GET /.well-known/schalter-signing-keys.json)
// and kept after rotation, so older documents still verify. The
// signature covers a canonical statement of the document's id, issuing
// office, kind, issue time and the SHA-256 of its bytes; the document
// carries a QR code linking to its public verification page, which says
// who issued what and when, whether the signature holds and whether a
// file someone holds is byte for byte that document, and nothing
// personal. A document is written once (a database trigger refuses any
// change but a revocation).
//
// Only the person it was delivered to downloads it; staff of the issuing
// office may too, and every such download is written to the person's
// transparency log in the same transaction.
package documents

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// MaxBytes bounds a document.
const MaxBytes = 20 << 20

// Document is an issued document, without its bytes; Key a signing key.
type (
	Document = store.Document
	Key      = store.SigningKey
)

// sealContext binds sealed private keys to their column.
var sealContext = []byte("signing-key")

// Service runs the documents use cases.
type Service struct {
	st  *store.Store
	box *secretbox.Box
	// verifyURL is where a document's QR code points, before its id.
	verifyURL string
	// keys and checked spare the public verification (a QR code scanned
	// by anyone, at any rate) a query and an Ed25519 check per request;
	// see Verify for why neither can go stale.
	keys    publicKeys
	checked checkedSignatures
}

// New returns the documents service; box seals the signing keys (nil:
// nothing can be issued, Unavailable), publicURL is the PWA's origin.
func New(st *store.Store, box *secretbox.Box, publicURL string) *Service {
	return &Service{st: st, box: box, verifyURL: strings.TrimRight(publicURL, "/") + "/verify/",
		keys: publicKeys{m: map[string]Key{}}, checked: checkedSignatures{m: map[[sha256.Size]byte]bool{}}}
}

// VerifyURL is the public verification page of document id, as its QR
// code carries it.
func (s *Service) VerifyURL(id uuid.UUID) string { return s.verifyURL + id.String() }

// StatementFormat describes Statement for verifiers outside Schalter.
const StatementFormat = "schalter-document-v1\nid:<uuid>\noffice:<office slug>\nkind:<kind>\nissued:<RFC 3339 UTC, seconds>\nsha256:<hex of the file's SHA-256>\n"

// Statement is what a signature covers: a line per fact, so that no
// field can run into another.
func Statement(d Document) []byte {
	return fmt.Appendf(nil, "schalter-document-v1\nid:%s\noffice:%s\nkind:%s\nissued:%s\nsha256:%s\n",
		d.ID, d.Office, d.Kind, d.IssuedAt.UTC().Format(time.RFC3339), hex.EncodeToString(d.SHA256))
}

// Issue describes a document to deliver.
type Issue struct {
	// ID is the document's id when it was announced before (its QR code
	// printed already); zero makes a new one.
	ID       uuid.UUID
	Case     store.Case
	Kind     string // e.g. "betreibungsregisterauszug"
	Title    string // what it is, shown in the list and on verification; nothing personal
	Filename string
	// Render makes the PDF; verifyURL is what its QR code must carry.
	Render func(id uuid.UUID, verifyURL string) ([]byte, error)
}

// IssueIn renders, signs and stores a document for the case's person in
// q's transaction (the delivery's): the document exists if and only if
// the delivery commits.
func (s *Service) IssueIn(ctx context.Context, q *store.Queries, in Issue) (Document, error) {
	if in.ID == uuid.Nil {
		in.ID = uuid.New()
	}
	d := Document{ID: in.ID, Case: in.Case.ID, Account: in.Case.Account, Office: in.Case.Office, Kind: in.Kind, Title: in.Title,
		Filename: in.Filename, ContentType: "application/pdf", IssuedAt: time.Now().UTC().Truncate(time.Second)}
	body, err := in.Render(d.ID, s.VerifyURL(d.ID))
	if err != nil {
		return Document{}, err
	}
	if err := checkPDF(body, "body"); err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(body)
	d.SHA256, d.Size = sum[:], len(body)
	key, priv, err := s.signer(ctx, q, d.Office)
	if err != nil {
		return Document{}, err
	}
	d.KeyID, d.Signature = key.ID, ed25519.Sign(priv, Statement(d))
	return d, q.AddDocument(ctx, d, body)
}

// checkPDF refuses what is not a PDF by its content, or too large.
func checkPDF(body []byte, path string) error {
	switch {
	case len(body) > MaxBytes:
		return apperr.InvalidFields("the document is too large", apperr.FieldError{Path: path, Message: "must be at most 20 MiB"})
	case !bytes.HasPrefix(body, []byte("%PDF-")) || !bytes.Contains(body[max(0, len(body)-1024):], []byte("%%EOF")):
		return apperr.InvalidFields("not a PDF", apperr.FieldError{Path: path, Message: "must be a PDF document (by its content, not its name)"})
	}
	return nil
}

// signer is the office's active key, made on first use.
func (s *Service) signer(ctx context.Context, q *store.Queries, office string) (Key, ed25519.PrivateKey, error) {
	if s.box == nil {
		return Key{}, nil, apperr.New(apperr.Unavailable, "documents cannot be signed: the server has no secret key (SCHALTER_SECRET_KEY)")
	}
	k, err := q.ActiveSigningKey(ctx, office)
	if apperr.CodeOf(err) == apperr.NotFound {
		k, err = s.newKey(ctx, q, office, true)
	}
	if err != nil {
		return Key{}, nil, err
	}
	seed, err := s.box.Open(k.PrivateSealed, sealContext)
	if err != nil {
		return Key{}, nil, fmt.Errorf("documents: opening signing key %s: %w", k.ID, err)
	}
	return k, ed25519.NewKeyFromSeed(seed), nil
}

// newKey makes the office a new active key, retiring the one before;
// first makes one only if the office still has none once it holds the
// lock (two first documents at once make one key).
func (s *Service) newKey(ctx context.Context, q *store.Queries, office string, first bool) (Key, error) {
	var k Key
	err := q.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockOfficeKeys(ctx, office); err != nil {
			return err
		}
		if first {
			var err error
			if k, err = q.ActiveSigningKey(ctx, office); apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		var suffix [4]byte
		_, _ = rand.Read(suffix[:])
		k, err = q.AddSigningKey(ctx, Key{ID: fmt.Sprintf("%s-%s-%s", office, time.Now().UTC().Format("20060102"), hex.EncodeToString(suffix[:])),
			Office: office, PublicKey: pub, PrivateSealed: s.box.Seal(priv.Seed(), sealContext)})
		return err
	})
	return k, err
}

// Rotate gives the office a new signing key; the old one is retired and
// still verifies what it signed.
func (s *Service) Rotate(ctx context.Context, office string) (Key, error) {
	if s.box == nil {
		return Key{}, apperr.New(apperr.Unavailable, "the server has no secret key (SCHALTER_SECRET_KEY)")
	}
	k, err := s.newKey(ctx, s.st.Queries, office, false)
	k.PrivateSealed = nil
	return k, err
}

// Keys lists every public key, active and retired.
func (s *Service) Keys(ctx context.Context) ([]Key, error) { return s.st.SigningKeys(ctx) }

// Mine lists the documents delivered to the account, newest first.
func (s *Service) Mine(ctx context.Context, account uuid.UUID) ([]Document, error) {
	return s.st.AccountDocuments(ctx, account)
}

// Download is the account's own document with its bytes; anyone else's is
// NotFound.
func (s *Service) Download(ctx context.Context, account, id uuid.UUID) (Document, []byte, error) {
	d, err := s.st.Document(ctx, id)
	if err == nil && (d.Account == nil || *d.Account != account) {
		err = apperr.New(apperr.NotFound, "no such document")
	}
	if err != nil {
		return Document{}, nil, err
	}
	body, err := s.st.DocumentBody(ctx, id)
	return d, body, err
}

// StaffDownload is a document for staff of its issuing office, written to
// the person's transparency log in the same transaction; another office's
// is NotFound.
func (s *Service) StaffDownload(ctx context.Context, staff, id uuid.UUID) (Document, []byte, error) {
	var d Document
	var body []byte
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		if d, err = staffDocument(ctx, q, staff, id); err != nil {
			return err
		}
		if body, err = q.DocumentBody(ctx, id); err != nil {
			return err
		}
		if d.Account == nil {
			return nil
		}
		return transparency.StaffRead(ctx, q, staff, *d.Account, d.Office, []string{"Dokument " + d.Title}, "Bearbeitung Ihres Antrags",
			"Gesetzliche Aufgabe des ausstellenden Amtes")
	})
	return d, body, err
}

// Revoke withdraws a document of the staff member's office (issued in
// error, replaced): its verification says so from then on.
func (s *Service) Revoke(ctx context.Context, staff, id uuid.UUID, reason string) (Document, error) {
	if strings.TrimSpace(reason) == "" {
		return Document{}, apperr.InvalidFields("a revocation needs a reason", apperr.FieldError{Path: "body.reason", Message: "is required"})
	}
	var d Document
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		if d, err = staffDocument(ctx, q, staff, id); err != nil {
			return err
		}
		ok, err := q.RevokeDocument(ctx, id, reason)
		if err == nil && !ok {
			err = apperr.New(apperr.Conflict, "the document is revoked already")
		}
		if err != nil {
			return err
		}
		d, err = q.Document(ctx, id)
		return err
	})
	return d, err
}

func staffDocument(ctx context.Context, q *store.Queries, staff, id uuid.UUID) (Document, error) {
	offices, err := cases.StaffOffices(ctx, q, staff)
	if err != nil {
		return Document{}, err
	}
	d, err := q.Document(ctx, id)
	if err == nil && !slices.Contains(offices, d.Office) {
		err = apperr.New(apperr.NotFound, "no such document")
	}
	return d, err
}

// Verification is what anyone may learn about a document: nothing
// personal.
type Verification struct {
	Document       Document
	SignatureValid bool
	// FileMatches says whether a file presented is this document byte for
	// byte; nil when none was presented.
	FileMatches *bool
}

// Verify checks a document's signature against its office's key, and
// file, when given, against its hash. An unknown id is NotFound.
//
// The document's row is read on every call, so a revocation shows at
// once (on every server: nothing about it is cached). What is cached is
// immutable: a key's office and public half never change once made
// (rotation adds a key and only retires the old one, which still
// verifies what it signed), and whether a signature holds is a function
// of the statement, the signature and the key, which are the cache's
// key, so a row changed behind the trigger's back is checked afresh.
func (s *Service) Verify(ctx context.Context, id uuid.UUID, file []byte) (Verification, error) {
	d, err := s.st.Document(ctx, id)
	if err != nil {
		return Verification{}, err
	}
	k, err := s.publicKey(ctx, d.KeyID)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Document: d, SignatureValid: k.Office == d.Office && s.checked.verify(k, Statement(d), d.Signature)}
	if file != nil {
		sum := sha256.Sum256(file)
		match := bytes.Equal(sum[:], d.SHA256)
		v.FileMatches = &match
	}
	v.Document.Account, v.Document.Case, v.Document.RevokedReason = nil, uuid.Nil, nil
	return v, nil
}

// publicKey is key id without its private part, from memory once read.
func (s *Service) publicKey(ctx context.Context, id string) (Key, error) {
	if k, ok := s.keys.get(id); ok {
		return k, nil
	}
	k, err := s.st.SigningKey(ctx, id)
	if err != nil {
		return Key{}, err
	}
	k.PrivateSealed = nil
	s.keys.put(k)
	return k, nil
}

// publicKeys holds the public keys read so far. Offices have a handful
// each (one per rotation), so it is not bounded.
type publicKeys struct {
	mu sync.RWMutex
	m  map[string]Key
}

func (c *publicKeys) get(id string) (Key, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.m[id]
	return k, ok
}

func (c *publicKeys) put(k Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k.ID] = k
}

// maxChecked bounds checkedSignatures (32 bytes and a bool each).
const maxChecked = 100_000

// checkedSignatures remembers the outcome of Ed25519 checks by the hash
// of everything the outcome depends on.
type checkedSignatures struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]bool
}

func (c *checkedSignatures) verify(k Key, statement, signature []byte) bool {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(k.ID), k.PublicKey, statement, signature} {
		// Length-prefixed, so that no part can run into the next.
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(part))))
		h.Write(part)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	c.mu.Lock()
	ok, seen := c.m[sum]
	c.mu.Unlock()
	if seen {
		return ok
	}
	ok = ed25519.Verify(k.PublicKey, statement, signature)
	c.mu.Lock()
	if len(c.m) >= maxChecked {
		// Starting over is simpler than evicting, and the next checks
		// cost what they cost without the cache.
		clear(c.m)
	}
	c.m[sum] = ok
	c.mu.Unlock()
	return ok
}
