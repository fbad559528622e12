package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/payments"
)

const tagPayments = "Payments"

// BillFeeOut is a line of a case's bill.
type BillFeeOut struct {
	Type         string `json:"type" doc:"The fee type (the ledger's revenue account per office and type)."`
	Label        string `json:"label" doc:"The fee, in the language asked for."`
	Quantity     int    `json:"quantity"`
	UnitRappen   int64  `json:"unit_rappen"`
	AmountRappen int64  `json:"amount_rappen"`
	VAT          string `json:"vat" enum:"none,standard,reduced" doc:"none: an official fee, not subject to VAT."`
	VATRappen    int64  `json:"vat_rappen" doc:"The VAT contained in the amount."`
	Cancelled    bool   `json:"cancelled" doc:"Taken back (a rejected case); no longer owed."`
}

// PaymentOut is a payment of a case.
type PaymentOut struct {
	ID             string     `json:"id" format:"uuid"`
	Reference      string     `json:"reference" doc:"The payment's unique reference: on the receipt and in the city's books."`
	Method         string     `json:"method" enum:"dev,stripe,bank" doc:"dev: the development provider; stripe: card or TWINT; bank: a QR-bill payment the bank reported."`
	Status         string     `json:"status" enum:"pending,paid,failed,cancelled,expired"`
	AmountRappen   int64      `json:"amount_rappen"`
	RefundedRappen int64      `json:"refunded_rappen"`
	PaidWith       string     `json:"paid_with,omitempty" doc:"How the person paid (card, twint), as the provider says."`
	CreatedAt      time.Time  `json:"created_at"`
	PaidAt         *time.Time `json:"paid_at,omitempty"`
	ReceiptID      string     `json:"receipt_id,omitempty" format:"uuid" doc:"The receipt in Meine amtlichen Dokumente (the same id as the payment), once issued."`
	CaseNumber     string     `json:"case_number,omitempty"`
	Service        string     `json:"service,omitempty" doc:"The service's slug (in the account's list)."`
}

// RefundOut is money given back.
type RefundOut struct {
	ID           string    `json:"id" format:"uuid"`
	Payment      string    `json:"payment" format:"uuid"`
	AmountRappen int64     `json:"amount_rappen"`
	Status       string    `json:"status" enum:"pending,succeeded,failed"`
	Reason       string    `json:"reason"`
	CreatedAt    time.Time `json:"created_at"`
}

// BillOut is what a case costs and what happened to it.
type BillOut struct {
	Collect          string       `json:"collect" enum:"before,invoice,office" doc:"before: paid before the office starts; invoice: by QR-bill within the term; office: the office sets the amount."`
	Reference        string       `json:"reference" doc:"The bill's payment reference (QR reference or RF creditor reference)."`
	Currency         string       `json:"currency" enum:"CHF"`
	DueOn            string       `json:"due_on,omitempty" format:"date"`
	Fees             []BillFeeOut `json:"fees"`
	ChargedRappen    int64        `json:"charged_rappen" doc:"The fees not taken back."`
	PaidRappen       int64        `json:"paid_rappen"`
	RefundedRappen   int64        `json:"refunded_rappen"`
	OpenRappen       int64        `json:"open_rappen" doc:"Still owed: fees minus payments plus refunds (negative: paid too much)."`
	RefundableRappen int64        `json:"refundable_rappen" doc:"What can still be given back."`
	Payments         []PaymentOut `json:"payments"`
	Refunds          []RefundOut  `json:"refunds"`
	Providers        []string     `json:"providers" doc:"The providers the person can pay with here."`
}

func paymentOut(p payments.Payment) PaymentOut {
	out := PaymentOut{ID: p.ID.String(), Reference: p.Reference, Method: p.Method, Status: p.Status, AmountRappen: p.Amount, RefundedRappen: p.Refunded,
		PaidWith: p.PaidWith, CreatedAt: p.CreatedAt, PaidAt: p.PaidAt, CaseNumber: p.CaseNumber, Service: p.Service}
	if p.PaidAt != nil {
		out.ReceiptID = p.ID.String()
	}
	return out
}

