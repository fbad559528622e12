package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	pollSecret = "poll-secret-poll-secret"
	dog        = `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
		"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
		"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`
)

// fakeOffice is an office's system: it takes deliveries at /cases and
// answers status polls at /status as respond says, recording each poll.
type fakeOffice struct {
	mu      sync.Mutex
	polls   []connector.StatusRequest
	sigErrs []error
	keyIDs  []string
	respond func(connector.StatusRequest) (int, string)
	// location is the Location of a 3xx answer.
	location string
}

func (f *fakeOffice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/cases" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	var req connector.StatusRequest
	_ = json.Unmarshal(body, &req)
	f.mu.Lock()
	f.polls = append(f.polls, req)
	f.sigErrs = append(f.sigErrs, connector.Verify(r.Header.Get(connector.SignatureHeader), []byte(pollSecret), body, time.Now(), connector.ReplayWindow))
	f.keyIDs = append(f.keyIDs, r.Header.Get(connector.KeyIDHeader))
	respond, location := f.respond, f.location
	f.mu.Unlock()
	code, answer := http.StatusOK, `{"cases":[]}`
	if respond != nil {
		code, answer = respond(req)
	}
	if code >= 300 && code < 400 {
		w.Header().Set("Location", location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, answer)
}

func (f *fakeOffice) answer(code int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.respond = func(connector.StatusRequest) (int, string) { return code, body }
}

// asked are the case numbers of each request, in order.
func (f *fakeOffice) asked() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, len(f.polls))
	for i, p := range f.polls {
		out[i] = p.Cases
	}
	return out
}

type pollBundle struct {
	st     *store.Store
	conn   *connector.Service
	office *fakeOffice
	server *httptest.Server
	keyID  string
	// a are the Betreibungsamt's cases, delivered to its system (which has
	// a status URL); other is the Sicherheit's, delivered to a system
	// without one; undelivered the Betreibungsamt's, whose delivery failed.
	a           []store.Case
	other       store.Case
	undelivered store.Case
}

func setupPoll(t *testing.T) *pollBundle {
	t.Helper()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	cs := cases.New(st, f, "UST")
	conn := connector.New(st, box, cs, documents.New(st, box, "https://schalter.example"), "https://schalter.example")
	conn.PollBatch = 2
	cs.OnSubmit = conn.Enqueue
	b := &pollBundle{st: st, conn: conn, office: &fakeOffice{}}
	b.server = httptest.NewServer(b.office)
	t.Cleanup(b.server.Close)

	creds, err := conn.ConfigureEndpoints(ctx, "betreibungsamt", connector.Endpoints{Delivery: b.server.URL + "/cases", Status: b.server.URL + "/status"},
		pollSecret, connector.APIKeyPrefix+"poll-poll-poll-poll-poll")
	require.NoError(t, err)
	b.keyID = creds.KeyID
	_, err = conn.ConfigureWith(ctx, "sicherheit", b.server.URL+"/cases", pollSecret, connector.APIKeyPrefix+"other-other-other-other")
	require.NoError(t, err)

	acc, err := st.CreateAccount(ctx, "tamara@poll.example", "tamara@poll.example", "", nil)
	require.NoError(t, err)
	submit := func(service, data string) store.Case {
		dr, err := d.Create(ctx, drafts.Account(acc.ID), service, json.RawMessage(data), "")
		require.NoError(t, err)
		c, err := cs.Submit(ctx, cases.Submission{Account: acc.ID, Email: acc.Email, Level: account.LevelTwoFactor, Draft: dr.ID, Language: "de"})
		require.NoError(t, err)
		return c.Record
	}
	w := &connector.Worker{Service: conn}
	deliver := func(c store.Case) {
		res, err := pgtest.Work(t, st, w, connector.DeliverArgs{Case: c.ID})
		require.Equal(t, river.EventKindJobCompleted, res.EventKind, "%v", err)
	}
	for range 3 {
		c := submit("betreibungsregisterauszug-bestellen", extract)
		deliver(c)
		b.a = append(b.a, c)
	}
	b.other = submit("hund-anmelden", dog)
	deliver(b.other)
	b.undelivered = submit("betreibungsregisterauszug-bestellen", extract)
	return b
}

