package connector_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertest"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const extract = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
	"locality":"Uster","same_address_5_years":"yes","purpose":"rental","delivery":"account","copies":1}`

func TestSignature(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	secret, body := []byte("secret-secret-secret"), []byte(`{"number":"UST-2026-000001-3"}`)
	sig := connector.Sign(secret, now, body)
	require.Regexp(t, `^t=1800000000,v1=[0-9a-f]{64}$`, sig)
	for _, tc := range []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"fine", sig, body, now, nil},
		{"four minutes late", sig, body, now.Add(4 * time.Minute), nil},
		{"replayed after the window", sig, body, now.Add(6 * time.Minute), connector.ErrStale},
		{"changed body", sig, []byte(`{"number":"UST-2026-000002-3"}`), now, connector.ErrMismatch},
		{"rotated: a second v1 matches", sig + ",v1=" + strings.Repeat("0", 64), body, now, nil},
		{"no time", "v1=" + strings.Repeat("0", 64), body, now, connector.ErrMalformed},
		{"not hex", "t=1800000000,v1=zz", body, now, connector.ErrMalformed},
		{"empty", "", body, now, connector.ErrMalformed},
	} {
		err := connector.Verify(tc.header, secret, tc.body, tc.at, connector.ReplayWindow)
		if tc.want == nil {
			require.NoError(t, err, tc.name)
		} else {
			require.ErrorIs(t, err, tc.want, tc.name)
		}
	}
}

// TestDelivery: the delivery job, enqueued with the submission, against
// an office endpoint that answers as told.
func TestDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	cs := cases.New(st, f, "UST")
	conn := connector.New(st, box, cs, documents.New(st, box, "https://schalter.example"), "https://schalter.example")
	cs.OnSubmit = conn.Enqueue

	// elsewhere is where a redirect points: it must never be asked.
	var elsewhereHits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereHits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(elsewhere.Close)
	var answer atomic.Int32
	var got atomic.Value
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(r.Header.Get(connector.SignatureHeader) + "\n" + r.Header.Get("Idempotency-Key") + "\n" + string(body))
		if code := int(answer.Load()); code >= 300 && code < 400 {
			w.Header().Set("Location", elsewhere.URL+"/cases")
		}
		w.WriteHeader(int(answer.Load()))
	}))
	t.Cleanup(endpoint.Close)
	creds, err := conn.ConfigureWith(ctx, "betreibungsamt", endpoint.URL, "secret-secret-secret", connector.APIKeyPrefix+"key-key-key-key-key-key")
	require.NoError(t, err)
	office, err := conn.Office(ctx, creds.APIKey)
	require.NoError(t, err)
	require.Equal(t, "betreibungsamt", office)
	_, err = conn.Office(ctx, connector.APIKeyPrefix+"other-other-other-other")
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(err))

	acc, err := st.CreateAccount(ctx, "tamara@connector.example", "tamara@connector.example", "", nil)
	require.NoError(t, err)
	submit := func(service, data string) store.Case {
		dr, err := d.Create(ctx, drafts.Account(acc.ID), service, json.RawMessage(data), "")
		require.NoError(t, err)
		c, err := cs.Submit(ctx, cases.Submission{Account: acc.ID, Email: acc.Email, Level: account.LevelTwoFactor, Draft: dr.ID, Language: "de"})
		require.NoError(t, err)
		return c.Record
	}
	c := submit("betreibungsregisterauszug-bestellen", extract)
	var jobs int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = 'connector_deliver'").Scan(&jobs))
	require.Equal(t, 1, jobs, "enqueued with the submission")
	// A service of an office without a connector enqueues nothing.
	submit("hund-anmelden", `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
		"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
		"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`)
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = 'connector_deliver'").Scan(&jobs))
	require.Equal(t, 1, jobs)

	w := &connector.Worker{Service: conn, DelayedAfter: 1}
	for _, tc := range []struct {
		name   string
		status int
		event  river.EventKind
		note   string // the newest timeline message afterwards
		err    string // part of the job's error
	}{
		{"office down: retried, the person told", http.StatusServiceUnavailable, river.EventKindJobFailed, "verzögert", "answered 503"},
		{"throttled: retried", http.StatusTooManyRequests, river.EventKindJobFailed, "verzögert", "answered 429"},
		{"refused for good: a dead letter", http.StatusBadRequest, river.EventKindJobCancelled, "verzögert", "refused the delivery: 400"},
		{"moved permanently: not followed, a dead letter", http.StatusMovedPermanently, river.EventKindJobCancelled, "verzögert", "answered 301, a redirect to"},
		{"found: not followed, a dead letter", http.StatusFound, river.EventKindJobCancelled, "verzögert", "does not follow redirects"},
		{"temporary redirect (the POST again): not followed", http.StatusTemporaryRedirect, river.EventKindJobCancelled, "verzögert", "answered 307"},
		{"permanent redirect (the POST again): not followed", http.StatusPermanentRedirect, river.EventKindJobCancelled, "verzögert", "answered 308"},
		{"accepted", http.StatusAccepted, river.EventKindJobCompleted, "übermittelt", ""},
		{"a retry the office has already", http.StatusConflict, river.EventKindJobCompleted, "übermittelt", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer.Store(int32(tc.status))
			res, err := pgtest.Work(t, st, w, connector.DeliverArgs{Case: c.ID})
			require.Equal(t, tc.event, res.EventKind, "%v", err)
			if tc.err != "" {
				require.Contains(t, jobError(res), tc.err, "the job's error, shown among the dead letters")
			}
			events, err := st.CaseEvents(ctx, c.ID)
			require.NoError(t, err)
			require.Contains(t, events[len(events)-1].Message, tc.note)
		})
	}
	require.Zero(t, elsewhereHits.Load(), "a redirect's target never receives the signed delivery")
	sent := strings.SplitN(got.Load().(string), "\n", 3)
	require.NoError(t, connector.Verify(sent[0], []byte("secret-secret-secret"), []byte(sent[2]), time.Now(), connector.ReplayWindow))
	require.Equal(t, c.Number, sent[1], "the case number is the office's idempotency key")
	var delivered connector.Delivery
	require.NoError(t, json.Unmarshal([]byte(sent[2]), &delivered))
	require.Equal(t, "https://schalter.example/api/v1/connector", delivered.CallbackURL)
	require.JSONEq(t, extract, string(delivered.Data))
	var disclosures int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM transparency_log WHERE subject = $1 AND action = 'disclose'", acc.ID).Scan(&disclosures))
	require.Equal(t, 2, disclosures, "each handing to the office is logged")

	endpoint.Close()
	res, _ := pgtest.Work(t, st, w, connector.DeliverArgs{Case: c.ID})
	require.Equal(t, river.EventKindJobFailed, res.EventKind, "unreachable: retried")

	// An endpoint stored before the rule (plain http to another host) is
	// not called: a dead letter until an administrator configures https.
	stored, err := st.OfficeConnector(ctx, "betreibungsamt")
	require.NoError(t, err)
	stored.EndpointURL = "http://fachanwendung.example/cases"
	require.NoError(t, st.PutConnector(ctx, stored))
	res, err = pgtest.Work(t, st, w, connector.DeliverArgs{Case: c.ID})
	require.Equal(t, river.EventKindJobCancelled, res.EventKind, "%v", err)
	require.Contains(t, jobError(res), "must use https")
}

