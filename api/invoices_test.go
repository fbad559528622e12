package api_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/store"
)

// invoicedResidence publishes the residence certificate's form invoiced
// (CHF 20, payable within 30 days) and submits Tamara's order; it returns
// her two-factor session and the case number.
func invoicedResidence(t *testing.T, b *testBundle) (map[string]string, string) {
	t.Helper()
	ctx := context.Background()
	const service = "wohnsitzbestaetigung"
	f := forms.New(b.store, account.ProfileFields)
	v, err := f.Published(ctx, service)
	require.NoError(t, err)
	def := v.Definition
	def.Fees = &fees.Spec{Collect: fees.Invoice, Items: []fees.Item{{Type: "certificate", Amount: 2000,
		Label: map[string]string{"de": "Wohnsitzbestätigung", "fr": "Attestation de domicile", "it": "Certificato di domicilio", "en": "Certificate of residence"}}}}
	next, err := f.Create(ctx, service, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, service, next.Number)
	require.NoError(t, err)

	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"])}
	draft := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"` + service + `","data":{"given_name":"Tamara",
		"family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610","locality":"Uster","for_whom":"self",
		"delivery":"account","copies":1}}`})
	require.Equal(t, http.StatusCreated, draft.status, string(draft.body))
	sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + draft.json(t)["id"].(string) + `"}`})
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	require.Equal(t, "received", sub.json(t)["status"], "invoiced: the office starts at once")
	return tamara, sub.json(t)["number"].(string)
}

// invoiceDocs are the invoices in the account's documents, newest first.
func invoiceDocs(t *testing.T, b *testBundle, session map[string]string) []map[string]any {
	t.Helper()
	r := b.do(t, req{path: "/api/v1/me/documents", header: session})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out []map[string]any
	for _, d := range r.json(t)["items"].([]any) {
		if d := d.(map[string]any); d["kind"] == "invoice" {
			out = append(out, d)
		}
	}
	return out
}

// TestQRBillAndOfficeFees: the person gets their case's QR-bill for what
// is open, as SVG and PDF, exactly the bill of the city's account, the
// bill's reference and their address; the invoice is in their documents;
// the office sets a fee (checked per field, another office gets 404, once
// per Idempotency-Key), which raises the QR-bill's amount and replaces the
// invoice; with nothing open there is no QR-bill.
func TestQRBillAndOfficeFees(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	tamara, number := invoicedResidence(t, b)
	bill := b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill", header: tamara})
	require.Equal(t, http.StatusOK, bill.status, string(bill.body))
	ref := bill.json(t)["reference"].(string)
	want := func(amount int64) qrbill.Bill {
		return qrbill.Bill{Account: config.DemoIBAN, Amount: amount, Currency: "CHF", Reference: ref, Message: number,
			Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"},
			Debtor:   &qrbill.Address{Name: "Tamara Keller", Street: "Bahnhofstrasse", BuildingNumber: "1", PostalCode: "8610", Town: "Uster", Country: "CH"}}
	}
	qr := func(h map[string]string, ext string) resp {
		return b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill/qr-bill." + ext, header: h})
	}
	requireSVG := func(amount int64, lang string, h map[string]string) {
		t.Helper()
		svg := qr(h, "svg")
		require.Equal(t, http.StatusOK, svg.status, string(svg.body))
		require.Equal(t, "image/svg+xml", svg.header.Get("Content-Type"))
		require.Equal(t, "private, no-store", svg.header.Get("Cache-Control"))
		expected, err := want(amount).SVG(lang)
		require.NoError(t, err)
		// The SVG is deterministic: the same bytes are the same QR code,
		// hence the same payload.
		require.Equal(t, string(expected), string(svg.body))
		require.Contains(t, string(svg.body), qrbill.FormatReference(ref))
	}
	requireSVG(2000, "de", tamara)
	requireSVG(2000, "fr", with(tamara, "Accept-Language", "fr-CH"))
	pdf := qr(tamara, "pdf")
	require.Equal(t, http.StatusOK, pdf.status, string(pdf.body))
	require.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
	require.Equal(t, "private, no-store", pdf.header.Get("Cache-Control"))
	expected, err := want(2000).PDF("de")
	require.NoError(t, err)
	require.True(t, bytes.Equal(expected, pdf.body), "the A4 page of the same bill")
	requireProblem(t, qr(loginAs(t, b, "bruno@example.ch"), "svg"), http.StatusNotFound)
	requireProblem(t, qr(nil, "svg"), http.StatusUnauthorized)

	docs := invoiceDocs(t, b, tamara)
	require.Len(t, docs, 1, "the submission's invoice")
	require.Equal(t, number, docs[0]["case_number"])

	staff := func(email, office string) map[string]string {
		h := loginAs(t, b, email, store.Role{Role: account.RoleStaff, Office: office})
		return map[string]string{"Cookie": twoFactorSession(t, b, h["Cookie"])}
	}
	desk := staff("eva@uster.ch", "einwohnerdienste")
	tax := staff("stefan@uster.ch", "steueramt")
	addFees := func(h map[string]string, body string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/office/cases/" + number + "/fees", header: h, body: body})
	}
	const fee = `{"items":[{"type":"research","label":{"de":"Abklärungen","fr":"Recherches","it":"Accertamenti","en":"Enquiries"},
		"quantity":3,"unit_rappen":1500,"vat":"none"}]}`
	requireProblem(t, addFees(desk, `{"items":[{"type":"research","label":{"de":"Abklärungen","it":"Accertamenti","en":"Enquiries"},
		"quantity":1,"unit_rappen":1500,"vat":"none"}]}`), http.StatusUnprocessableEntity, "body.items[0].label.fr")
	requireProblem(t, addFees(desk, `{"items":[{"type":"research","label":{"de":"a","fr":"b","it":"c","en":"d"},"quantity":0,"unit_rappen":1500,"vat":"some"}]}`),
		http.StatusUnprocessableEntity, "body.items[0].quantity", "body.items[0].vat")
	requireProblem(t, addFees(tax, fee), http.StatusNotFound)
	requireProblem(t, addFees(tamara, fee), http.StatusForbidden)

	key := with(desk, "Idempotency-Key", "fees-1")
	added := addFees(key, fee)
	require.Equal(t, http.StatusCreated, added.status, string(added.body))
	out := added.json(t)
	require.EqualValues(t, 2000+4500, out["open_rappen"])
	require.Len(t, out["fees"], 2)
	again := addFees(key, fee)
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	require.EqualValues(t, 6500, again.json(t)["open_rappen"], "booked once")

	requireSVG(6500, "de", tamara)
	docs = invoiceDocs(t, b, tamara)
	require.Len(t, docs, 2)
	revoked := 0
	for _, d := range docs {
		if d["revoked_at"] != nil {
			revoked++
		}
	}
	require.Equal(t, 1, revoked, "the new invoice replaces the old")

	// The fees taken back: nothing is open, so there is no QR-bill.
	cancel := b.do(t, req{method: http.MethodPost, path: "/api/v1/office/cases/" + number + "/refunds", header: desk, body: `{"reason":"Versehen","cancel_fees":true}`})
	require.Equal(t, http.StatusCreated, cancel.status, string(cancel.body))
	requireProblem(t, qr(tamara, "svg"), http.StatusConflict)
	requireProblem(t, qr(tamara, "pdf"), http.StatusConflict)
}