func (b *pollBundle) status(t *testing.T, c store.Case) string {
	t.Helper()
	got, err := b.st.CaseByID(context.Background(), c.ID)
	require.NoError(t, err)
	return got.Status
}

func (b *pollBundle) events(t *testing.T, c store.Case) []store.CaseEvent {
	t.Helper()
	ev, err := b.st.CaseEvents(context.Background(), c.ID)
	require.NoError(t, err)
	return ev
}

func answers(cs ...connector.CaseStatus) string {
	b, _ := json.Marshal(connector.StatusAnswer{Cases: cs})
	return string(b)
}

// TestPollApplies: the office's answers move its cases through the same
// path as the office API, once.
func TestPollApplies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPoll(t)
	a0, a1, a2 := b.a[0], b.a[1], b.a[2]
	before := len(b.events(t, a0))
	type skip struct{ number, reason string }

	for _, tc := range []struct {
		name string
		// answer is what the office's system answers, to each batch the
		// statuses of the cases asked about, or all of them when verbatim.
		answer   []connector.CaseStatus
		verbatim bool
		applied  []string
		skipped  []skip // number and part of the reason
		want     map[string]string
	}{
		{
			name:    "a status change with its message",
			answer:  []connector.CaseStatus{{Number: a0.Number, Status: cases.InProgress, Message: "Das Betreibungsamt stellt Ihren Auszug aus."}},
			applied: []string{a0.Number},
			want:    map[string]string{a0.Number: cases.InProgress, a1.Number: cases.Received},
		},
		{
			name:   "the same answer again: nothing changes",
			answer: []connector.CaseStatus{{Number: a0.Number, Status: cases.InProgress, Message: "Das Betreibungsamt stellt Ihren Auszug aus."}},
			want:   map[string]string{a0.Number: cases.InProgress},
		},
		{
			name: "invalid answers skipped, the valid ones applied",
			answer: []connector.CaseStatus{
				{Number: a0.Number, Status: cases.Received},  // back to received: no transition
				{Number: a1.Number, Status: cases.Withdrawn}, // the person's move, not the office's
				{Number: a2.Number, Status: "archived"},
				{Number: a2.Number, Status: cases.Done, Message: strings.Repeat("x", 4001)},
				{Number: a1.Number, Status: cases.Done, Message: "Ihr Auszug geht per Post."},
			},
			applied: []string{a1.Number},
			skipped: []skip{{a0.Number, "cannot move"}, {a1.Number, "cannot move"}, {a2.Number, "not a status"}, {a2.Number, "4000 characters"}},
			want:    map[string]string{a0.Number: cases.InProgress, a1.Number: cases.Done, a2.Number: cases.Received},
		},
		{
			name: "another office's case and unasked ones: untouched",
			answer: []connector.CaseStatus{
				{Number: b.other.Number, Status: cases.Done},
				{Number: b.undelivered.Number, Status: cases.Done},
				{Number: "UST-2099-999999-9", Status: cases.Done},
			},
			verbatim: true,
			skipped:  []skip{{b.other.Number, "not asked"}, {b.undelivered.Number, "not asked"}, {"UST-2099-999999-9", "not asked"}},
			want:     map[string]string{b.other.Number: cases.Received, b.undelivered.Number: cases.Received},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.office.mu.Lock()
			b.office.respond = func(req connector.StatusRequest) (int, string) {
				if tc.verbatim {
					return http.StatusOK, answers(tc.answer...)
				}
				var out []connector.CaseStatus
				for _, a := range tc.answer {
					if slices.Contains(req.Cases, a.Number) {
						out = append(out, a)
					}
				}
				return http.StatusOK, answers(out...)
			}
			b.office.mu.Unlock()
			res, err := b.conn.Poll(ctx, "betreibungsamt")
			require.NoError(t, err)
			require.ElementsMatch(t, tc.applied, res.Applied)
			for _, got := range res.Skipped {
				require.True(t, slices.ContainsFunc(tc.skipped, func(want skip) bool {
					return want.number == got.Number && strings.Contains(got.Reason, want.reason)
				}), "unexpected skip %+v", got)
			}
			for _, want := range tc.skipped {
				require.True(t, slices.ContainsFunc(res.Skipped, func(got connector.Skipped) bool {
					return want.number == got.Number && strings.Contains(got.Reason, want.reason)
				}), "not skipped: %+v (skipped: %+v)", want, res.Skipped)
			}
			for _, c := range append([]store.Case{b.other, b.undelivered}, b.a...) {
				if want, ok := tc.want[c.Number]; ok {
					require.Equal(t, want, b.status(t, c), c.Number)
				}
			}
		})
	}

	// One timeline entry for the move, by the office's system, as the
	// office API writes it; the repeated answer added none.
	ev := b.events(t, a0)
	require.Len(t, ev, before+1)
	last := ev[len(ev)-1]
	require.Equal(t, cases.InProgress, last.Status)
	require.Equal(t, "system", last.ActorKind)
	require.Equal(t, "Fachanwendung betreibungsamt", last.Actor)
	require.Equal(t, "Das Betreibungsamt stellt Ihren Auszug aus.", last.Message)

	// Only its own open cases that its system has were asked about.
	asked := b.office.asked()
	for _, batch := range asked {
		require.NotContains(t, batch, b.other.Number, "another office's case")
		require.NotContains(t, batch, b.undelivered.Number, "a case the system does not have")
	}
	require.Equal(t, []string{a0.Number, a2.Number}, asked[len(asked)-1], "a done case is not asked about any more")
}

