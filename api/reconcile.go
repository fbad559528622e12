package api

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/reconcile"
)

// Reconciliation (internal/reconcile): the finance office imports the
// bank's camt.054 notifications and works the list of credits that did
// not match a bill exactly. Staff sessions at two factors; that the staff
// member is of the finance office is the domain's rule (403 otherwise).

// CreditCountsOut counts an import's credits by what became of them.
type CreditCountsOut struct {
	Matched         int `json:"matched" doc:"The open amount of their bill: booked, nothing to do."`
	Partial         int `json:"partial" doc:"Less than open: booked; the case waits for the rest."`
	Over            int `json:"over" doc:"More than open, or the case is rejected or withdrawn: booked; the excess is to be refunded."`
	Duplicate       int `json:"duplicate" doc:"Reported by an earlier file already: nothing booked."`
	Unmatched       int `json:"unmatched" doc:"No bill has their reference: booked to the unallocated account until assigned to a case."`
	ForeignCurrency int `json:"foreign_currency" doc:"Not in CHF: nothing booked."`
	Reversal        int `json:"reversal" doc:"The bank reversed an earlier debit (an outgoing payment came back): nothing booked."`
}

// SkippedEntriesOut counts the file's entries that are no credits.
type SkippedEntriesOut struct {
	Debits          int `json:"debits" doc:"Money leaving the account (fees, refunds)."`
	ReversedCredits int `json:"reversed_credits" doc:"Earlier credits the bank took back: to be looked at."`
	NotBooked       int `json:"not_booked" doc:"Pending or informational entries, not final."`
}

// BankImportOut is an imported file.
type BankImportOut struct {
	ID             int64             `json:"id"`
	Filename       string            `json:"filename"`
	MessageID      string            `json:"message_id" doc:"The file's GrpHdr/MsgId."`
	MessageCreated time.Time         `json:"message_created" doc:"When the bank created the file."`
	ImportedAt     time.Time         `json:"imported_at"`
	ImportedBy     string            `json:"imported_by" doc:"The staff member's e-mail, or \"watched folder\"." example:"kasse@uster.ch"`
	Credits        CreditCountsOut   `json:"credits"`
	Skipped        SkippedEntriesOut `json:"skipped"`
	BookedRappen   int64             `json:"booked_rappen" doc:"CHF booked to the bank account by this import."`
	SHA256         string            `json:"sha256" doc:"The file's SHA-256, hex: the same file is imported once."`
}

// BankImportResultOut is what an upload did.
type BankImportResultOut struct {
	BankImportOut
	Repeated bool `json:"repeated" doc:"The same file was imported before: nothing was booked, and this is the earlier import."`
}

// BankCreditOut is a credit of an imported file.
type BankCreditOut struct {
	ID            int64      `json:"id"`
	Import        int64      `json:"import"`
	Filename      string     `json:"filename"`
	Line          int        `json:"line" doc:"The credit's line in the file."`
	BankRef       string     `json:"bank_ref" doc:"The bank's reference of the transaction."`
	IBAN          string     `json:"iban" doc:"The city's account the money arrived on."`
	AmountRappen  int64      `json:"amount_rappen" doc:"In hundredths of the currency."`
	Currency      string     `json:"currency" example:"CHF"`
	BookingDate   string     `json:"booking_date" format:"date"`
	Reference     string     `json:"reference,omitempty" doc:"The payment reference the payer gave (QR or RF)."`
	ReferenceType string     `json:"reference_type,omitempty" enum:"QRR,SCOR"`
	Unstructured  string     `json:"unstructured,omitempty" doc:"What the payer wrote."`
	DebtorName    string     `json:"debtor_name,omitempty"`
	DebtorIBAN    string     `json:"debtor_iban,omitempty"`
	Status        string     `json:"status" enum:"matched,partial,over,duplicate,unmatched,foreign_currency,reversal"`
	CaseNumber    string     `json:"case_number,omitempty" doc:"The case it was booked for."`
	CaseOpen      *int64     `json:"case_open_rappen,omitempty" doc:"What is open on that case now (negative: paid too much)."`
	Payment       string     `json:"payment,omitempty" format:"uuid" doc:"The payment it was booked as."`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy    string     `json:"resolved_by,omitempty"`
	Resolution    string     `json:"resolution,omitempty" doc:"What the office did (or \"assigned to <case>\")."`
}

