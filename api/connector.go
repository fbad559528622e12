package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/connector"
)

// The offices' systems (internal/connector) call these operations with
// their office's API key (Authorization: Bearer sco_…); each key reaches
// its own office's cases only. Administrators configure the connectors.

const (
	tagConnector = "Office systems"
	officeScheme = "officeKey"
)

var officeSecurity = []map[string][]string{{officeScheme: {}}}

type officeKey struct{}

// connectorOffice is the office whose key the request carries (set by
// the middleware for office operations).
func connectorOffice(ctx context.Context) string {
	o, _ := ctx.Value(officeKey{}).(string)
	return o
}

func needsOfficeKey(op *huma.Operation) bool {
	for _, req := range op.Security {
		if _, ok := req[officeScheme]; ok {
			return true
		}
	}
	return false
}

// officeAuth resolves the office API key of office operations before the
// input is read: no key is 401, a resident's or staff session without
// one 403 (the caller is known, the operation is not theirs).
func (s *Server) officeAuth(ctx huma.Context, next func(huma.Context)) {
	if !needsOfficeKey(ctx.Operation()) {
		next(ctx)
		return
	}
	key, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	if !ok {
		if _, session := s.sessionAccount(ctx.Context()); session {
			writeErr(ctx, huma.Error403Forbidden("for the offices' systems only"))
			return
		}
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="schalter-office"`)
		writeErr(ctx, huma.Error401Unauthorized("an office API key is required"))
		return
	}
	office, err := s.connectors.Office(ctx.Context(), strings.TrimSpace(key))
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unauthorized {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="schalter-office"`)
		}
		writeErr(ctx, s.problem(ctx.Context(), err))
		return
	}
	next(huma.WithValue(ctx, officeKey{}, office))
}

// OfficeStatusInput moves a case.
type OfficeStatusInput struct {
	CaseNumberInput
	Body struct {
		Status  string `json:"status" enum:"in_progress,waiting,done,rejected"`
		Message string `json:"message,omitempty" maxLength:"4000" doc:"Shown to the person on the timeline."`
	}
}

// AnnounceInput announces a document.
type AnnounceInput struct {
	CaseNumberInput
	Body struct {
		Kind     string `json:"kind" pattern:"^[a-z0-9_]{2,60}$" example:"betreibungsregisterauszug"`
		Title    string `json:"title" minLength:"1" maxLength:"200" example:"Auszug aus dem Betreibungsregister" doc:"What it is; shown on the public verification, so nothing personal."`
		Filename string `json:"filename" pattern:"^[A-Za-z0-9._-]{1,120}$" example:"betreibungsregisterauszug.pdf"`
	}
}

// AnnouncementOut is where the document goes.
type AnnouncementOut struct {
	ID        string `json:"id" format:"uuid"`
	VerifyURL string `json:"verify_url" doc:"Print it as the document's QR code."`
	UploadURL string `json:"upload_url" doc:"PUT the PDF here."`
}

// UploadInput is an announced document's PDF.
type UploadInput struct {
	DocumentIDInput
	RawBody []byte
}

// ConnectorInput configures an office's connector.
type ConnectorInput struct {
	OfficeInput
	Body struct {
		EndpointURL string `json:"endpoint_url" maxLength:"500" example:"https://fachanwendung.uster.ch/schalter/cases" doc:"Where Schalter posts each new case: https (plain http only to a loopback host: 127.0.0.0/8, ::1, localhost), without user:pass@ or #fragment. Redirects are not followed."`
		StatusURL   string `json:"status_url,omitempty" maxLength:"500" example:"https://fachanwendung.uster.ch/schalter/status" doc:"For systems that cannot call back: where Schalter asks, every five minutes, for the status of the office's open cases (docs/connectors.md). Leave it out when the system sets statuses itself. The same rules as endpoint_url."`
	}
}

// ConnectorCredentials are shown once.
type ConnectorCredentials struct {
	Office string `json:"office"`
	KeyID  string `json:"key_id" doc:"Sent as Schalter-Key-Id with every delivery."`
	Secret string `json:"secret" doc:"Verifies the Schalter-Signature of deliveries (HMAC-SHA256 over \"<t>.<body>\"). Shown only now."`
	APIKey string `json:"api_key" doc:"The office system's key for the /api/v1/connector operations (Authorization: Bearer). Shown only now."`
}