// TestPollRequest: what the office's system receives.
func TestPollRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPoll(t)
	_, err := b.conn.Poll(ctx, "betreibungsamt")
	require.NoError(t, err)
	b.office.mu.Lock()
	polls, sigErrs, keyIDs := b.office.polls, b.office.sigErrs, b.office.keyIDs
	b.office.mu.Unlock()
	require.Len(t, polls, 2, "three cases in batches of two")
	require.Equal(t, []string{b.a[0].Number, b.a[1].Number}, polls[0].Cases)
	require.Equal(t, []string{b.a[2].Number}, polls[1].Cases)
	for i, p := range polls {
		require.Equal(t, "betreibungsamt", p.Office)
		require.NoError(t, sigErrs[i], "the office verifies the signature with its secret")
		require.Equal(t, b.keyID, keyIDs[i])
	}

	// A case the system read through the office API is one it has.
	_, err = b.conn.Case(ctx, "betreibungsamt", b.undelivered.Number)
	require.NoError(t, err)
	_, err = b.conn.Poll(ctx, "betreibungsamt")
	require.NoError(t, err)
	asked := b.office.asked()
	require.Equal(t, []string{b.a[2].Number, b.undelivered.Number}, asked[len(asked)-1])
}

// TestPollOnlyOfficesWithStatusURL: the periodic job enqueues one poll
// per office with a status URL, never two at a time; an office without
// one is never asked.
func TestPollOnlyOfficesWithStatusURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupPoll(t)
	for range 2 {
		pgtest.Chore(t, b.st, connector.PollOfficesArgs{}, b.conn.EnqueuePolls)
	}
	var offices []string
	rows, err := b.st.Pool().Query(ctx, "SELECT args->>'office' FROM river_job WHERE kind = 'connector_poll' ORDER BY id")
	require.NoError(t, err)
	for rows.Next() {
		var o string
		require.NoError(t, rows.Scan(&o))
		offices = append(offices, o)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"betreibungsamt"}, offices, "one poll, only for the office with a status URL")

	res, err := b.conn.Poll(ctx, "sicherheit")
	require.NoError(t, err)
	require.Zero(t, res.Asked)
	require.Empty(t, b.office.asked(), "the system without a status URL was never asked")
}

