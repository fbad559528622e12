package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestDocuments: a document delivered for Tamara's case is in her list,
// downloads as an attachment for her only, verifies publicly without
// anything personal, fails with a changed byte, and says it is revoked
// once the office withdraws it; the published keys check its signature.
func TestDocuments(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx := context.Background()
	tamara := loginAs(t, b, "tamara@example.ch")
	me := b.do(t, req{path: "/api/v1/me", header: tamara}).json(t)
	id := uuid.MustParse(me["id"].(string))

	// The case and the document, as the office's delivery will make them.
	f := forms.New(b.store, account.ProfileFields)
	d := drafts.New(b.store, f)
	draft, err := d.Create(ctx, drafts.Account(id), "hund-anmelden", json.RawMessage(dogData), "")
	require.NoError(t, err)
	c, err := cases.New(b.store, f, "UST").Submit(ctx, cases.Submission{Account: id, Email: "tamara@example.ch", Level: account.LevelAccount, Draft: draft.ID, Language: "de"})
	require.NoError(t, err)
	box, err := secretbox.New(secretKey)
	require.NoError(t, err)
	docs := documents.New(b.store, box, "https://schalter.example")
	var doc documents.Document
	var body []byte
	require.NoError(t, b.store.InTx(ctx, func(q *store.Queries) error {
		doc, err = docs.IssueIn(ctx, q, documents.Issue{Case: c.Record, Kind: "hundemarke", Title: "Bestätigung der Hundeanmeldung", Filename: "hund.pdf",
			Render: func(_ uuid.UUID, url string) ([]byte, error) {
				p := pdf.New(pdf.Letterhead{City: "Stadt Uster", Office: "Sicherheit"}, "Bestätigung der Hundeanmeldung", time.Now())
				if err := p.QR(url, 30, url); err != nil {
					return nil, err
				}
				body, err = p.Bytes()
				return body, err
			}})
		return err
	}))

	list := b.do(t, req{path: "/api/v1/me/documents", header: tamara})
	require.Equal(t, http.StatusOK, list.status, string(list.body))
	items := list.json(t)["items"].([]any)
	require.Len(t, items, 1)
	item := items[0].(map[string]any)
	require.Equal(t, c.Number, item["case_number"])
	require.Equal(t, hex.EncodeToString(doc.SHA256), item["sha256"])
	require.Equal(t, "https://schalter.example/verify/"+doc.ID.String(), item["verify_url"])

	path := "/api/v1/me/documents/" + doc.ID.String()
	got := b.do(t, req{path: path, header: tamara})
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, "application/pdf", got.header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="hund.pdf"`, got.header.Get("Content-Disposition"))
	require.Equal(t, "nosniff", got.header.Get("X-Content-Type-Options"))
	require.Equal(t, body, got.body)
	requireProblem(t, b.do(t, req{path: path, header: loginAs(t, b, "bruno@example.ch")}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: path}), http.StatusUnauthorized)

	summary := b.do(t, req{path: "/api/v1/me/cases/" + c.Number + "/summary", header: tamara})
	require.Equal(t, http.StatusOK, summary.status, string(summary.body))
	require.True(t, bytes.HasPrefix(summary.body, []byte("%PDF-")))

	verify := "/api/v1/documents/" + doc.ID.String() + "/verification"
	v := b.do(t, req{path: verify})
	require.Equal(t, http.StatusOK, v.status, string(v.body))
	vj := v.json(t)
	require.Equal(t, true, vj["signature_valid"])
	require.Equal(t, false, vj["revoked"])
	require.Equal(t, "Bestätigung der Hundeanmeldung", vj["title"])
	for _, personal := range []string{"Tamara", "tamara@example.ch", c.Number, id.String()} {
		require.NotContains(t, string(v.body), personal, "verification shows nothing personal")
	}
	check := func(file []byte) resp {
		return b.do(t, req{method: http.MethodPost, path: verify, body: string(file), header: map[string]string{"Content-Type": "application/pdf"}})
	}
	same := check(body)
	require.Equal(t, http.StatusOK, same.status, string(same.body))
	require.Equal(t, true, same.json(t)["file_matches"])
	tampered := append([]byte{}, body...)
	tampered[len(tampered)/2] ^= 0x20
	require.Equal(t, false, check(tampered).json(t)["file_matches"], "a changed byte fails")
	requireProblem(t, b.do(t, req{path: "/api/v1/documents/" + uuid.NewString() + "/verification"}), http.StatusNotFound)

	// The published key checks the signature over the statement.
	for _, p := range []string{"/api/v1/signing-keys", "/.well-known/schalter-signing-keys.json"} {
		ks := b.do(t, req{path: p})
		require.Equal(t, http.StatusOK, ks.status, p)
		var set struct {
			Keys []struct {
				KeyID string `json:"kid"`
				X     string `json:"x"`
			} `json:"keys"`
		}
		require.NoError(t, json.Unmarshal(ks.body, &set))
		require.Len(t, set.Keys, 1, p)
		require.Equal(t, doc.KeyID, set.Keys[0].KeyID)
		pub, err := base64.RawURLEncoding.DecodeString(set.Keys[0].X)
		require.NoError(t, err)
		require.True(t, ed25519.Verify(pub, documents.Statement(doc), doc.Signature), p)
	}

	// Staff of the issuing office download (logged) and revoke.
	staff := func(email, office string) map[string]string {
		h := loginAs(t, b, email, store.Role{Role: account.RoleStaff, Office: office})
		return map[string]string{"Cookie": twoFactorSession(t, b, h["Cookie"])}
	}
	police, tax := staff("paula@uster.ch", "sicherheit"), staff("stefan@uster.ch", "steueramt")
	office := "/api/v1/office/documents/" + doc.ID.String()
	requireProblem(t, b.do(t, req{path: office, header: tax}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: office, header: tamara}), http.StatusForbidden)
	require.Equal(t, body, b.do(t, req{path: office, header: police}).body)
	require.Contains(t, string(b.do(t, req{path: "/api/v1/me/transparency", header: tamara}).body), "paula@uster.ch")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: office + "/revoke", header: police, body: `{"reason":""}`}), http.StatusUnprocessableEntity, "body.reason")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: office + "/revoke", header: tax, body: `{"reason":"x"}`}), http.StatusNotFound)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPost, path: office + "/revoke", header: police, body: `{"reason":"Falscher Name des Hundes"}`}).status)
	v = b.do(t, req{path: verify})
	require.Equal(t, true, v.json(t)["revoked"])
	require.False(t, strings.Contains(string(v.body), "Falscher Name"), "the reason stays with the office")

	x := b.do(t, req{path: "/api/v1/me/export", header: tamara}).json(t)
	require.Len(t, x["cases"], 1, "the export has the case")
	require.Len(t, x["documents"], 1, "and the document")
	require.Equal(t, c.Number, x["documents"].([]any)[0].(map[string]any)["case_number"])
}

const dogData = `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
	"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
	"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`