func bankImportOut(i reconcile.Import) BankImportOut {
	c, k := i.Counts, i.Skipped
	return BankImportOut{ID: i.ID, Filename: i.Filename, MessageID: i.MessageID, MessageCreated: i.MessageCreated.UTC(), ImportedAt: i.ImportedAt.UTC(),
		ImportedBy: i.ImportedBy, BookedRappen: i.BookedRappen, SHA256: hex.EncodeToString(i.SHA256),
		Credits: CreditCountsOut{Matched: c.Matched, Partial: c.Partial, Over: c.Over, Duplicate: c.Duplicate, Unmatched: c.Unmatched,
			ForeignCurrency: c.ForeignCurrency, Reversal: c.Reversal},
		Skipped: SkippedEntriesOut{Debits: k.Debits, ReversedCredits: k.ReversedCredits, NotBooked: k.NotBooked}}
}

func bankCreditOut(c reconcile.Credit) BankCreditOut {
	out := BankCreditOut{ID: c.ID, Import: c.Import, Filename: c.Filename, Line: c.Line, BankRef: c.BankRef, IBAN: c.IBAN, AmountRappen: c.Amount,
		Currency: c.Currency, BookingDate: c.BookingDate.Format(time.DateOnly), Reference: c.Reference, ReferenceType: c.ReferenceType,
		Unstructured: c.Unstructured, DebtorName: c.DebtorName, DebtorIBAN: c.DebtorIBAN, Status: c.Status, CaseNumber: c.CaseNumber,
		CaseOpen: c.CaseOpen, ResolvedAt: c.ResolvedAt, ResolvedBy: c.ResolvedBy, Resolution: c.Resolution}
	if c.Payment != nil {
		out.Payment = c.Payment.String()
	}
	if out.ResolvedAt != nil {
		at := out.ResolvedAt.UTC()
		out.ResolvedAt = &at
	}
	return out
}

// BankImportInput is a camt.054 file.
type BankImportInput struct {
	Filename string `query:"filename" maxLength:"255" doc:"The file's name, kept for the list of imports." example:"zkb-camt054-2026-03-02.xml"`
	RawBody  []byte
}

// BankCreditInput addresses a credit of the work list.
type BankCreditInput struct {
	ID int64 `path:"id" minimum:"1" example:"4711" doc:"The credit's id (from the work list)."`
}

// AssignCreditInput assigns an unmatched credit to a case.
type AssignCreditInput struct {
	BankCreditInput
	Body struct {
		CaseNumber string `json:"case_number" minLength:"1" maxLength:"30" example:"UST-2026-004711-3" doc:"The case the money is for."`
	}
}

// ResolveCreditInput marks a credit handled.
type ResolveCreditInput struct {
	BankCreditInput
	Body struct {
		Note string `json:"note" minLength:"1" maxLength:"500" example:"An die Absenderin zurücküberwiesen" doc:"What was done."`
	}
}

type bankImportResponse struct {
	Status       int
	CacheControl string `header:"Cache-Control"`
	Body         BankImportResultOut
}

