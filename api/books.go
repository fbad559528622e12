package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/books"
)

// The finance office's books (internal/books): the journal export, the
// daily reconciliation, the chart of accounts and provider payouts. The
// operations are staff operations; the service refuses (403) staff of
// any office but the finance office.

const tagFinance = "Finance"

// FinanceRangeInput is a range of value dates.
type FinanceRangeInput struct {
	From string `query:"from" required:"true" format:"date" example:"2026-03-01" doc:"The first day (a value date: the bank's booking date, or the day in Europe/Zurich)."`
	To   string `query:"to" required:"true" format:"date" example:"2026-03-31" doc:"The last day, included; at most 366 days from the first."`
}

// dateOf reads a date that passed the format check (format:"date"), so
// it parses; the zero time otherwise, which the books refuse by name.
func dateOf(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// MovementOut is what entries of one kind moved on an account.
type MovementOut struct {
	Kind         string `json:"kind" enum:"payment,refund,settlement,unallocated,correction,allocation,charge"`
	Postings     int64  `json:"postings" doc:"How many postings: one per payment, refund, payout or bank credit."`
	DebitRappen  int64  `json:"debit_rappen"`
	CreditRappen int64  `json:"credit_rappen"`
}

// SumsOut are balances and movements over a period: closing = opening +
// debit − credit.
type SumsOut struct {
	OpeningRappen int64         `json:"opening_rappen"`
	Movements     []MovementOut `json:"movements" doc:"payment, refund, settlement and unallocated always, in this order; other kinds when they moved."`
	DebitRappen   int64         `json:"debit_rappen"`
	CreditRappen  int64         `json:"credit_rappen"`
	ClosingRappen int64         `json:"closing_rappen"`
}

// MoneyAccountOut is a money account over a period.
type MoneyAccountOut struct {
	Code   string `json:"code" example:"clearing:stripe"`
	Type   string `json:"type" enum:"clearing,bank" doc:"clearing: money a provider took and has not paid out yet; bank: the city's bank account."`
	Holder string `json:"holder" doc:"The provider, or the IBAN."`
	Name   string `json:"name"`
	Number string `json:"number" doc:"The account's number in the city's finance system."`
	SumsOut
}

// PeriodOut is the money accounts over a day or a range of days.
type PeriodOut struct {
	From     string            `json:"from" format:"date"`
	To       string            `json:"to" format:"date"`
	Accounts []MoneyAccountOut `json:"accounts"`
	Totals   SumsOut           `json:"totals"`
}

// DailyReportOut is the reconciliation of a range of days.
type DailyReportOut struct {
	Days  []PeriodOut `json:"days" doc:"Every day of the range, quiet ones too."`
	Whole PeriodOut   `json:"whole" doc:"The range as a whole: opening at its first day, closing at its last."`
}

// LedgerAccountOut is an account of the chart.
type LedgerAccountOut struct {
	Code       string `json:"code" example:"revenue:einwohnerdienste:certificate"`
	Kind       string `json:"kind" enum:"asset,liability,revenue,expense"`
	Name       string `json:"name"`
	Office     string `json:"office,omitempty" doc:"The office of a receivable or revenue account."`
	Number     string `json:"number" doc:"What the city's finance system calls the account (empty: not mapped)."`
	CostCentre string `json:"cost_centre"`
}

// LedgerAccountInput renumbers an account.
type LedgerAccountInput struct {
	Code string `path:"code" maxLength:"200" pattern:"^[a-z]+(:[a-z0-9-]+)*$" example:"clearing:stripe"`
	Body struct {
		Number     string `json:"number" maxLength:"40" example:"1009.10" doc:"Printable, at most 40 characters, not starting with = + - or @; empty: not mapped."`
		CostCentre string `json:"cost_centre" maxLength:"40" example:"2000"`
	}
}

// SettlementInput is a provider's payout that arrived on the bank.
type SettlementInput struct {
	Body struct {
		Provider     string `json:"provider" pattern:"^[a-z0-9-]{1,40}$" example:"stripe" doc:"A provider with a clearing account."`
		AmountRappen int64  `json:"amount_rappen" minimum:"1" example:"125000"`
		ValueDate    string `json:"value_date" format:"date" example:"2026-03-02" doc:"The bank's booking date of the payout; not in the future."`
		Reference    string `json:"reference" minLength:"1" maxLength:"200" example:"po_1Nq2Xy" doc:"The payout's id at the provider (or the bank's reference): booked once."`
	}
}

// SettlementOut is a payout in the books.
type SettlementOut struct {
	Entry        int64     `json:"entry" doc:"The journal entry."`
	Booked       bool      `json:"booked" doc:"false: the reference was booked before and nothing was booked now."`
	BookedAt     time.Time `json:"booked_at"`
	ValueDate    string    `json:"value_date" format:"date"`
	Provider     string    `json:"provider"`
	Reference    string    `json:"reference"`
	AmountRappen int64     `json:"amount_rappen"`
	Source       string    `json:"source" example:"settlement:stripe:po_1Nq2Xy"`
}

type settlementResponse struct {
	Status       int
	CacheControl string `header:"Cache-Control"`
	Body         SettlementOut
}

func sumsOut(s books.Sums) SumsOut {
	return SumsOut{OpeningRappen: s.Opening, DebitRappen: s.Debit, CreditRappen: s.Credit, ClosingRappen: s.Closing,
		Movements: mapAll(s.Movements, func(m books.Movement) MovementOut {
			return MovementOut{Kind: m.Kind, Postings: m.Postings, DebitRappen: m.Debit, CreditRappen: m.Credit}
		})}
}

func periodOut(p books.Period) PeriodOut {
	return PeriodOut{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Totals: sumsOut(p.Totals),
		Accounts: mapAll(p.Accounts, func(a books.MoneyAccount) MoneyAccountOut {
			return MoneyAccountOut{Code: a.Code, Type: a.Type, Holder: a.Holder, Name: a.Name, Number: a.Number, SumsOut: sumsOut(a.Sums)}
		})}
}

func ledgerAccountOut(a books.Account) LedgerAccountOut {
	out := LedgerAccountOut{Code: a.Code, Kind: a.Kind, Name: a.Name, Number: a.Number, CostCentre: a.CostCentre}
	if a.Office != nil {
		out.Office = *a.Office
	}
	return out
}

func (s *Server) registerBooks(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError}
	huma.Register(api, huma.Operation{
		OperationID: "financeJournal", Method: http.MethodGet, Path: "/api/v1/finance/journal.csv", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Journal export (finance office)",
		Description: "One line per posting of the entries with a value date in the range, for the city's finance system: CSV (RFC 4180) separated by semicolons, " +
			"UTF-8 with a byte order mark, a header row; columns entry, booked_at (RFC 3339, Europe/Zurich), value_date, kind, case_number, account, account_number, " +
			"cost_centre, account_name, debit, credit (CHF with two decimals and a point, one of them per line), memo, source. Numbers and cost centres are the chart's as it is now. " +
			"For staff of the finance office; anyone else is 403.",
		Responses: map[string]*huma.Response{"200": {Description: "The journal", Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: "string"}}}}},
		Errors:    errs,
	}, func(ctx context.Context, in *FinanceRangeInput) (*fileResponse, error) {
		me, _ := s.sessionAccount(ctx)
		var buf bytes.Buffer
		if err := s.books.Journal(ctx, me, dateOf(in.From), dateOf(in.To), &buf); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &fileResponse{"text/csv; charset=utf-8", `attachment; filename="schalter-journal-` + in.From + "-" + in.To + `.csv"`, "private, no-store", buf.Bytes()}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeDaily", Method: http.MethodGet, Path: "/api/v1/finance/daily", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Daily reconciliation (finance office)",
		Description: "Per day and money account (each provider's clearing account, the city's bank accounts): the opening balance, each kind's postings, debits and credits " +
			"(payments, refunds, settlements, unallocated bank credits), the closing balance, and the totals; then the range as a whole. " +
			"Computed from the ledger as it is now, to compare with the providers' and the bank's statements. For staff of the finance office; anyone else is 403.",
		Errors: errs,
	}, func(ctx context.Context, in *FinanceRangeInput) (*Uncached[DailyReportOut], error) {
		me, _ := s.sessionAccount(ctx)
		r, err := s.books.DailyRange(ctx, me, dateOf(in.From), dateOf(in.To))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[DailyReportOut]{CacheControl: "private, no-store", Body: DailyReportOut{Days: mapAll(r.Days, periodOut), Whole: periodOut(r.Whole)}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeAccounts", Method: http.MethodGet, Path: "/api/v1/finance/accounts", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "The chart of accounts (finance office)", Description: "Every ledger account with what the city's finance system calls it (number, cost centre), by code.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[LedgerAccountOut]], error) {
		me, _ := s.sessionAccount(ctx)
		list, err := s.books.Accounts(ctx, me)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Items[LedgerAccountOut]]{CacheControl: "private, no-store", Body: Items[LedgerAccountOut]{Items: mapAll(list, ledgerAccountOut)}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeSetAccount", Method: http.MethodPut, Path: "/api/v1/finance/accounts/{code}", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Renumber an account (finance office)", Description: "Sets the account's number and cost centre in the city's finance system; every export from now on shows them, " +
			"for earlier days too. An account comes into being when first booked to: an unknown one is 404.",
		Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *LedgerAccountInput) (*Uncached[LedgerAccountOut], error) {
		me, _ := s.sessionAccount(ctx)
		a, err := s.books.SetAccount(ctx, me, in.Code, in.Body.Number, in.Body.CostCentre)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[LedgerAccountOut]{CacheControl: "private, no-store", Body: ledgerAccountOut(a)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "financeSettle", Method: http.MethodPost, Path: "/api/v1/finance/settlements", Tags: []string{tagFinance}, Security: staffSecurity,
		Summary: "Book a provider's payout (finance office)",
		Description: "A payout arrived on the city's bank account: booked as a settlement, the bank against the provider's clearing account, once per provider and reference. " +
			"201 when booked; 200 with booked false when the reference was booked before with the same amount and day (nothing is booked again); 409 when it was booked with other figures. " +
			"Send an Idempotency-Key.",
		DefaultStatus: http.StatusCreated,
		Errors:        append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *SettlementInput) (*settlementResponse, error) {
		me, _ := s.sessionAccount(ctx)
		r, err := s.books.Settle(ctx, me, in.Body.Provider, in.Body.AmountRappen, dateOf(in.Body.ValueDate), in.Body.Reference)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		status := http.StatusCreated
		if !r.Booked {
			status = http.StatusOK
		}
		return &settlementResponse{Status: status, CacheControl: "no-store", Body: SettlementOut{Entry: r.Entry, Booked: r.Booked, BookedAt: r.BookedAt.UTC(),
			ValueDate: r.ValueDate.Format(time.DateOnly), Provider: r.Provider, Reference: r.Reference, AmountRappen: r.Amount, Source: r.Source}}, nil
	})
}