func (s *Server) billOut(a *payments.Account, lang string) BillOut {
	out := BillOut{Collect: a.Bill.Collect, Reference: a.Bill.Reference, Currency: a.Bill.Currency, ChargedRappen: a.Charged, PaidRappen: a.Paid,
		RefundedRappen: a.Refunded, OpenRappen: a.Open, RefundableRappen: a.Refundable, Providers: s.payments.Providers(),
		Payments: mapAll(a.Payments, paymentOut),
		Refunds: mapAll(a.Refunds, func(r payments.Refund) RefundOut {
			return RefundOut{ID: r.ID.String(), Payment: r.Payment.String(), AmountRappen: r.Amount, Status: r.Status, Reason: r.Reason, CreatedAt: r.CreatedAt}
		}),
		Fees: mapAll(a.Fees, func(f payments.Fee) BillFeeOut {
			label := f.Label[lang]
			if label == "" {
				label = f.Label["de"]
			}
			return BillFeeOut{Type: f.Type, Label: label, Quantity: f.Quantity, UnitRappen: f.Unit, AmountRappen: f.Amount, VAT: f.VAT, VATRappen: f.VATAmount, Cancelled: f.CancelEntry != nil}
		})}
	if a.Bill.DueOn != nil {
		out.DueOn = a.Bill.DueOn.Format(time.DateOnly)
	}
	return out
}

// CheckoutInput starts paying a case.
type CheckoutInput struct {
	CaseNumberInput
	LangParams
	Body struct {
		Provider string `json:"provider" maxLength:"20" example:"dev" doc:"One of the bill's providers."`
	}
}

// CheckoutOut is where to send the browser.
type CheckoutOut struct {
	Payment     PaymentOut `json:"payment"`
	RedirectURL string     `json:"redirect_url" format:"uri" doc:"The provider's payment page. Coming back from it proves nothing: the case shows the payment once the provider confirmed it."`
}

// WebhookInput is a provider's event, verified by its signature.
type WebhookInput struct {
	Provider  string `path:"provider" maxLength:"20" example:"stripe"`
	Signature string `header:"Stripe-Signature" maxLength:"1000" doc:"t=<unix time>,v1=<hex HMAC-SHA256 of \"t.body\">: Stripe's scheme; the development provider signs the same way."`
	RawBody   []byte `contentType:"application/json"`
}

// RefundInput is staff giving money back.
type RefundInput struct {
	CaseNumberInput
	Body struct {
		AmountRappen int64  `json:"amount_rappen,omitempty" minimum:"0" doc:"0 or absent: everything still refundable."`
		Reason       string `json:"reason" minLength:"1" maxLength:"500"`
		CancelFees   bool   `json:"cancel_fees,omitempty" doc:"Also take the case's fees back (a rejected case owes nothing)."`
	}
}

