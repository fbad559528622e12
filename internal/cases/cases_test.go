package cases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func TestCheckDigit(t *testing.T) {
	t.Parallel()
	// Damm's own example: 572 → 4.
	require.Equal(t, 4, cases.CheckDigit("572"))
	n := cases.Number("UST", 2026, 4711)
	require.Regexp(t, `^UST-2026-004711-[0-9]$`, n)
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{n, true}, {" " + n + " ", true}, {"ust" + n[3:], true},
		{n[:len(n)-1] + strconv.Itoa((int(n[len(n)-1]-'0')+1)%10), false},
		{"UST-2026-4711-3", false}, {"UST2026004711", false}, {"", false}, {"TOOLONG-2026-004711-3", false},
	} {
		_, ok := cases.ValidNumber(tc.in)
		require.Equal(t, tc.want, ok, tc.in)
	}
	// Every single wrong digit and every swap of neighbours is caught.
	for range 2000 {
		digits := fmt.Sprintf("%04d%06d", 2000+rand.IntN(100), rand.IntN(1000000))
		full := []byte(digits + strconv.Itoa(cases.CheckDigit(digits)))
		valid := func(b []byte) bool { return cases.CheckDigit(string(b[:10])) == int(b[10]-'0') }
		require.True(t, valid(full))
		for i := range full {
			for d := byte('0'); d <= '9'; d++ {
				if d == full[i] {
					continue
				}
				changed := append([]byte{}, full...)
				changed[i] = d
				require.False(t, valid(changed), "%s with digit %d changed", full, i)
			}
			if i+1 < len(full) && full[i] != full[i+1] {
				swapped := append([]byte{}, full...)
				swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
				require.False(t, valid(swapped), "%s with digits %d and %d swapped", full, i, i+1)
			}
		}
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{cases.Received, cases.InProgress, true},
		{cases.Received, cases.Rejected, true},
		{cases.Received, cases.Withdrawn, false}, // the person's move, not the office's
		{cases.InProgress, cases.Waiting, true},
		{cases.Waiting, cases.InProgress, true},
		{cases.InProgress, cases.Done, true},
		{cases.InProgress, cases.Received, false},
		{cases.Done, cases.InProgress, false},
		{cases.Rejected, cases.Done, false},
		{cases.Withdrawn, cases.InProgress, false},
		{cases.Received, "lost", false},
	} {
		require.Equal(t, tc.ok, cases.CanMove(tc.from, tc.to), "%s → %s", tc.from, tc.to)
	}
}

type bundle struct {
	st     *store.Store
	drafts *drafts.Service
	svc    *cases.Service
}

func setup(t *testing.T) *bundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	return &bundle{st: st, drafts: d, svc: cases.New(st, f, "UST")}
}

func (b *bundle) account(t *testing.T, email string, roles ...store.Role) uuid.UUID {
	t.Helper()
	acc, err := b.st.CreateAccount(context.Background(), email, email, "", nil, roles...)
	require.NoError(t, err)
	return acc.ID
}

func (b *bundle) draft(t *testing.T, owner uuid.UUID, service, data string) uuid.UUID {
	t.Helper()
	d, err := b.drafts.Create(context.Background(), drafts.Account(owner), service, json.RawMessage(data), "")
	require.NoError(t, err)
	return d.ID
}

