package documents_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const dogData = `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
	"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
	"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`

type bundle struct {
	st   *store.Store
	box  *secretbox.Box
	docs *documents.Service
	c    store.Case
}

// setup submits Tamara's dog registration, handled by the office
// "sicherheit", and returns it with the documents service.
func setup(t *testing.T) (*bundle, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	acc, err := st.CreateAccount(ctx, "tamara@docs.example", "tamara@docs.example", "", nil)
	require.NoError(t, err)
	draft, err := d.Create(ctx, drafts.Account(acc.ID), "hund-anmelden", json.RawMessage(dogData), "")
	require.NoError(t, err)
	c, err := cases.New(st, f, "UST").Submit(ctx, cases.Submission{Account: acc.ID, Email: acc.Email, Level: account.LevelAccount, Draft: draft.ID, Language: "de"})
	require.NoError(t, err)
	return &bundle{st: st, box: box, docs: documents.New(st, box, "https://schalter.example"), c: c.Record}, acc.ID
}

// issue delivers a one-page PDF with its verification QR code.
func (b *bundle) issue(t *testing.T) (documents.Document, []byte) {
	t.Helper()
	var body []byte
	var d documents.Document
	err := b.st.InTx(context.Background(), func(q *store.Queries) error {
		var err error
		d, err = b.docs.IssueIn(context.Background(), q, documents.Issue{Case: b.c, Kind: "hundemarke", Title: "Bestätigung der Hundeanmeldung", Filename: "hundeanmeldung.pdf",
			Render: func(id uuid.UUID, url string) ([]byte, error) {
				doc := pdf.New(pdf.Letterhead{City: "Stadt Uster", Office: "Sicherheit"}, "Bestätigung der Hundeanmeldung", time.Now())
				doc.Row("Hund", "Bello (Appenzeller, Hündin)")
				if err := doc.QR(url, 30, "Echtheit prüfen: "+url); err != nil {
					return nil, err
				}
				body, err = doc.Bytes()
				return body, err
			}})
		return err
	})
	require.NoError(t, err)
	return d, body
}

func TestIssueAndVerify(t *testing.T) {
	t.Parallel()
	b, owner := setup(t)
	ctx := context.Background()
	d, body := b.issue(t)
	require.Equal(t, "sicherheit", d.Office)
	require.Len(t, d.Signature, ed25519.SignatureSize)

	v, err := b.docs.Verify(ctx, d.ID, nil)
	require.NoError(t, err)
	require.True(t, v.SignatureValid)
	require.Nil(t, v.FileMatches)
	require.Nil(t, v.Document.Account, "verification names nobody")
	require.Equal(t, uuid.Nil, v.Document.Case)
	require.Equal(t, "Bestätigung der Hundeanmeldung", v.Document.Title)

	v, err = b.docs.Verify(ctx, d.ID, body)
	require.NoError(t, err)
	require.True(t, *v.FileMatches)
	for _, at := range []int{0, len(body) / 2, len(body) - 1} {
		tampered := append([]byte{}, body...)
		tampered[at] ^= 0x01
		v, err = b.docs.Verify(ctx, d.ID, tampered)
		require.NoError(t, err)
		require.False(t, *v.FileMatches, "a changed byte at %d fails", at)
	}
	_, err = b.docs.Verify(ctx, uuid.New(), nil)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	// The statement is what is signed: a document claiming another office
	// or kind does not verify under the key.
	keys, err := b.docs.Keys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1, "made on first use")
	forged := d
	forged.Kind = "betreibungsregisterauszug"
	require.False(t, ed25519.Verify(keys[0].PublicKey, documents.Statement(forged), d.Signature))
	require.True(t, ed25519.Verify(keys[0].PublicKey, documents.Statement(d), d.Signature))

	// Rotation: the old document still verifies, the next is signed anew.
	k2, err := b.docs.Rotate(ctx, "sicherheit")
	require.NoError(t, err)
	require.Nil(t, k2.PrivateSealed)
	e, _ := b.issue(t)
	require.Equal(t, k2.ID, e.KeyID)
	require.NotEqual(t, d.KeyID, e.KeyID)
	v, err = b.docs.Verify(ctx, d.ID, nil)
	require.NoError(t, err)
	require.True(t, v.SignatureValid, "a retired key still verifies what it signed")
	keys, err = b.docs.Keys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	require.NotNil(t, keys[0].RetiredAt)
	require.Nil(t, keys[1].RetiredAt)
	_, err = b.docs.Rotate(ctx, "gibt-es-nicht")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	mine, err := b.docs.Mine(ctx, owner)
	require.NoError(t, err)
	require.Len(t, mine, 2)
	require.Equal(t, b.c.Number, mine[0].CaseNumber)

	// Written once.
	_, err = b.st.Pool().Exec(ctx, "UPDATE document SET body = '\\x00' WHERE id = $1", d.ID)
	require.ErrorContains(t, err, "immutable")
}

func TestIssueRefusesWhatIsNoPDF(t *testing.T) {
	t.Parallel()
	b, _ := setup(t)
	for name, body := range map[string][]byte{
		"HTML named .pdf": []byte("<html><script>alert(1)</script></html>"),
		"truncated PDF":   []byte("%PDF-1.7\n1 0 obj"),
		"empty":           {},
	} {
		err := b.st.InTx(context.Background(), func(q *store.Queries) error {
			_, err := b.docs.IssueIn(context.Background(), q, documents.Issue{Case: b.c, Kind: "x_y", Title: "X", Filename: "x.pdf",
				Render: func(uuid.UUID, string) ([]byte, error) { return body, nil }})
			return err
		})
		require.Equal(t, apperr.Invalid, apperr.CodeOf(err), name)
	}
}