// ConnectorOut is a configured connector.
type ConnectorOut struct {
	Office      string    `json:"office"`
	EndpointURL string    `json:"endpoint_url"`
	StatusURL   string    `json:"status_url,omitempty" doc:"Asked for the status of the office's cases; absent when the system calls back."`
	KeyID       string    `json:"key_id"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (s *Server) registerConnector(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	op := func(o huma.Operation) huma.Operation {
		o.Tags, o.Security = []string{tagConnector}, officeSecurity
		return o
	}
	huma.Register(api, op(huma.Operation{
		OperationID: "connectorQueue", Method: http.MethodGet, Path: "/api/v1/connector/cases",
		Summary: "The office's cases (office systems)", Description: "For systems that cannot receive deliveries: poll for new cases (status=received), oldest first, without data; read each with GET …/cases/{number}.",
		Errors: errs,
	}), func(ctx context.Context, in *CaseQueueInput) (*Uncached[Items[CaseSummary]], error) {
		list, err := s.cases.OfficeQueue(ctx, connectorOffice(ctx), in.Status)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.caseList(ctx, list, "de"), nil
	})

	huma.Register(api, op(huma.Operation{
		OperationID: "connectorGetCase", Method: http.MethodGet, Path: "/api/v1/connector/cases/{number}",
		Summary: "A case of the office (office systems)", Description: "What was submitted and the timeline; written to the person's transparency log as handed to the office's system. Another office's case is 404.",
		Errors: errs,
	}), func(ctx context.Context, in *CaseNumberInput) (*Uncached[CaseOut], error) {
		c, err := s.connectors.Case(ctx, connectorOffice(ctx), in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[CaseOut]{CacheControl: "no-store", Body: s.caseOut(ctx, c, "de")}, nil
	})

	huma.Register(api, op(huma.Operation{
		OperationID: "connectorSetStatus", Method: http.MethodPost, Path: "/api/v1/connector/cases/{number}/status",
		Summary: "Set a case's status (office systems)", Description: "Along the transitions of docs/cases.md (409 otherwise), with a message for the person.",
		Errors: append(errs, http.StatusConflict),
	}), func(ctx context.Context, in *OfficeStatusInput) (*Uncached[CaseOut], error) {
		c, err := s.connectors.SetStatus(ctx, connectorOffice(ctx), in.Number, in.Body.Status, in.Body.Message)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[CaseOut]{CacheControl: "no-store", Body: s.caseOut(ctx, c, "de")}, nil
	})

	huma.Register(api, op(huma.Operation{
		OperationID: "connectorAnnounceDocument", Method: http.MethodPost, Path: "/api/v1/connector/cases/{number}/documents",
		Summary: "Announce a document (office systems)", Description: "Reserves the document's id and verification link (for its QR code) before the PDF is rendered; then PUT the PDF to upload_url.",
		DefaultStatus: http.StatusCreated, Errors: append(errs, http.StatusConflict),
	}), func(ctx context.Context, in *AnnounceInput) (*Uncached[AnnouncementOut], error) {
		a, err := s.connectors.Announce(ctx, connectorOffice(ctx), in.Number, in.Body.Kind, in.Body.Title, in.Body.Filename)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[AnnouncementOut]{CacheControl: "no-store", Body: AnnouncementOut{ID: a.ID.String(), VerifyURL: a.VerifyURL,
			UploadURL: s.connectors.APIURL + "/documents/" + a.ID.String()}}, nil
	})

	huma.Register(api, op(huma.Operation{
		OperationID: "connectorUploadDocument", Method: http.MethodPut, Path: "/api/v1/connector/documents/{id}",
		Summary: "Upload an announced document (office systems)", Description: "The PDF (checked by its content); Schalter signs it with the office's key and puts it into the person's account. Once per announcement (404 after).",
		MaxBodyBytes: 20 << 20,
		RequestBody:  &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
		Errors:       append(errs, http.StatusRequestEntityTooLarge),
	}), func(ctx context.Context, in *UploadInput) (*Uncached[DocumentOut], error) {
		id, err := parseDocumentID(in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := s.connectors.Upload(ctx, connectorOffice(ctx), id, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[DocumentOut]{CacheControl: "no-store", Body: s.documentOut(d)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "adminConfigureConnector", Method: http.MethodPut, Path: "/api/v1/admin/connectors/{office}", Tags: []string{tagConnector}, Security: adminSessionSecurity,
		Summary: "Connect an office's system (administrators)", Description: "Sets where new cases of the office are delivered (and, for a system that cannot call back, where their status is polled) and issues new credentials, shown only in this answer; the old ones stop working. Administrators at level two_factor.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable, http.StatusInternalServerError},
	}, func(ctx context.Context, in *ConnectorInput) (*Uncached[ConnectorCredentials], error) {
		c, err := s.connectors.Configure(ctx, in.Office, connector.Endpoints{Delivery: in.Body.EndpointURL, Status: in.Body.StatusURL})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[ConnectorCredentials]{CacheControl: "no-store", Body: ConnectorCredentials(c)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "adminListConnectors", Method: http.MethodGet, Path: "/api/v1/admin/connectors", Tags: []string{tagConnector}, Security: adminSessionSecurity,
		Summary: "Connected offices (administrators)", Description: "Every office connector, without its secrets. Failed deliveries are jobs of kind connector_deliver: administrators see the dead letters and resend them in River UI at /admin/jobs or with `schalter jobs list` and `schalter jobs retry`. Status polls are jobs of kind connector_poll; one that fails is logged and the next period asks again.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[ConnectorOut]], error) {
		list, err := s.connectors.Connectors(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[ConnectorOut]]{CacheControl: "no-store", Body: Items[ConnectorOut]{Items: mapAll(list, func(c connector.Connector) ConnectorOut {
			return ConnectorOut{Office: c.Office, EndpointURL: c.EndpointURL, StatusURL: c.StatusURL, KeyID: c.KeyID, UpdatedAt: c.UpdatedAt.UTC()}
		})}}, nil
	})
}
