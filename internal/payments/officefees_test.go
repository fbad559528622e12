package payments

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/store"
)

// residenceFee is a fee the Einwohnerdienste set: research, by the hour.
func residenceFee(qty int, unit int64, vat string) OfficeFee {
	return OfficeFee{Type: "research", Quantity: qty, Unit: unit, VAT: vat,
		Label: map[string]string{"de": "Abklärungen", "fr": "Recherches", "it": "Accertamenti", "en": "Enquiries"}}
}

// TestOfficeFees: staff of the case's office set fees (every wrong field
// reported, another office's staff get 404), booked as a balanced charge
// once per key; each change invoices the person anew and revokes the
// invoice before; a pay-first case waits until all is paid; a closed case
// takes no more fees.
func TestOfficeFees(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "tamara@pay.example", "tamara@pay.example", "", nil)
	require.NoError(t, err)
	staff, err := b.st.CreateAccount(ctx, "staff@pay.example", "staff@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	require.NoError(t, err)
	police, err := b.st.CreateAccount(ctx, "police@pay.example", "police@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "sicherheit"})
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 3)
	require.Equal(t, cases.PaymentDue, c.Status)

	_, err = b.svc.AddFees(ctx, staff.ID, c.Number, "k0", []OfficeFee{{Type: "Bad Type", Label: map[string]string{"de": "x", "fr": " ", "rm": "y"}, VAT: "luxury"}})
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	var paths []string
	for _, f := range e.Fields {
		paths = append(paths, f.Path)
	}
	require.ElementsMatch(t, []string{"body.items[0].type", "body.items[0].label.fr", "body.items[0].label.it", "body.items[0].label.en",
		"body.items[0].label.rm", "body.items[0].quantity", "body.items[0].unit_rappen", "body.items[0].vat"}, paths)
	_, err = b.svc.AddFees(ctx, staff.ID, c.Number, "k0", nil)
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	_, err = b.svc.AddFees(ctx, police.ID, c.Number, "k1", []OfficeFee{residenceFee(1, 100, fees.VATNone)})
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another office's case")
	_, err = b.svc.AddFees(ctx, acc.ID, c.Number, "k1", []OfficeFee{residenceFee(1, 100, fees.VATNone)})
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err), "no staff at all")

	a, err := b.svc.AddFees(ctx, staff.ID, c.Number, "k1", []OfficeFee{residenceFee(2, 1500, fees.VATStandard)})
	require.NoError(t, err)
	require.EqualValues(t, 4000+3000, a.Open)
	added := a.Fees[len(a.Fees)-1]
	require.Equal(t, "staff@pay.example", added.CreatedBy)
	require.Equal(t, fees.VATShare(3000, fees.VATStandard, time.Now()), added.VATAmount)
	require.Equal(t, a.Open, b.checkBooks(t, c.ID).Open)
	again, err := b.svc.AddFees(ctx, staff.ID, c.Number, "k1", []OfficeFee{residenceFee(2, 1500, fees.VATStandard)})
	require.NoError(t, err)
	require.Equal(t, a.Charged, again.Charged, "the same key books once")
	journal, err := b.st.JournalOfCase(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, journal, 2, "the submission's charge and the office's")

	b.workInvoice(t, c.ID)
	inv := b.invoices(t, acc.ID)
	require.Len(t, inv, 1)
	tamara := &qrbill.Address{Name: "Tamara Keller", Street: "Bahnhofstrasse", BuildingNumber: "1", PostalCode: "8610", Town: "Uster", Country: "CH"}
	b.requirePayload(t, inv[0], b.wantBill(a, c.Number, 7000, tamara))
	require.Equal(t, b.svc.Ledger().Today().AddDate(0, 0, OfficeFeeTerm), b.svc.dueOn(a), "the office's fees are due a term after they were set")

	a, err = b.svc.AddFees(ctx, staff.ID, c.Number, "k2", []OfficeFee{residenceFee(1, 500, fees.VATNone)})
	require.NoError(t, err)
	b.workInvoice(t, c.ID)
	inv = b.invoices(t, acc.ID)
	require.Len(t, inv, 2)
	current := inv[0]
	if current.RevokedAt != nil {
		current = inv[1]
	}
	for _, d := range inv {
		if d.ID == current.ID {
			require.Nil(t, d.RevokedAt, "the new invoice stands")
			continue
		}
		require.NotNil(t, d.RevokedAt, "the old invoice is replaced")
		require.Equal(t, "ersetzt durch neue Rechnung", *d.RevokedReason)
	}
	b.requirePayload(t, current, b.wantBill(a, c.Number, 7500, tamara))

	b.payByBank(t, c.ID, 4000, "bank-tx-1")
	got, err := b.cases.Get(ctx, acc.ID, c.Number)
	require.NoError(t, err)
	require.Equal(t, cases.PaymentDue, got.Status, "the office raised the fee: not paid in full yet")
	require.Zero(t, b.delivered)
	b.payByBank(t, c.ID, 3500, "bank-tx-2")
	got, err = b.cases.Get(ctx, acc.ID, c.Number)
	require.NoError(t, err)
	require.Equal(t, cases.Received, got.Status)
	require.Equal(t, 1, b.delivered)
	require.Zero(t, b.checkBooks(t, c.ID).Open)

	_, err = b.cases.Move(ctx, staff.ID, c.Number, cases.Done, "")
	require.NoError(t, err)
	_, err = b.svc.AddFees(ctx, staff.ID, c.Number, "k3", []OfficeFee{residenceFee(1, 500, fees.VATNone)})
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "a closed case")
}

// TestOfficeFeesOnAFreeCase: a case of a free service has no bill until
// its office sets a fee; then it has one, collected by the office, with a
// reference of its own, and the person gets its invoice.
func TestOfficeFeesOnAFreeCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	publishFees(t, b.st, residence, nil)
	acc, err := b.st.CreateAccount(ctx, "tamara@pay.example", "tamara@pay.example", "", nil)
	require.NoError(t, err)
	staff, err := b.st.CreateAccount(ctx, "staff@pay.example", "staff@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 1)
	require.Equal(t, cases.Received, c.Status)
	_, err = b.svc.OfCase(ctx, acc.ID, c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "free: no bill")

	a, err := b.svc.AddFees(ctx, staff.ID, c.Number, "", []OfficeFee{residenceFee(1, 4500, fees.VATNone)})
	require.NoError(t, err)
	require.Equal(t, fees.Office, a.Bill.Collect)
	require.True(t, qrbill.ValidQRReference(a.Bill.Reference), a.Bill.Reference)
	require.EqualValues(t, 4500, b.checkBooks(t, c.ID).Open)
	b.workInvoice(t, c.ID)
	inv := b.invoices(t, acc.ID)
	require.Len(t, inv, 1)
	tamara := &qrbill.Address{Name: "Tamara Keller", Street: "Bahnhofstrasse", BuildingNumber: "1", PostalCode: "8610", Town: "Uster", Country: "CH"}
	b.requirePayload(t, inv[0], b.wantBill(a, c.Number, 4500, tamara))
}