const (
	dog     = "hund-anmelden" // sicherheit, assurance account
	dogData = `{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","phone":"079 123 45 67",
		"dog_name":"Bello","breed":"Appenzeller","dog_birth_date":"2024-05-01","sex":"female","microchip_number":"756098100123456",
		"amicus_registered":true,"liability_insurance":true,"insurer":"Mobiliar"}`
	residence     = "wohnsitzbestaetigung" // einwohnerdienste, assurance two_factor
	residenceData = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"post","copies":1}`
)

var numberRe = regexp.MustCompile(`^UST-[0-9]{4}-([0-9]{6})-[0-9]$`)

// TestSubmit: what a submission needs, and what it makes.
func TestSubmit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tamara := b.account(t, "tamara@cases.example")
	submit := func(draft uuid.UUID, level account.Level, notify ...string) (*cases.Case, error) {
		return b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@cases.example", Level: level, Draft: draft, Notify: notify, Language: "de"})
	}

	for _, tc := range []struct {
		name    string
		service string
		data    string
		level   account.Level
		notify  []string
		code    apperr.Code
		path    string
	}{
		{"incomplete", dog, `{"dog_name":"Bello"}`, account.LevelAccount, nil, apperr.Invalid, "body.data.breed"},
		{"a wrong value", dog, dogData[:len(dogData)-1] + `,"postal_code":"9999"}`, account.LevelAccount, nil, apperr.Invalid, "body.data.postal_code"},
		{"below the service's level", residence, residenceData, account.LevelAccount, nil, apperr.Forbidden, ""},
		{"an unknown channel", dog, dogData, account.LevelAccount, []string{"pigeon"}, apperr.Invalid, "body.notify[0]"},
		{"a channel twice", dog, dogData, account.LevelAccount, []string{"email", "email"}, apperr.Invalid, "body.notify[1]"},
		{"SMS without a phone number", dog, dogData, account.LevelAccount, []string{"sms"}, apperr.Invalid, "body.notify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := b.draft(t, tamara, tc.service, tc.data)
			_, err := submit(d, tc.level, tc.notify...)
			require.Equal(t, tc.code, apperr.CodeOf(err), "%v", err)
			if tc.path != "" {
				e, _ := apperr.As(err)
				var paths []string
				for _, f := range e.Fields {
					paths = append(paths, f.Path)
				}
				require.Contains(t, paths, tc.path)
			}
			if tc.code == apperr.Forbidden {
				var up *cases.StepUp
				require.True(t, errors.As(err, &up))
				require.Equal(t, account.LevelTwoFactor, up.Need)
			}
			_, err = b.drafts.Get(ctx, drafts.Account(tamara), d)
			require.NoError(t, err, "a refused submission keeps the draft")
		})
	}

	d := b.draft(t, tamara, dog, dogData)
	first, err := submit(d, account.LevelAccount, "email")
	require.NoError(t, err)
	require.Regexp(t, numberRe, first.Number)
	_, ok := cases.ValidNumber(first.Number)
	require.True(t, ok)
	require.Equal(t, cases.Received, first.Status)
	require.Equal(t, "sicherheit", first.Office)
	require.Equal(t, "account", first.Delivery)
	require.Equal(t, []string{"email"}, first.Notify)
	require.Len(t, first.Events, 1)
	require.Equal(t, "tamara@cases.example", first.Events[0].Actor)
	require.JSONEq(t, dogData, string(first.Data))
	_, err = b.drafts.Get(ctx, drafts.Account(tamara), d)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "the draft became the case")
	_, err = submit(d, account.LevelAccount)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "a draft is submitted once")

	second, err := submit(b.draft(t, tamara, residence, residenceData), account.LevelTwoFactor)
	require.NoError(t, err, "with two factors")
	require.Equal(t, "post", second.Delivery, "the form's delivery field")
	require.Equal(t, "einwohnerdienste", second.Office)
	s1, _ := strconv.Atoi(numberRe.FindStringSubmatch(first.Number)[1])
	s2, _ := strconv.Atoi(numberRe.FindStringSubmatch(second.Number)[1])
	require.Equal(t, s1+1, s2, "numbers follow each other")

	mine, err := b.svc.Mine(ctx, tamara)
	require.NoError(t, err)
	require.Len(t, mine, 2)
	require.Equal(t, second.Number, mine[0].Number, "newest first")

	// What was submitted cannot be changed, nor the timeline rewritten.
	_, err = b.st.Pool().Exec(ctx, "UPDATE order_case SET data = '{}' WHERE id = $1", first.ID)
	require.ErrorContains(t, err, "immutable")
	_, err = b.st.Pool().Exec(ctx, "UPDATE case_event SET message = 'x' WHERE case_id = $1", first.ID)
	require.ErrorContains(t, err, "append-only")
}

// TestConcurrentSubmit: two submissions of one draft at once (a double
// tap, two tabs) make one case.
func TestConcurrentSubmit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	id := b.account(t, "double@cases.example")
	d := b.draft(t, id, dog, dogData)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := b.svc.Submit(ctx, cases.Submission{Account: id, Email: "double@cases.example", Level: account.LevelAccount, Draft: d, Language: "de"})
			errs <- err
		}()
	}
	var codes []string
	for range 2 {
		if err := <-errs; err != nil {
			codes = append(codes, string(apperr.CodeOf(err)))
		} else {
			codes = append(codes, "ok")
		}
	}
	require.ElementsMatch(t, []string{"ok", string(apperr.NotFound)}, codes)
	mine, err := b.svc.Mine(ctx, id)
	require.NoError(t, err)
	require.Len(t, mine, 1)
}

// TestCaseAccess: the person and the office's staff see a case, nobody
// else; staff reading it lands in the person's transparency log; the
// person withdraws only before the office starts.
func TestCaseAccess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tamara := b.account(t, "tamara@access.example")
	bruno := b.account(t, "bruno@access.example")
	police := b.account(t, "polizei@uster.example", store.Role{Role: account.RoleStaff, Office: "sicherheit"})
	tax := b.account(t, "steuern@uster.example", store.Role{Role: account.RoleStaff, Office: "steueramt"})
	editor := b.account(t, "redaktion@uster.example", store.Role{Role: account.RoleEditor})
	c, err := b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@access.example", Level: account.LevelAccount, Draft: b.draft(t, tamara, dog, dogData), Language: "de"})
	require.NoError(t, err)

	_, err = b.svc.Get(ctx, bruno, c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another resident")
	_, err = b.svc.Withdraw(ctx, bruno, "bruno@access.example", c.Number, "")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, err = b.svc.Open(ctx, tax, c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another office")
	_, err = b.svc.Move(ctx, tax, c.Number, cases.InProgress, "")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	queue, err := b.svc.Queue(ctx, tax, nil)
	require.NoError(t, err)
	require.Empty(t, queue)
	for _, who := range []uuid.UUID{editor, tamara} {
		_, err = b.svc.Queue(ctx, who, nil)
		require.Equal(t, apperr.Forbidden, apperr.CodeOf(err), "not staff")
		_, err = b.svc.Open(ctx, who, c.Number)
		require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
	}

	queue, err = b.svc.Queue(ctx, police, []string{cases.Received})
	require.NoError(t, err)
	require.Len(t, queue, 1)
	require.Nil(t, queue[0].Data, "the queue shows no submitted data")
	_, err = b.svc.Queue(ctx, police, []string{"lost"})
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))

	before := logLen(t, b.st, tamara)
	opened, err := b.svc.Open(ctx, police, c.Number)
	require.NoError(t, err)
	require.JSONEq(t, dogData, string(opened.Data))
	require.Equal(t, before+1, logLen(t, b.st, tamara), "the read is in Tamara's transparency log")

	moved, err := b.svc.Move(ctx, police, c.Number, cases.InProgress, "Wir prüfen die Angaben.")
	require.NoError(t, err)
	require.Equal(t, cases.InProgress, moved.Status)
	require.Len(t, moved.Events, 2)
	require.Equal(t, "Wir prüfen die Angaben.", moved.Events[1].Message)
	_, err = b.svc.Move(ctx, police, c.Number, cases.Received, "")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	_, err = b.svc.Withdraw(ctx, tamara, "tamara@access.example", c.Number, "")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "the office has started")

	mine, err := b.svc.Get(ctx, tamara, " "+c.Number[:3]+c.Number[3:]+" ")
	require.NoError(t, err)
	require.Equal(t, cases.InProgress, mine.Status)
	require.Len(t, mine.Events, 2)

	// A fresh case can be withdrawn, once.
	fresh, err := b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@access.example", Level: account.LevelAccount, Draft: b.draft(t, tamara, dog, dogData), Language: "de"})
	require.NoError(t, err)
	w, err := b.svc.Withdraw(ctx, tamara, "tamara@access.example", fresh.Number, "Doch nicht nötig.")
	require.NoError(t, err)
	require.Equal(t, cases.Withdrawn, w.Status)
	require.Equal(t, cases.Withdrawn, w.Events[len(w.Events)-1].Status)
	_, err = b.svc.Withdraw(ctx, tamara, "tamara@access.example", fresh.Number, "")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	_, err = b.svc.Move(ctx, police, fresh.Number, cases.InProgress, "")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "withdrawn is final")

	// Deleting the account leaves the case with the office.
	_, err = b.st.Pool().Exec(ctx, "DELETE FROM account WHERE id = $1", tamara)
	require.NoError(t, err)
	kept, err := b.svc.Open(ctx, police, c.Number)
	require.NoError(t, err)
	require.Nil(t, kept.Account)
	require.WithinDuration(t, time.Now(), kept.UpdatedAt, time.Minute)
}

func logLen(t *testing.T, st *store.Store, id uuid.UUID) int {
	t.Helper()
	var n int
	require.NoError(t, st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM transparency_log WHERE subject = $1", id).Scan(&n))
	return n
}

// TestSummary: the person's PDF copy of what they submitted, the same
// bytes every time (it is rendered from the immutable record), and only
// for them.
func TestSummary(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tamara := b.account(t, "tamara@summary.example")
	c, err := b.svc.Submit(ctx, cases.Submission{Account: tamara, Email: "tamara@summary.example", Level: account.LevelAccount, Draft: b.draft(t, tamara, dog, dogData), Language: "fr"})
	require.NoError(t, err)
	name, body, err := b.svc.Summary(ctx, tamara, c.Number)
	require.NoError(t, err)
	require.Equal(t, strings.ToLower(c.Number)+".pdf", name)
	require.True(t, bytes.HasPrefix(body, []byte("%PDF-")))
	require.Contains(t, string(body[len(body)-10:]), "%%EOF")
	_, again, err := b.svc.Summary(ctx, tamara, c.Number)
	require.NoError(t, err)
	require.Equal(t, body, again, "deterministic")
	_, _, err = b.svc.Summary(ctx, b.account(t, "bruno@summary.example"), c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
}

// TestSubmitNumbersAndHook: submissions at the same time get the year's
// numbers 1..n, each once and with a valid check digit; the hook runs in
// the transaction before the number is taken, with the id the case is
// stored under; a failing hook rolls everything back, and its number is
// not used up.
func TestSubmitNumbersAndHook(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	id := b.account(t, "many@cases.example")
	var mu sync.Mutex
	seen := map[uuid.UUID]bool{}
	fail := errors.New("the office's queue refused")
	b.svc.OnSubmit = func(_ context.Context, _ *store.Queries, cs ...cases.Record) error {
		c := cs[0]
		if len(cs) != 1 || c.Number != "" || c.ID == uuid.Nil {
			return fmt.Errorf("the hook saw number %q, id %s", c.Number, c.ID)
		}
		if c.Language == "it" {
			return fail
		}
		mu.Lock()
		seen[c.ID] = true
		mu.Unlock()
		return nil
	}
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	year := time.Now().In(zurich).Year()

	const n = 12
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = b.draft(t, id, dog, dogData)
	}
	var wg sync.WaitGroup
	got := make([]*cases.Case, n)
	errs := make([]error, n)
	for i := range ids {
		wg.Go(func() {
			got[i], errs[i] = b.svc.Submit(ctx, cases.Submission{Account: id, Email: "many@cases.example", Level: account.LevelAccount, Draft: ids[i], Language: "de"})
		})
	}
	wg.Wait()
	var numbers []string
	for i := range got {
		require.NoError(t, errs[i])
		require.True(t, seen[got[i].ID], "the hook saw the stored case's id")
		require.Len(t, got[i].Events, 1)
		require.Equal(t, cases.Received, got[i].Events[0].Status)
		require.Equal(t, "many@cases.example", got[i].Events[0].Actor)
		_, ok := cases.ValidNumber(got[i].Number)
		require.True(t, ok, got[i].Number)
		numbers = append(numbers, got[i].Number)
	}
	var want []string
	for seq := 1; seq <= n; seq++ {
		want = append(want, cases.Number("UST", year, seq))
	}
	require.ElementsMatch(t, want, numbers, "gapless and unique")

	failing := b.draft(t, id, dog, dogData)
	_, err = b.svc.Submit(ctx, cases.Submission{Account: id, Email: "many@cases.example", Level: account.LevelAccount, Draft: failing, Language: "it"})
	require.ErrorIs(t, err, fail)
	_, err = b.drafts.Get(ctx, drafts.Account(id), failing)
	require.NoError(t, err, "the draft is still there")
	c, err := b.svc.Submit(ctx, cases.Submission{Account: id, Email: "many@cases.example", Level: account.LevelAccount, Draft: failing, Language: "de"})
	require.NoError(t, err)
	require.Equal(t, cases.Number("UST", year, n+1), c.Number, "the failed submission gave its number back")
	events, err := b.svc.Get(ctx, id, c.Number)
	require.NoError(t, err)
	require.Equal(t, c.Events, events.Events, "the first step is stored as returned")
}
