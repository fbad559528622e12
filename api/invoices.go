package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/qrbill"
)

// FeeLabelIn is an office fee's name in the four languages. All four are
// required; they are not marked so in the schema, so that a missing one is
// reported at its own path (body.items[0].label.fr) by the service.
type FeeLabelIn struct {
	De string `json:"de,omitempty" maxLength:"200" example:"Baubewilligung"`
	Fr string `json:"fr,omitempty" maxLength:"200" example:"Permis de construire"`
	It string `json:"it,omitempty" maxLength:"200" example:"Licenza edilizia"`
	En string `json:"en,omitempty" maxLength:"200" example:"Building permit"`
}

// OfficeFeeIn is a fee the office sets.
type OfficeFeeIn struct {
	Type       string     `json:"type" maxLength:"60" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"building-permit" doc:"The fee type: the revenue account per office and type."`
	Label      FeeLabelIn `json:"label" doc:"The fee's name in de, fr, it and en (all four required)."`
	Quantity   int        `json:"quantity" minimum:"1" maximum:"10000" example:"1"`
	UnitRappen int64      `json:"unit_rappen" minimum:"1" maximum:"10000000000" example:"45000" doc:"The gross amount of one unit, VAT included where it applies."`
	VAT        string     `json:"vat" enum:"none,standard,reduced" doc:"none: an official fee, not subject to VAT."`
}

// AddFeesInput is staff setting fees on a case.
type AddFeesInput struct {
	CaseNumberInput
	Body struct {
		Items []OfficeFeeIn `json:"items" minItems:"1" maxItems:"20"`
	}
	// idempotencyKey is the request's Idempotency-Key, which names the
	// charge in the ledger: it books once even after the middleware has
	// forgotten the key. Read in Resolve, not as a header field, because
	// every write documents the header already (server.go).
	idempotencyKey string
}

// Resolve implements huma.Resolver.
func (in *AddFeesInput) Resolve(ctx huma.Context) []error {
	in.idempotencyKey = ctx.Header(idempotencyHeader)
	return nil
}

// fileResponses documents a 200 whose body is a file of mediaType.
func fileResponses(mediaType, description string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {Description: description,
		Content: map[string]*huma.MediaType{mediaType: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
}

func (s *Server) registerInvoices(api huma.API) {
	for _, f := range []struct {
		ext, operation, mediaType, disposition string
		render                                 func(qrbill.Bill, string) ([]byte, error)
	}{
		{"svg", "getMyCaseQRBillSVG", "image/svg+xml", "inline", qrbill.Bill.SVG},
		{"pdf", "getMyCaseQRBillPDF", "application/pdf", "attachment", qrbill.Bill.PDF},
	} {
		huma.Register(api, huma.Operation{
			OperationID: f.operation, Method: http.MethodGet, Path: "/api/v1/me/cases/{number}/bill/qr-bill." + f.ext, Tags: []string{tagPayments}, Security: sessionSecurity,
			Summary: "The QR-bill of my case (" + strings.ToUpper(f.ext) + ")",
			Description: "The Swiss QR-bill's payment part and receipt for what is open on the case, with the bill's reference; " +
				"the SVG is the bill alone (210 × 105 mm), the PDF an A4 page with it at the bottom. In ?lang or Accept-Language, else the case's language. " +
				"Another person's case, or a free one, is 404; 409 when nothing is open or the case was rejected or withdrawn.",
			Responses: fileResponses(f.mediaType, "The QR-bill"),
			Errors:    []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusInternalServerError},
		}, func(ctx context.Context, in *struct {
			CaseNumberInput
			LangParams
		}) (*fileResponse, error) {
			me, _ := s.sessionAccount(ctx)
			b, lang, err := s.payments.QRBill(ctx, me, in.Number)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			if in.Lang != "" || in.AcceptLanguage != "" {
				lang = in.resolve()
			}
			body, err := f.render(b, lang)
			if err != nil {
				// The bill is made of the city's configuration and the
				// case: if it does not validate, that is ours to fix, not
				// the person's (a 500, not a 422).
				return nil, s.problem(ctx, fmt.Errorf("rendering the QR-bill of %s: %v", in.Number, err))
			}
			name := "qr-rechnung-" + strings.ToLower(in.Number) + "." + f.ext
			return &fileResponse{ContentType: f.mediaType, ContentDisposition: f.disposition + `; filename="` + name + `"`, CacheControl: "private, no-store", Body: body}, nil
		})
	}

	huma.Register(api, huma.Operation{
		OperationID: "officeAddCaseFees", Method: http.MethodPost, Path: "/api/v1/office/cases/{number}/fees", Tags: []string{tagPayments}, Security: staffSecurity,
		Summary: "Set fees on a case (staff)",
		Description: "Books fees the office sets (a building permit by its size) on a case of my office (another office: 404) and sends the person an invoice " +
			"with a QR-bill in Meine amtlichen Dokumente, replacing the previous one. A free case gets a bill. A case waiting for its payment waits until all is paid. " +
			"409 when the case is done, rejected or withdrawn. Send an Idempotency-Key: the same key books the fees once.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *AddFeesInput) (*Uncached[BillOut], error) {
		id, _ := s.sessionAccount(ctx)
		items := mapAll(in.Body.Items, func(f OfficeFeeIn) payments.OfficeFee {
			return payments.OfficeFee{Type: f.Type, Quantity: f.Quantity, Unit: f.UnitRappen, VAT: f.VAT,
				Label: map[string]string{"de": f.Label.De, "fr": f.Label.Fr, "it": f.Label.It, "en": f.Label.En}}
		})
		a, err := s.payments.AddFees(ctx, id, in.Number, in.idempotencyKey, items)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BillOut]{CacheControl: "private, no-store", Body: s.billOut(a, "de")}, nil
	})
}