// TestDocumentAccess: the person downloads; staff of the issuing office
// too, with an entry in the person's transparency log; nobody else.
func TestDocumentAccess(t *testing.T) {
	t.Parallel()
	b, owner := setup(t)
	ctx := context.Background()
	d, body := b.issue(t)
	newAccount := func(email string, roles ...store.Role) uuid.UUID {
		acc, err := b.st.CreateAccount(ctx, email, email, "", nil, roles...)
		require.NoError(t, err)
		return acc.ID
	}
	bruno := newAccount("bruno@docs.example")
	police := newAccount("polizei@docs.example", store.Role{Role: account.RoleStaff, Office: "sicherheit"})
	tax := newAccount("steuern@docs.example", store.Role{Role: account.RoleStaff, Office: "steueramt"})

	_, got, err := b.docs.Download(ctx, owner, d.ID)
	require.NoError(t, err)
	require.Equal(t, body, got)
	_, _, err = b.docs.Download(ctx, bruno, d.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, _, err = b.docs.StaffDownload(ctx, tax, d.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another office")
	_, _, err = b.docs.StaffDownload(ctx, bruno, d.ID)
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))

	before := logLen(t, b.st, owner)
	_, got, err = b.docs.StaffDownload(ctx, police, d.ID)
	require.NoError(t, err)
	require.Equal(t, body, got)
	require.Equal(t, before+1, logLen(t, b.st, owner))

	_, err = b.docs.Revoke(ctx, police, d.ID, " ")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	_, err = b.docs.Revoke(ctx, tax, d.ID, "falsch")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	r, err := b.docs.Revoke(ctx, police, d.ID, "Falscher Hundename")
	require.NoError(t, err)
	require.NotNil(t, r.RevokedAt)
	_, err = b.docs.Revoke(ctx, police, d.ID, "nochmals")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	v, err := b.docs.Verify(ctx, d.ID, body)
	require.NoError(t, err)
	require.NotNil(t, v.Document.RevokedAt, "verification says it is revoked")
	require.Nil(t, v.Document.RevokedReason, "but not why: the reason may be personal")
	require.True(t, *v.FileMatches)
}

func logLen(t *testing.T, st *store.Store, id uuid.UUID) int {
	t.Helper()
	var n int
	require.NoError(t, st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM transparency_log WHERE subject = $1", id).Scan(&n))
	return n
}

// TestVerifyCaches: verification keeps public keys and checked signatures
// in memory, and is still right when another server (b2 here) rotates,
// issues or revokes, and when a row is changed behind the trigger's back.
func TestVerifyCaches(t *testing.T) {
	t.Parallel()
	b, _ := setup(t)
	ctx := context.Background()
	d, _ := b.issue(t)
	other := *b
	other.docs = documents.New(b.st, b.box, "https://schalter.example")
	var e documents.Document

	for _, step := range []struct {
		name string
		act  func(t *testing.T)
		// id is the document b verifies after act; the rest is what
		// the verification says.
		id       func() uuid.UUID
		valid    bool
		revoked  bool
		notFound bool
	}{
		{name: "first verification reads the key", id: func() uuid.UUID { return d.ID }, valid: true},
		{name: "again, from memory", id: func() uuid.UUID { return d.ID }, valid: true},
		{name: "another server rotates and issues: the new document verifies here", act: func(t *testing.T) {
			_, err := other.docs.Rotate(ctx, "sicherheit")
			require.NoError(t, err)
			e, _ = other.issue(t)
			require.NotEqual(t, d.KeyID, e.KeyID)
		}, id: func() uuid.UUID { return e.ID }, valid: true},
		{name: "and the old one still does", id: func() uuid.UUID { return d.ID }, valid: true},
		{name: "another server revokes: seen at once", act: func(t *testing.T) {
			ok, err := b.st.RevokeDocument(ctx, d.ID, "Falscher Hundename")
			require.NoError(t, err)
			require.True(t, ok)
		}, id: func() uuid.UUID { return d.ID }, valid: true, revoked: true},
		{name: "a row changed behind the trigger's back fails its signature", act: func(t *testing.T) {
			conn, err := b.st.Pool().Acquire(ctx)
			require.NoError(t, err)
			defer conn.Release()
			_, err = conn.Exec(ctx, "SET session_replication_role = replica")
			require.NoError(t, err)
			defer conn.Exec(ctx, "RESET session_replication_role") //nolint:errcheck
			_, err = conn.Exec(ctx, "UPDATE document SET kind = 'betreibungsregisterauszug' WHERE id = $1", e.ID)
			require.NoError(t, err)
		}, id: func() uuid.UUID { return e.ID }, valid: false},
		{name: "an unknown document", id: uuid.New, notFound: true},
	} {
		t.Run(step.name, func(t *testing.T) {
			if step.act != nil {
				step.act(t)
			}
			v, err := b.docs.Verify(ctx, step.id(), nil)
			if step.notFound {
				require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, step.valid, v.SignatureValid)
			require.Equal(t, step.revoked, v.Document.RevokedAt != nil)
		})
	}
}