// jobError is the error the job recorded last (River UI, schalter jobs).
func jobError(res *rivertest.WorkResult) string {
	if res == nil || res.Job == nil || len(res.Job.Errors) == 0 {
		return ""
	}
	return res.Job.Errors[len(res.Job.Errors)-1].Error
}

// TestEndpointRule: the URLs an administrator may configure for an
// office's system.
func TestEndpointRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		want string // part of the refusal; "" when allowed
	}{
		{"https://fachanwendung.uster.ch/schalter/cases", ""},
		{"https://fachanwendung.uster.ch:8443/schalter/status?v=2", ""},
		{"HTTPS://Fachanwendung.Uster.CH/cases", ""},
		{"https://192.0.2.10/cases", ""},
		{"http://127.0.0.1:8091/cases", ""},
		{"http://127.42.0.1/cases", ""},
		{"http://[::1]:8091/cases", ""},
		{"http://localhost:8091/cases", ""},
		{"http://LocalHost/cases", ""},
		{"http://fachanwendung.uster.ch/cases", "must use https"},
		{"http://192.0.2.10/cases", "must use https"},
		{"http://10.0.0.1/cases", "must use https"},
		{"http://0.0.0.0:8091/cases", "must use https"},
		{"http://[::]:8091/cases", "must use https"},
		{"http://localhost.fachanwendung.ch/cases", "must use https"},
		{"http://127.0.0.1.nip.io/cases", "must use https"},
		{"ftp://fachanwendung.uster.ch/cases", "https URL, not ftp"},
		{"https://office:secret@fachanwendung.uster.ch/cases", "user name or password"},
		{"https://office@fachanwendung.uster.ch/cases", "user name or password"},
		{"http://office:secret@127.0.0.1/cases", "user name or password"},
		{"https://fachanwendung.uster.ch/cases#top", "fragment"},
		{"https://fachanwendung.uster.ch/cases#", "fragment"},
		{"/schalter/cases", "absolute https URL"},
		{"fachanwendung.uster.ch/cases", "absolute https URL"},
		{"https:fachanwendung.uster.ch", "absolute https URL"},
		{"https://:8443/cases", "absolute https URL"},
		{"https://fachanwendung.uster.ch/ca ses\n", "absolute https URL"},
		{"", "absolute https URL"},
	} {
		err := connector.CheckEndpoint(tc.url)
		if tc.want == "" {
			require.NoError(t, err, tc.url)
		} else {
			require.ErrorContains(t, err, tc.want, tc.url)
		}
	}

	// Configuring refuses them with the field named, for either URL.
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	conn := connector.New(nil, box, nil, nil, "https://schalter.example")
	_, err = conn.ConfigureEndpoints(context.Background(), "betreibungsamt",
		connector.Endpoints{Delivery: "http://fachanwendung.uster.ch/cases", Status: "https://office:secret@fachanwendung.uster.ch/status"},
		"secret-secret-secret", connector.APIKeyPrefix+"key-key-key-key-key-key")
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, apperr.Invalid, e.Code)
	require.Len(t, e.Fields, 2)
	require.Equal(t, "body.endpoint_url", e.Fields[0].Path)
	require.Contains(t, e.Fields[0].Message, "must use https")
	require.Equal(t, "body.status_url", e.Fields[1].Path)
	require.Contains(t, e.Fields[1].Message, "user name or password")
	require.NotContains(t, err.Error()+e.Fields[1].Message, "secret@", "the password is not repeated")
}
