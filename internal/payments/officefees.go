package payments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/store"
)

// OfficeFee is a fee the office sets on a case while handling it (a
// building permit's fee, by the size of the building).
type OfficeFee struct {
	// Type names the revenue account per office and type, e.g.
	// "building-permit".
	Type string
	// Label is the fee in every language (de, fr, it, en).
	Label    map[string]string
	Quantity int
	// Unit is the gross amount of one unit, in Rappen.
	Unit int64
	// VAT is fees.VATNone, VATStandard or VATReduced.
	VAT string
}

// Bounds of office fees; quantity and unit are the fee table's own.
const (
	MaxOfficeFees    = 20
	maxFeeTypeLength = 60
	maxFeeLabel      = 200
	maxFeeQuantity   = 10_000
)

// closedCases take no more fees: the office's work on them is over.
var closedCases = []string{cases.Done, cases.Rejected, cases.Withdrawn}

// AddFees books fees the office sets on a case of staff's offices (another
// office's case is NotFound) and asks for an invoice of what is then open.
// A case without a bill (a free service) gets one, collected by the
// office. key identifies the call (the request's Idempotency-Key; empty
// for a new one): the same staff member's same key books nothing again.
// A case that waits for its payment keeps waiting until all is paid.
func (s *Service) AddFees(ctx context.Context, staff uuid.UUID, number, key string, items []OfficeFee) (*Account, error) {
	lines, err := s.officeLines(items)
	if err != nil {
		return nil, err
	}
	if key == "" {
		key = uuid.NewString()
	}
	var out *Account
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		c, err := cases.StaffCase(ctx, q, staff, number)
		if err != nil {
			return err
		}
		if c, err = q.LockCase(ctx, c.ID); err != nil {
			return err
		}
		if slices.Contains(closedCases, c.Status) {
			return apperr.New(apperr.Conflict, "the case is %s: it takes no more fees", c.Status)
		}
		if err := s.ensureBill(ctx, q, c); err != nil {
			return err
		}
		me, err := q.AccountByID(ctx, staff)
		if err != nil {
			return err
		}
		source := officeChargeSource(c.ID, staff, key)
		booked, err := s.charge(ctx, q, c, lines, source, me.Email)
		if err != nil {
			return err
		}
		if out, err = accountOf(ctx, q, c.ID); err != nil || !booked {
			return err // not booked: an earlier call with this key was, and told and invoiced then
		}
		if err := cases.Note(ctx, q, c.ID, "payments", "Gebühren festgelegt: "+Chf(fees.Total(lines))); err != nil {
			return err
		}
		return s.enqueueInvoice(ctx, q, c.ID, source)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// officeChargeSource is the ledger source of staff's call key on case c.
// The key is hashed: any key fits the source's length, and two staff
// members' keys never meet.
func officeChargeSource(c, staff uuid.UUID, key string) string {
	sum := sha256.Sum256([]byte(staff.String() + "\n" + key))
	return "charge:" + c.String() + ":office:" + hex.EncodeToString(sum[:16])
}

// ensureBill gives case c a bill collected by the office unless it has
// one.
func (s *Service) ensureBill(ctx context.Context, q *store.Queries, c store.Case) error {
	_, err := q.CaseBill(ctx, c.ID)
	if apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	ref, err := s.reference(ctx, q, billRef)
	if err != nil {
		return err
	}
	_, err = q.AddBill(ctx, store.Bill{Case: c.ID, Office: c.Office, Collect: fees.Office, Reference: ref})
	return err
}

// officeLines checks the office's fees, every wrong field at once under
// body.items[i], and makes them bill lines with their VAT share of today.
func (s *Service) officeLines(items []OfficeFee) ([]fees.Line, error) {
	var errs []apperr.FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, apperr.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if len(items) == 0 || len(items) > MaxOfficeFees {
		add("body.items", "must have 1 to %d fees", MaxOfficeFees)
	}
	lines := make([]fees.Line, 0, len(items))
	for i, it := range items {
		p := fmt.Sprintf("body.items[%d]", i)
		if len(it.Type) > maxFeeTypeLength || !fees.ValidType(it.Type) {
			add(p+".type", "must be a slug of at most %d characters such as %q", maxFeeTypeLength, "building-permit")
		}
		for _, l := range catalog.Languages {
			switch t := strings.TrimSpace(it.Label[l]); {
			case t == "":
				add(p+".label."+l, "the fee's name is missing in %s", l)
			case utf8.RuneCountInString(t) > maxFeeLabel:
				add(p+".label."+l, "must be at most %d characters", maxFeeLabel)
			}
		}
		for l := range it.Label {
			if !slices.Contains(catalog.Languages, l) {
				add(p+".label."+l, "unknown language (%s)", strings.Join(catalog.Languages, ", "))
			}
		}
		if it.Quantity < 1 || it.Quantity > maxFeeQuantity {
			add(p+".quantity", "must be between 1 and %d", maxFeeQuantity)
		}
		if it.Unit < 1 || it.Unit > fees.MaxAmount {
			add(p+".unit_rappen", "must be between 1 and %d Rappen", int64(fees.MaxAmount))
		}
		if !slices.Contains(fees.VATCodes, it.VAT) {
			add(p+".vat", "must be one of %s", strings.Join(fees.VATCodes, ", "))
		}
		// quantity × unit cannot overflow within the bounds; the fee table
		// checks the product's own bound again.
		label := make(map[string]string, len(catalog.Languages))
		for _, l := range catalog.Languages {
			label[l] = strings.TrimSpace(it.Label[l])
		}
		lines = append(lines, fees.NewLine(it.Type, label, it.Quantity, it.Unit, it.VAT, s.now()))
	}
	if len(errs) == 0 && fees.Total(lines) > fees.MaxAmount {
		add("body.items", "must add up to at most %s", Chf(fees.MaxAmount))
	}
	if len(errs) > 0 {
		return nil, apperr.InvalidFields("the fees are not valid", errs...)
	}
	return lines, nil
}
