package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/documents"
)

// Documents (internal/documents): "Meine amtlichen Dokumente", the
// staff's downloads and revocations, the public verification that the QR
// code on every document links to, and the published signing keys.

const tagDocuments = "Documents"

// WellKnownKeysPath publishes the signing keys outside the API's prefix,
// where verifiers look first.
const WellKnownKeysPath = "/.well-known/schalter-signing-keys.json"

// DocumentIDInput addresses a document.
type DocumentIDInput struct {
	ID string `path:"id" format:"uuid" example:"0b7d2f0e-5c1a-4f7e-9d3b-2a1c4e5f6a7b"`
}

// DocumentOut is a document in the account's list.
type DocumentOut struct {
	ID         string     `json:"id" format:"uuid"`
	Title      string     `json:"title" example:"Auszug aus dem Betreibungsregister"`
	Kind       string     `json:"kind" example:"betreibungsregisterauszug"`
	Office     string     `json:"office" example:"betreibungsamt" doc:"The issuing office."`
	CaseNumber string     `json:"case_number" example:"UST-2026-004711-3"`
	IssuedAt   time.Time  `json:"issued_at"`
	Size       int        `json:"size" doc:"Bytes."`
	SHA256     string     `json:"sha256" doc:"Hex SHA-256 of the file, as signed."`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" doc:"Set when the office withdrew the document."`
	VerifyURL  string     `json:"verify_url" doc:"The public verification page the document's QR code links to."`
}

// VerificationOut is what anyone learns about a document: nothing
// personal.
type VerificationOut struct {
	ID             string     `json:"id" format:"uuid"`
	Title          string     `json:"title"`
	Kind           string     `json:"kind"`
	Office         string     `json:"office"`
	OfficeName     string     `json:"office_name" example:"Betreibungsamt"`
	IssuedAt       time.Time  `json:"issued_at"`
	SHA256         string     `json:"sha256"`
	KeyID          string     `json:"key_id" doc:"The office key that signed it (see /.well-known/schalter-signing-keys.json)."`
	SignatureValid bool       `json:"signature_valid" doc:"The signature over id, office, kind, issue time and hash holds under the office's key."`
	Revoked        bool       `json:"revoked"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
	FileMatches    *bool      `json:"file_matches,omitempty" doc:"Only when a file was sent: whether it is this document, byte for byte."`
}

// VerifyFileInput is a file to check against a document.
type VerifyFileInput struct {
	DocumentIDInput
	RawBody []byte
}

// RevokeInput withdraws a document.
type RevokeInput struct {
	DocumentIDInput
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why, for the office's records (not shown on verification)."`
	}
}

// SigningKeyOut is a public key, as a JWK (RFC 8037) with its office.
type SigningKeyOut struct {
	KeyID     string     `json:"kid"`
	KeyType   string     `json:"kty" enum:"OKP"`
	Curve     string     `json:"crv" enum:"Ed25519"`
	Algorithm string     `json:"alg" enum:"EdDSA"`
	X         string     `json:"x" doc:"The public key, base64url."`
	Office    string     `json:"office"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty" doc:"Set once rotated: it signs nothing new and still verifies what it signed."`
}

// SigningKeys is the published key set.
type SigningKeys struct {
	Keys []SigningKeyOut `json:"keys"`
	// Statement documents what is signed, for verifiers outside Schalter.
	Statement string `json:"statement" doc:"What each signature covers: these lines, UTF-8, each ending in a line feed."`
}

// OfficeInput names an office.
type OfficeInput struct {
	Office string `path:"office" maxLength:"100" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"betreibungsamt"`
}

func parseDocumentID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, apperr.New(apperr.NotFound, "no such document")
	}
	return u, nil
}

func (s *Server) documentOut(d documents.Document) DocumentOut {
	return DocumentOut{ID: d.ID.String(), Title: d.Title, Kind: d.Kind, Office: d.Office, CaseNumber: d.CaseNumber, IssuedAt: d.IssuedAt.UTC(),
		Size: d.Size, SHA256: hex.EncodeToString(d.SHA256), RevokedAt: utcPtr(d.RevokedAt), VerifyURL: s.documents.VerifyURL(d.ID)}
}

