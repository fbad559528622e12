package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/simoffice"
	"github.com/schalter-ch/schalter/internal/store"
)

// benchSecretKey is the server's secret box key in the benchmarks, so that
// the test process can configure connectors and sign documents alike.
const benchSecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

const dogData = `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
	"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
	"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`

const (
	submitRate, submitSeconds = 200, 10
	saveRate, saveSeconds     = 1000, 10
	saveDrafts                = 1000 // each saved about once a second: a person typing
	submitters                = 140  // accounts with drafts to submit (50 drafts each at most)
)

// ordersReport measures the orders issue's paths against the running
// server: submissions with the delivery jobs draining to an office
// endpoint, draft autosaves, document verification, and how fast the
// simulated office renders extracts. It returns its section of
// docs/benchmarks.md.
func ordersReport(t *testing.T, base string, st *store.Store) string {
	ctx := context.Background()
	box, err := secretbox.New(benchSecretKey)
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)

	// The office "sicherheit" (dog registrations) gets a connector to a
	// sink that accepts every delivery, so the queue drains during the run.
	var delivered sync.Map
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		delivered.Store(r.Header.Get("Idempotency-Key"), true)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(sink.Close)
	_, err = connector.New(st, box, nil, nil, base).ConfigureWith(ctx, "sicherheit", sink.URL, simoffice.DevSecret, connector.APIKeyPrefix+"bench-bench-bench-bench")
	require.NoError(t, err)

	// Drafts to submit, one per submission, spread over accounts.
	type sub struct{ cookie, draft string }
	var subs []sub
	need := runs*submitRate*submitSeconds + 500
	for a := 0; len(subs) < need && a < submitters; a++ {
		email := fmt.Sprintf("bench%d@example.ch", 200+a)
		acc, err := st.AccountByEmail(ctx, email)
		require.NoError(t, err)
		cookie := loginAs(t, base, email)
		for range drafts.MaxDrafts {
			dr, err := d.Create(ctx, drafts.Account(acc.ID), "hund-anmelden", json.RawMessage(dogData), "")
			require.NoError(t, err)
			subs = append(subs, sub{cookie, dr.ID.String()})
		}
	}
	require.GreaterOrEqual(t, len(subs), need)

	// Guest drafts to autosave, with the revision each save must name.
	type save struct {
		cookie, id string
		revision   int
	}
	saves := make([]save, saveDrafts)
	for i := range saves {
		gid := guest.New()
		dr, err := d.Create(ctx, drafts.Guest(gid), "hund-anmelden", json.RawMessage(`{"dog_name":"Bello"}`), "")
		require.NoError(t, err)
		saves[i] = save{"schalter_guest=" + gid, dr.ID.String(), 1}
	}

	// Documents to verify.
	cs := cases.New(st, f, "UST")
	owner, err := st.AccountByEmail(ctx, "bench399@example.ch")
	require.NoError(t, err)
	dr, err := d.Create(ctx, drafts.Account(owner.ID), "hund-anmelden", json.RawMessage(dogData), "")
	require.NoError(t, err)
	c, err := cs.Submit(ctx, cases.Submission{Account: owner.ID, Email: owner.Email, Level: account.LevelAccount, Draft: dr.ID, Language: "de"})
	require.NoError(t, err)
	docs := documents.New(st, box, base)
	var verifyPaths []string
	for range 20 {
		require.NoError(t, st.InTx(ctx, func(q *store.Queries) error {
			doc, err := docs.IssueIn(ctx, q, documents.Issue{Case: c.Record, Kind: "hundemarke", Title: "Bestätigung der Hundeanmeldung", Filename: "hund.pdf",
				Render: func(_ uuid.UUID, url string) ([]byte, error) {
					p := pdf.New(pdf.Letterhead{City: "Stadt Uster", Office: "Sicherheit"}, "Bestätigung der Hundeanmeldung", time.Now())
					if err := p.QR(url, 30, url); err != nil {
						return nil, err
					}
					return p.Bytes()
				}})
			verifyPaths = append(verifyPaths, "/api/v1/documents/"+doc.ID.String()+"/verification")
			return err
		}))
	}

	var mu sync.Mutex
	next := 0
	submit := func(_ int, tgt *vegeta.Target) {
		mu.Lock()
		s := subs[next]
		next++
		mu.Unlock()
		tgt.Method = http.MethodPost
		tgt.Header.Set("Content-Type", "application/json")
		tgt.Header.Set("Cookie", s.cookie)
		tgt.Body = []byte(`{"draft":"` + s.draft + `"}`)
	}
	autosave := func(i int, tgt *vegeta.Target) {
		mu.Lock()
		s := &saves[i%len(saves)]
		rev := s.revision
		s.revision++
		mu.Unlock()
		tgt.Method = http.MethodPatch
		tgt.URL = base + "/api/v1/drafts/" + s.id
		tgt.Header.Set("Content-Type", "application/json")
		tgt.Header.Set("Cookie", s.cookie)
		tgt.Header.Set("If-Match", fmt.Sprintf(`"%d"`, rev))
		tgt.Body = []byte(fmt.Sprintf(`{"data":{"dog_name":"Bello","breed":"Appenzeller","comment":"Gespeichert %d"},"section":"dog"}`, rev))
	}
	scenarios := []scenario{
		{"GET /healthz, max rate (ceiling)", []string{"/healthz"}, 0, 5, nil},
		{"POST /api/v1/me/cases (submission, delivery job enqueued) at 200/s", []string{"/api/v1/me/cases"}, submitRate, submitSeconds, submit},
		{"PATCH /api/v1/drafts/{id} (autosave, If-Match) at 1,000/s", []string{"/"}, saveRate, saveSeconds, autosave},
		{"GET /api/v1/documents/{id}/verification at 1,000/s", verifyPaths, 1000, 10, nil},
	}
	results := make([][]sample, len(scenarios))
	for r := range runs {
		for i, sc := range scenarios {
			m := attackWith(base, sc.paths, sc.rate, sc.seconds, sc.target)
			results[i] = append(results[i], m)
			t.Logf("run %d %-45s p50 %8s p99 %8s %8.0f req/s success %.4f", r+1, sc.name, m.p50, m.p99, m.throughput, m.success)
		}
	}
	// The delivery jobs drain: every case reaches the office's endpoint.
	submitted := runs * submitRate * submitSeconds
	drainStart := time.Now()
	for countMap(&delivered) < submitted && time.Since(drainStart) < 2*time.Minute {
		time.Sleep(100 * time.Millisecond)
	}
	drained := countMap(&delivered)

	var pdfRates []float64
	for range runs {
		n, start := 0, time.Now()
		for time.Since(start) < 3*time.Second {
			_, err := simoffice.Extract(simoffice.Person{GivenName: "Tamara", FamilyName: "Keller", BirthDate: "1990-03-04", Address: "Bahnhofstrasse 1, 8610 Uster"},
				"UST-2026-004711-3", "https://schalter.example/verify/"+uuid.NewString(), time.Now())
			require.NoError(t, err)
			n++
		}
		pdfRates = append(pdfRates, float64(n)/time.Since(start).Seconds())
	}

	med := make([]sample, len(scenarios))
	var b strings.Builder
	b.WriteString("\n## Orders (issue 12)\n\nSame session, same machine. Submissions use the dog registration (its office gets a connector to a local endpoint that accepts every delivery, so the job queue works while the load runs); autosaves rotate over 1,000 guest drafts, each saved about once a second with the revision it last got; verifications rotate over 20 signed documents.\n\n")
	b.WriteString("| Scenario | p50 | p99 | Throughput (req/s) | Success |\n|---|---:|---:|---:|---:|\n")
	for i, sc := range scenarios {
		med[i] = medianSample(results[i])
		fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %.2f%% |\n", sc.name, round(med[i].p50), round(med[i].p99), med[i].throughput, 100*med[i].success)
	}
	fmt.Fprintf(&b, "\n| Target | Measured | Met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| submissions at 200/s with the job queue draining, p99 < 50 ms | %s (%.2f%% succeeded) | %s |\n", round(med[1].p99), 100*med[1].success, yes(med[1].p99 < 50*time.Millisecond && med[1].success > 0.999))
	fmt.Fprintf(&b, "| draft autosave at 1,000 saves/s, p99 < 20 ms | %s (%.2f%% saved) | %s |\n", round(med[2].p99), 100*med[2].success, yes(med[2].p99 < 20*time.Millisecond && med[2].success > 0.999))
	fmt.Fprintf(&b, "| document verification at 1,000 req/s, p99 < 5 ms | %s | %s |\n", round(med[3].p99), yes(med[3].p99 < 5*time.Millisecond && med[3].success > 0.999))
	fmt.Fprintf(&b, "| cases delivered to the office's endpoint by the job queue | %d of %d (all within %s of the last submission) | %s |\n", drained, submitted, round(time.Since(drainStart)), yes(drained >= submitted))
	fmt.Fprintf(&b, "| Betreibungsregisterauszug PDFs rendered per second by the simulated office (one core, with QR code), median of %d × 3 s | %.0f | |\n", runs, median(pdfRates))
	fmt.Fprintf(&b, "| /healthz ceiling in this section | %.0f req/s | |\n", med[0].throughput)
	return b.String()
}

func countMap(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

func medianSample(s []sample) sample {
	var p50, p99 []int64
	var thr, suc []float64
	for _, x := range s {
		p50 = append(p50, int64(x.p50))
		p99 = append(p99, int64(x.p99))
		thr = append(thr, x.throughput)
		suc = append(suc, x.success)
	}
	return sample{p50: time.Duration(median(p50)), p99: time.Duration(median(p99)), throughput: median(thr), success: median(suc)}
}

// loginAs logs an account in and returns its session cookie.
func loginAs(t *testing.T, base, email string) string {
	res, err := http.Post(base+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"grüne Velos fahren leise"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, email)
	for _, c := range res.Cookies() {
		if c.Name == "schalter_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}