func (s *Server) registerPayments(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "getMyCaseBill", Method: http.MethodGet, Path: "/api/v1/me/cases/{number}/bill", Tags: []string{tagPayments}, Security: sessionSecurity,
		Summary: "The bill of my case", Description: "Fees, payments, refunds and what is still open. A free case, or another person's, is 404.",
		Errors: errs,
	}, func(ctx context.Context, in *struct {
		CaseNumberInput
		LangParams
	}) (*Uncached[BillOut], error) {
		id, _ := s.sessionAccount(ctx)
		a, err := s.payments.OfCase(ctx, id, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BillOut]{CacheControl: "private, no-store", Body: s.billOut(a, in.resolve())}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "payMyCase", Method: http.MethodPost, Path: "/api/v1/me/cases/{number}/checkout", Tags: []string{tagPayments}, Security: sessionSecurity,
		Summary: "Pay my case", Description: "Starts a hosted checkout for what is open on the case (a checkout still running is reused, so retries open no second one) and answers the provider's page. " +
			"The case shows the payment when the provider confirms it by webhook or when Schalter asks the provider; the browser's return proves nothing. 409 when nothing is open or the case is closed; 503 when the provider does not answer.",
		Errors: append(errs, http.StatusConflict, http.StatusServiceUnavailable),
	}, func(ctx context.Context, in *CheckoutInput) (*Uncached[CheckoutOut], error) {
		me, err := s.sessionUser(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.cases.Get(ctx, me.ID, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		p, err := s.payments.Checkout(ctx, payments.CheckoutRequest{Account: me.ID, Email: me.Email, Number: in.Number, Provider: in.Body.Provider,
			Language: in.resolve(), Description: s.serviceTitle(ctx, c.Service, in.resolve())})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := CheckoutOut{Payment: paymentOut(p)}
		if p.RedirectURL != nil {
			out.RedirectURL = *p.RedirectURL
		}
		return &Uncached[CheckoutOut]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listMyPayments", Method: http.MethodGet, Path: "/api/v1/me/payments", Tags: []string{tagPayments}, Security: sessionSecurity,
		Summary: "My payments", Description: "Every finished payment of the account, newest first, with its receipt.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[PaymentOut]], error) {
		id, _ := s.sessionAccount(ctx)
		list, err := s.payments.Mine(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[PaymentOut]]{CacheControl: "private, no-store", Body: Items[PaymentOut]{Items: mapAll(list, paymentOut)}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "paymentWebhook", Method: http.MethodPost, Path: "/api/v1/payments/webhooks/{provider}", Tags: []string{tagPayments},
		Summary: "A payment provider's webhook", Description: "Events signed by the provider (Stripe-Signature). Processed once per event id, in any order; an event about an unknown checkout is recorded and answered 204. A bad signature is 401.",
		DefaultStatus: http.StatusNoContent,
		// The provider's JSON is its own; the signature is checked over
		// the exact bytes, before anything reads them.
		SkipValidateBody: true, MaxBodyBytes: 64 << 10,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *WebhookInput) (*struct{}, error) {
		h := http.Header{}
		h.Set("Stripe-Signature", in.Signature)
		if err := s.payments.Webhook(ctx, in.Provider, in.RawBody, h); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{}{}, nil
	})

	staffErrs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "officeCaseBill", Method: http.MethodGet, Path: "/api/v1/office/cases/{number}/bill", Tags: []string{tagPayments}, Security: staffSecurity,
		Summary: "A case's bill (staff)", Description: "Fees, payments, refunds, what is open and what can still be refunded, for staff of the case's office (another office: 404).",
		Errors: staffErrs,
	}, func(ctx context.Context, in *CaseNumberInput) (*Uncached[BillOut], error) {
		id, _ := s.sessionAccount(ctx)
		a, err := s.payments.OfficeAccount(ctx, id, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BillOut]{CacheControl: "private, no-store", Body: s.billOut(a, "de")}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "officeRefundCase", Method: http.MethodPost, Path: "/api/v1/office/cases/{number}/refunds", Tags: []string{tagPayments}, Security: staffSecurity,
		Summary: "Refund a case (staff)", Description: "Gives back an amount (or everything still refundable) across the case's payments, newest first, never more than was paid; " +
			"with cancel_fees the fees are taken back as well (a rejected case: one action). Card refunds go to the provider by a job; send an Idempotency-Key.",
		DefaultStatus: http.StatusCreated,
		Errors:        append(staffErrs, http.StatusConflict),
	}, func(ctx context.Context, in *RefundInput) (*Uncached[BillOut], error) {
		me, err := s.sessionUser(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if _, err := s.payments.RefundCase(ctx, payments.RefundRequest{Staff: me.ID, Email: me.Email, Number: in.Number, Amount: in.Body.AmountRappen,
			Reason: in.Body.Reason, CancelFees: in.Body.CancelFees}); err != nil {
			return nil, s.problem(ctx, err)
		}
		a, err := s.payments.OfficeAccount(ctx, me.ID, in.Number)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BillOut]{CacheControl: "private, no-store", Body: s.billOut(a, "de")}, nil
	})
}