func (s *Server) verificationOut(ctx context.Context, v documents.Verification) VerificationOut {
	d := v.Document
	out := VerificationOut{ID: d.ID.String(), Title: d.Title, Kind: d.Kind, Office: d.Office, IssuedAt: d.IssuedAt.UTC(), SHA256: hex.EncodeToString(d.SHA256),
		KeyID: d.KeyID, SignatureValid: v.SignatureValid, Revoked: d.RevokedAt != nil, RevokedAt: utcPtr(d.RevokedAt), FileMatches: v.FileMatches}
	if snap, err := s.cache.Current(ctx); err == nil {
		if o, err := snap.Office(d.Office); err == nil {
			out.OfficeName = o.Name.In("de")
		}
	}
	return out
}

// pdfDownload is a PDF as an attachment: never rendered inline by the
// browser from Schalter's origin, never cached.
func pdfDownload(filename string, body []byte) *fileResponse {
	return &fileResponse{"application/pdf", `attachment; filename="` + filename + `"`, "private, no-store", body}
}

func (s *Server) signingKeys(ctx context.Context) (*SigningKeys, error) {
	keys, err := s.documents.Keys(ctx)
	if err != nil {
		return nil, err
	}
	out := &SigningKeys{Keys: make([]SigningKeyOut, 0, len(keys)), Statement: documents.StatementFormat}
	for _, k := range keys {
		out.Keys = append(out.Keys, keyOut(k))
	}
	return out, nil
}

func keyOut(k documents.Key) SigningKeyOut {
	return SigningKeyOut{KeyID: k.ID, KeyType: "OKP", Curve: "Ed25519", Algorithm: "EdDSA",
		X: base64.RawURLEncoding.EncodeToString(k.PublicKey), Office: k.Office, CreatedAt: k.CreatedAt.UTC(), RetiredAt: utcPtr(k.RetiredAt)}
}

