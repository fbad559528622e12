package account_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/sms"
	"github.com/schalter-ch/schalter/internal/store"
)

func TestNormalizeMobile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ typed, want string }{
		{"079 123 45 67", "+41791234567"},
		{"+41 79 123 45 67", "+41791234567"},
		{"0041791234567", "+41791234567"},
		{" 079/123.45-67 ", "+41791234567"},
		{"+41 (0)79 123 45 67", "+41791234567"},
		{"076 555 12 34", "+41765551234"},
		{"+49 151 23456789", "+4915123456789"}, // German mobile
		{"+33 6 12 34 56 78", "+33612345678"},  // French mobile
	} {
		got, err := account.NormalizeMobile(tc.typed)
		require.NoError(t, err, tc.typed)
		require.Equal(t, tc.want, got, tc.typed)
	}
	for _, bad := range []string{
		"", "   ", "abc", "079 123", "079 123 45 67 89", "+41 79 123 45 6",
		"044 123 45 67",   // a landline: no SMS
		"0800 FLOWERS",    // letters
		"079 123 45 67+",  // a stray plus
		"+999 123 456 78", // no such country
		"0791234567 ext 12",
		"+41 79 123 45 67; DROP TABLE",
		"1234567890123456789012345678901234",
	} {
		_, err := account.NormalizeMobile(bad)
		e, ok := apperr.As(err)
		require.True(t, ok, "%q: %v", bad, err)
		require.Equal(t, apperr.Invalid, e.Code, bad)
		require.Equal(t, "body.phone", e.Fields[0].Path, bad)
	}
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	require.Equal(t, "+41 79 *** ** 67", account.MaskPhone("+41791234567"))
	require.Equal(t, "+49 15** *****89", account.MaskPhone("+4915123456789"))
	require.Equal(t, "", account.MaskPhone("nonsense"))
}

// clock is a test clock the service reads instead of time.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// smsBundle is a service with SMS codes on, a dev sink to read codes
// from, and a clock to move.
type smsBundle struct {
	svc   *account.Service
	st    *store.Store
	sink  *sms.DevSink
	clock *clock
	n     int
}

func newSMSBundle(t *testing.T) *smsBundle {
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	b := &smsBundle{st: st, sink: &sms.DevSink{}, clock: &clock{t: time.Now().Truncate(time.Second)}} // whole seconds: PostgreSQL keeps microseconds
	b.svc = &account.Service{Store: st, City: "Uster", Secrets: box, SMS: b.sink, Now: b.clock.now}
	return b
}

// lastCode is the code of the newest SMS to a number.
func (b *smsBundle) lastCode(t *testing.T, to string) string {
	t.Helper()
	msgs := b.sink.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			m := sixDigits.FindStringSubmatch(msgs[i].Text)
			require.Len(t, m, 2, msgs[i].Text)
			return m[1]
		}
	}
	t.Fatalf("no SMS to %s", to)
	return ""
}

// withSMS creates an account whose SMS codes are on, with its own number.
func (b *smsBundle) withSMS(t *testing.T) (uuid.UUID, string) {
	t.Helper()
	b.n++
	acc, err := b.svc.CreateUser(context.Background(), fmt.Sprintf("sms%d@example.ch", b.n), "grüne Velos fahren leise")
	require.NoError(t, err)
	phone := fmt.Sprintf("+417912345%02d", b.n)
	sent, err := b.svc.BeginSMS(context.Background(), acc.ID, phone)
	require.NoError(t, err)
	require.Equal(t, account.MaskPhone(phone), sent.To)
	require.NoError(t, b.svc.ConfirmSMS(context.Background(), acc.ID, b.lastCode(t, phone)))
	// The resend limit is not what these tests are about.
	b.clock.add(time.Hour)
	return acc.ID, phone
}

func TestSMSCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newSMSBundle(t)
	check := func(id uuid.UUID, code string) error {
		method, err := b.svc.CheckSecondFactor(ctx, id, code)
		if err == nil {
			require.Equal(t, account.MethodSMS, method)
		}
		return err
	}
	wrong := func(code string) string { return fmt.Sprintf("%06d", (mustAtoi(code)+1)%1_000_000) }

	// Each case gets an account with SMS codes on and a code just sent;
	// run then enters codes and returns the result of the last entry.
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, id uuid.UUID, code string) error
		ok   bool
	}{
		{"right code", func(t *testing.T, id uuid.UUID, code string) error { return check(id, code) }, true},
		{"typed with a space", func(t *testing.T, id uuid.UUID, code string) error { return check(id, code[:3]+" "+code[3:]) }, true},
		{"wrong code", func(t *testing.T, id uuid.UUID, code string) error { return check(id, wrong(code)) }, false},
		{"just before expiry", func(t *testing.T, id uuid.UUID, code string) error {
			b.clock.add(account.SMSCodeFor - time.Second)
			return check(id, code)
		}, true},
		{"expired", func(t *testing.T, id uuid.UUID, code string) error {
			b.clock.add(account.SMSCodeFor + time.Second)
			return check(id, code)
		}, false},
		{"replayed", func(t *testing.T, id uuid.UUID, code string) error {
			require.NoError(t, check(id, code))
			return check(id, code)
		}, false},
		{"four wrong entries, then right", func(t *testing.T, id uuid.UUID, code string) error {
			for range account.SMSMaxAttempts - 1 {
				require.Error(t, check(id, wrong(code)))
			}
			return check(id, code)
		}, true},
		{"too many wrong entries", func(t *testing.T, id uuid.UUID, code string) error {
			for range account.SMSMaxAttempts {
				require.Error(t, check(id, wrong(code)))
			}
			return check(id, code)
		}, false},
		{"superseded by a newer code", func(t *testing.T, id uuid.UUID, code string) error {
			b.clock.add(account.SMSResendAfter)
			_, err := b.svc.SendSMSCode(ctx, id)
			require.NoError(t, err)
			return check(id, code)
		}, false},
		{"another account's code", func(t *testing.T, id uuid.UUID, code string) error {
			other, _ := b.withSMS(t)
			return check(other, code)
		}, false},
		{"a recovery-code shape", func(t *testing.T, id uuid.UUID, code string) error { return check(id, code[:3]+"-"+code[3:]) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, phone := b.withSMS(t)
			sent, err := b.svc.SendSMSCode(ctx, id)
			require.NoError(t, err)
			require.Equal(t, b.clock.now().Add(account.SMSCodeFor), sent.ExpiresAt)
			err = tc.run(t, id, b.lastCode(t, phone))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Equal(t, apperr.Unauthorized, apperr.CodeOf(err), "%v", err)
		})
	}

	t.Run("only a hash is stored", func(t *testing.T) {
		id, phone := b.withSMS(t)
		_, err := b.svc.SendSMSCode(ctx, id)
		require.NoError(t, err)
		code := b.lastCode(t, phone)
		var hash []byte
		require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT hash FROM sms_code WHERE account_id = $1 AND used_at IS NULL ORDER BY sent_at DESC LIMIT 1`, id).Scan(&hash))
		require.Len(t, hash, 32)
		require.NotContains(t, string(hash), code)
	})
}

func mustAtoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestSMSResendLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newSMSBundle(t)
	id, _ := b.withSMS(t)
	t0 := b.clock.now()
	for _, step := range []struct {
		at    time.Duration // since t0
		retry time.Duration // 0: sent
	}{
		{0, 0},
		{30 * time.Second, 30 * time.Second}, // one a minute
		{59 * time.Second, time.Second},
		{time.Minute, 0},
		{2 * time.Minute, 0},
		{3 * time.Minute, 0},
		{4 * time.Minute, 0},
		{10 * time.Minute, 50 * time.Minute}, // five an hour: the first leaves the window at t0+1h
		{time.Hour, 0},
		{time.Hour + 30*time.Second, 30 * time.Second},
	} {
		b.clock.set(t0.Add(step.at))
		_, err := b.svc.SendSMSCode(ctx, id)
		if step.retry == 0 {
			require.NoError(t, err, "at %v", step.at)
			continue
		}
		e, ok := apperr.As(err)
		require.True(t, ok, "at %v: %v", step.at, err)
		require.Equal(t, apperr.TooManyRequests, e.Code, "at %v", step.at)
		require.Equal(t, step.retry, e.RetryAfter, "at %v", step.at)
	}
}

func TestSMSSetup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newSMSBundle(t)
	acc, err := b.svc.CreateUser(ctx, "setup@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	other, err := b.svc.CreateUser(ctx, "andere@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)

	_, err = b.svc.BeginSMS(ctx, acc.ID, "044 123 45 67")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	_, err = b.svc.SendSMSCode(ctx, acc.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "no number, no login code")

	// A number being confirmed can be replaced; only the newest code works.
	_, err = b.svc.BeginSMS(ctx, acc.ID, "079 111 22 33")
	require.NoError(t, err)
	first := b.lastCode(t, "+41791112233")
	b.clock.add(account.SMSResendAfter)
	_, err = b.svc.BeginSMS(ctx, acc.ID, "+41 79 123 45 67")
	require.NoError(t, err)
	code := b.lastCode(t, "+41791234567")
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(b.svc.ConfirmSMS(ctx, acc.ID, first)))
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(b.svc.ConfirmSMS(ctx, other.ID, code)), "another account cannot confirm my code")
	_, err = b.svc.CheckSecondFactor(ctx, acc.ID, code)
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(err), "a setup code is no login code")
	f, err := b.svc.SecondFactors(ctx, acc.ID)
	require.NoError(t, err)
	require.Empty(t, f.SMS, "not on before it is confirmed")

	require.NoError(t, b.svc.ConfirmSMS(ctx, acc.ID, code))
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(b.svc.ConfirmSMS(ctx, acc.ID, code)), "used once")
	f, err = b.svc.SecondFactors(ctx, acc.ID)
	require.NoError(t, err)
	require.Equal(t, store.Factors{SMS: "+41791234567", Password: true}, f)
	b.clock.add(account.SMSResendAfter)
	_, err = b.svc.BeginSMS(ctx, acc.ID, "079 999 88 77")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "switch off before changing the number")

	require.NoError(t, b.svc.RemoveSMS(ctx, acc.ID))
	require.Equal(t, apperr.NotFound, apperr.CodeOf(b.svc.RemoveSMS(ctx, acc.ID)))
	f, err = b.svc.SecondFactors(ctx, acc.ID)
	require.NoError(t, err)
	require.Empty(t, f.SMS)

	// A number whose code never comes back is not kept: an hour later the
	// next code sent, by anyone, prunes it.
	_, err = b.svc.BeginSMS(ctx, other.ID, "079 555 66 77")
	require.NoError(t, err)
	_, err = b.st.SMS(ctx, other.ID)
	require.NoError(t, err)
	b.clock.add(time.Hour + time.Second)
	b.withSMS(t)
	_, err = b.st.SMS(ctx, other.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	// Deleting the account deletes the number and the codes.
	id, _ := b.withSMS(t)
	require.NoError(t, b.svc.DeleteAccount(ctx, id))
	var n int
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM account_sms WHERE account_id = $1) + (SELECT count(*) FROM sms_code WHERE account_id = $1)`, id).Scan(&n))
	require.Zero(t, n)
}

func TestSMSUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newSMSBundle(t)
	id, _ := b.withSMS(t)

	off := *b.svc
	off.SMS = nil
	_, err := off.SendSMSCode(ctx, id)
	require.Equal(t, apperr.Unavailable, apperr.CodeOf(err), "production without a gateway")
	_, err = off.BeginSMS(ctx, id, "079 123 45 67")
	require.Equal(t, apperr.Unavailable, apperr.CodeOf(err))

	// A gateway that fails: 503, and the attempt counts against the limit.
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	t.Cleanup(gw.Close)
	down := *b.svc
	down.SMS = &sms.HTTP{URL: gw.URL, Token: "secret-token"}
	_, err = down.SendSMSCode(ctx, id)
	require.Equal(t, apperr.Unavailable, apperr.CodeOf(err))
	_, err = down.SendSMSCode(ctx, id)
	require.Equal(t, apperr.TooManyRequests, apperr.CodeOf(err))
}