func (s *Server) registerReconcile(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError}
	xml := &huma.Schema{Type: "string", Description: "An ISO 20022 camt.054.001.08 (or .04) document, UTF-8."}
	huma.Register(api, huma.Operation{
		OperationID: "financeImportBankFile", Method: http.MethodPost, Path: "/api/v1/finance/bank-imports", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Import a bank notification (finance office)",
		Description: "A camt.054 file of the city's account, at most " + strconv.Itoa(camt.MaxFileSize>>20) + " MiB, booked whole or not at all: each credit is matched by its reference " +
			"to its bill's open amount and booked (matched, partial, over); credits without a known reference are booked to the unallocated account; duplicates of credits " +
			"imported before, foreign currencies and reversals book nothing. Everything but matched credits lands on the work list. A faulty file, or one for another account, " +
			"is 422 with each fault's line and element path, and nothing is booked. 201 for a new import; 200 with repeated true when the same file was imported before " +
			"(nothing is booked again). For staff of the finance office; anyone else is 403.",
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  camt.MaxFileSize,
		RequestBody:   &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/xml": {Schema: xml}, "text/xml": {Schema: xml}}},
		Errors:        append(errs, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity),
	}, func(ctx context.Context, in *BankImportInput) (*bankImportResponse, error) {
		me, err := s.financeStaff(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		sum, err := s.reconcile.Upload(ctx, me, in.Filename, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		status := http.StatusCreated
		if sum.Repeated {
			status = http.StatusOK
		}
		return &bankImportResponse{Status: status, CacheControl: "no-store", Body: BankImportResultOut{BankImportOut: bankImportOut(sum.Import), Repeated: sum.Repeated}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeBankImports", Method: http.MethodGet, Path: "/api/v1/finance/bank-imports", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Recent bank imports (finance office)", Description: "The latest 100 imports, uploaded or from the watched folder, newest first, with what became of their credits.",
		Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[BankImportOut]], error) {
		me, err := s.financeStaff(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		list, err := s.reconcile.Imports(ctx, me)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[BankImportOut]]{CacheControl: "private, no-store", Body: Items[BankImportOut]{Items: mapAll(list, bankImportOut)}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeCreditWorkList", Method: http.MethodGet, Path: "/api/v1/finance/credits", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "The work list of bank credits (finance office)",
		Description: "Every credit not matched and not resolved yet, oldest first (at most 1000): partial and over payments with their case and what is open on it now, " +
			"unmatched credits to assign, duplicates to check, foreign currencies and reversals to handle.",
		Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[BankCreditOut]], error) {
		me, err := s.financeStaff(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		list, err := s.reconcile.Open(ctx, me)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[BankCreditOut]]{CacheControl: "private, no-store", Body: Items[BankCreditOut]{Items: mapAll(list, bankCreditOut)}}, nil
	})

	itemErrs := append(errs, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	huma.Register(api, huma.Operation{
		OperationID: "financeAssignCredit", Method: http.MethodPost, Path: "/api/v1/finance/credits/{id}/assign", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Assign an unmatched credit to a case (finance office)",
		Description: "Books the credit from the unallocated account as the case's payment (its timeline, a case waiting for payment goes to its office, the receipt) and " +
			"takes it off the work list. Only unmatched credits; another kind, or one handled already, is 409. A case without a bill is 422 at body.case_number.",
		Errors: itemErrs,
	}, func(ctx context.Context, in *AssignCreditInput) (*Uncached[BankCreditOut], error) {
		me, err := s.financeStaff(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.reconcile.Assign(ctx, me, in.ID, in.Body.CaseNumber)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BankCreditOut]{CacheControl: "no-store", Body: bankCreditOut(c)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeResolveCredit", Method: http.MethodPost, Path: "/api/v1/finance/credits/{id}/resolve", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary:     "Mark a credit handled (finance office)",
		Description: "Takes an item off the work list with what was done (sent back, refunded, checked). Books nothing. A credit handled already, or a matched one, is 409.",
		Errors:      itemErrs,
	}, func(ctx context.Context, in *ResolveCreditInput) (*Uncached[BankCreditOut], error) {
		me, err := s.financeStaff(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.reconcile.Resolve(ctx, me, in.ID, in.Body.Note)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[BankCreditOut]{CacheControl: "no-store", Body: bankCreditOut(c)}, nil
	})
}

// financeStaff is the session's staff member, with the e-mail that names
// who imported a file or resolved a credit; that they are of the finance
// office the domain checks.
func (s *Server) financeStaff(ctx context.Context) (reconcile.Staff, error) {
	me, err := s.sessionUser(ctx)
	if err != nil {
		return reconcile.Staff{}, err
	}
	return reconcile.Staff{ID: me.ID, Email: me.Email}, nil
}