// TestPollFailures: what the job does when the office's system fails.
func TestPollFailures(t *testing.T) {
	t.Parallel()
	b := setupPoll(t)
	// elsewhere is where a redirect points: it must never be asked.
	var elsewhereHits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereHits.Add(1)
		_, _ = io.WriteString(w, `{"cases":[]}`)
	}))
	t.Cleanup(elsewhere.Close)
	b.office.mu.Lock()
	b.office.location = elsewhere.URL + "/status"
	b.office.mu.Unlock()
	var logs bytes.Buffer
	w := &connector.PollWorker{Service: b.conn, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		event  river.EventKind
		log    string // part of what is logged
	}{
		{"down: retried", http.StatusServiceUnavailable, "", river.EventKindJobFailed, ""},
		{"throttled: retried", http.StatusTooManyRequests, "", river.EventKindJobFailed, ""},
		{"refused: logged, not retried", http.StatusForbidden, "", river.EventKindJobCompleted, "answered 403"},
		{"not a status answer: logged, not retried", http.StatusOK, "<html>", river.EventKindJobCompleted, "not a status answer"},
		{"too large: logged, not retried", http.StatusOK, `{"cases":[` + strings.Repeat(" ", connector.MaxStatusAnswer) + `]}`, river.EventKindJobCompleted, "over 1048576 bytes"},
		{"no news", http.StatusNoContent, "", river.EventKindJobCompleted, ""},
		{"found: not followed, logged, not retried", http.StatusFound, "", river.EventKindJobCompleted, "answered 302, a redirect to"},
		{"temporary redirect: not followed, logged, not retried", http.StatusTemporaryRedirect, "", river.EventKindJobCompleted, "does not follow redirects"},
		{"permanent redirect: not followed, logged, not retried", http.StatusPermanentRedirect, "", river.EventKindJobCompleted, "answered 308"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			b.office.answer(tc.status, tc.body)
			res, err := pgtest.Work(t, b.st, w, connector.PollArgs{Office: "betreibungsamt"})
			require.Equal(t, tc.event, res.EventKind, "%v", err)
			require.Contains(t, logs.String(), tc.log)
		})
	}
	// Not even with a client of its own that would follow them.
	b.conn.Client = &http.Client{Timeout: 5 * time.Second}
	b.office.answer(http.StatusTemporaryRedirect, "")
	_, err := b.conn.Poll(context.Background(), "betreibungsamt")
	require.ErrorContains(t, err, "answered 307")
	require.Zero(t, elsewhereHits.Load(), "a redirect's target never receives the signed poll")

	// A status URL stored before the rule (plain http to another host)
	// is not asked: logged, and asked again once configured anew.
	stored, err := b.st.OfficeConnector(context.Background(), "betreibungsamt")
	require.NoError(t, err)
	good := stored.StatusURL
	stored.StatusURL = "http://fachanwendung.example/status"
	require.NoError(t, b.st.PutConnector(context.Background(), stored))
	logs.Reset()
	res, err := pgtest.Work(t, b.st, w, connector.PollArgs{Office: "betreibungsamt"})
	require.Equal(t, river.EventKindJobCompleted, res.EventKind, "%v", err)
	require.Contains(t, logs.String(), "must use https")
	stored.StatusURL = good
	require.NoError(t, b.st.PutConnector(context.Background(), stored))

	for _, c := range b.a {
		require.Equal(t, cases.Received, b.status(t, c), "nothing applied")
	}
	b.server.Close()
	res, _ = pgtest.Work(t, b.st, w, connector.PollArgs{Office: "betreibungsamt"})
	require.Equal(t, river.EventKindJobFailed, res.EventKind, "unreachable: retried")
}