// routeWellKnownKeys serves the key set where verifiers look first.
func (s *Server) routeWellKnownKeys(r chi.Router) {
	r.Get(WellKnownKeysPath, func(w http.ResponseWriter, r *http.Request) {
		keys, err := s.signingKeys(r.Context())
		if err != nil {
			writeProblem(w, r, http.StatusServiceUnavailable, "the keys cannot be read right now; retry later")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_ = json.NewEncoder(w).Encode(keys)
	})
}

func (s *Server) registerDocuments(api huma.API) {
	pdfResponse := map[string]*huma.Response{"200": {Description: "The PDF", Content: map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
	huma.Register(api, huma.Operation{
		OperationID: "listMyDocuments", Method: http.MethodGet, Path: "/api/v1/me/documents", Tags: []string{tagDocuments}, Security: sessionSecurity,
		Summary: "Meine amtlichen Dokumente", Description: "Every document delivered into the account, newest first, with issuer, case, hash and size.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[DocumentOut]], error) {
		id, _ := s.sessionAccount(ctx)
		list, err := s.documents.Mine(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[DocumentOut]]{CacheControl: "private, no-store", Body: Items[DocumentOut]{Items: mapAll(list, s.documentOut)}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "downloadMyDocument", Method: http.MethodGet, Path: "/api/v1/me/documents/{id}", Tags: []string{tagDocuments}, Security: sessionSecurity,
		Summary: "Download one of my documents", Description: "The PDF, as an attachment. Another person's document is 404.",
		Responses: pdfResponse, Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusInternalServerError},
	}, func(ctx context.Context, in *DocumentIDInput) (*fileResponse, error) {
		me, _ := s.sessionAccount(ctx)
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, body, err := s.documents.Download(ctx, me, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return pdfDownload(d.Filename, body), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "downloadMyCaseSummary", Method: http.MethodGet, Path: "/api/v1/me/cases/{number}/summary", Tags: []string{tagCases}, Security: sessionSecurity,
		Summary: "The PDF summary of what I submitted", Description: "Every answer under its section and label, in the language of the submission, rendered from the unchangeable record.",
		Responses: pdfResponse, Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusInternalServerError},
	}, func(ctx context.Context, in *CaseNumberInput) (*fileResponse, error) {
		me, _ := s.sessionAccount(ctx)
		name, body, err := s.cases.Summary(ctx, me, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return pdfDownload(name, body), nil
	})

	staffErrs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "officeDownloadDocument", Method: http.MethodGet, Path: "/api/v1/office/documents/{id}", Tags: []string{tagDocuments}, Security: staffSecurity,
		Summary: "Download a document of my office (staff)", Description: "For staff of the issuing office; written to the person's transparency log. Another office's document is 404.",
		Responses: pdfResponse, Errors: staffErrs,
	}, func(ctx context.Context, in *DocumentIDInput) (*fileResponse, error) {
		me, _ := s.sessionAccount(ctx)
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, body, err := s.documents.StaffDownload(ctx, me, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return pdfDownload(d.Filename, body), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "officeRevokeDocument", Method: http.MethodPost, Path: "/api/v1/office/documents/{id}/revoke", Tags: []string{tagDocuments}, Security: staffSecurity,
		Summary: "Revoke a document (staff)", Description: "Withdraws a document of my office; its verification says so from then on (the reason is not shown there). Revoking twice is 409.",
		Errors: append(staffErrs, http.StatusConflict, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *RevokeInput) (*Uncached[DocumentOut], error) {
		me, _ := s.sessionAccount(ctx)
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := s.documents.Revoke(ctx, me, id, in.Body.Reason)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[DocumentOut]{CacheControl: "private, no-store", Body: s.documentOut(d)}, nil
	})

	verifyErrs := []int{http.StatusNotFound, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "verifyDocument", Method: http.MethodGet, Path: "/api/v1/documents/{id}/verification", Tags: []string{tagDocuments},
		Summary: "Verify a document", Description: "Public: who issued the document, what it is and when, whether its signature holds and whether it was revoked. Nothing personal.",
		Errors: verifyErrs,
	}, func(ctx context.Context, in *DocumentIDInput) (*Uncached[VerificationOut], error) {
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		v, err := s.documents.Verify(ctx, id, nil)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[VerificationOut]{CacheControl: "no-store", Body: s.verificationOut(ctx, v)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "verifyDocumentFile", Method: http.MethodPost, Path: "/api/v1/documents/{id}/verification", Tags: []string{tagDocuments},
		Summary: "Check a file against a document", Description: "Public: send the PDF someone handed you; file_matches says whether it is this document byte for byte (a changed byte fails). The file is not stored.",
		MaxBodyBytes: documents.MaxBytes,
		RequestBody:  &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
		Errors:       append(verifyErrs, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *VerifyFileInput) (*Uncached[VerificationOut], error) {
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if in.RawBody == nil {
			in.RawBody = []byte{}
		}
		v, err := s.documents.Verify(ctx, id, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[VerificationOut]{CacheControl: "no-store", Body: s.verificationOut(ctx, v)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listSigningKeys", Method: http.MethodGet, Path: "/api/v1/signing-keys", Tags: []string{tagDocuments},
		Summary: "The offices' signing keys", Description: "Every public key, active and retired, as JWKs (Ed25519), and the statement each signature covers. Also at " + WellKnownKeysPath + ".",
		Errors: []int{http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*struct {
		CacheControl string `header:"Cache-Control"`
		Body         SigningKeys
	}, error) {
		keys, err := s.signingKeys(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct {
			CacheControl string `header:"Cache-Control"`
			Body         SigningKeys
		}{"public, max-age=300", *keys}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "rotateSigningKey", Method: http.MethodPost, Path: "/api/v1/admin/signing-keys/{office}/rotate", Tags: []string{tagDocuments}, Security: adminSessionSecurity,
		Summary: "Rotate an office's signing key (administrators)", Description: "Retires the office's key (it still verifies what it signed) and makes a new one for what is issued from now on. Administrators at level two_factor.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable, http.StatusInternalServerError},
	}, func(ctx context.Context, in *OfficeInput) (*Uncached[SigningKeyOut], error) {
		k, err := s.documents.Rotate(ctx, in.Office)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[SigningKeyOut]{CacheControl: "no-store", Body: keyOut(k)}, nil
	})
}
