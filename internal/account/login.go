package account

import (
	"context"
	"sync"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/store"
)

// errLogin is the one answer to every failed login: the same for an
// unknown address, a wrong password and an account without a password,
// so that nobody learns which addresses have accounts.
var errLogin = apperr.New(apperr.Unauthorized, "the e-mail address or the password is wrong")

// Login checks an address and a password. Every path verifies one Argon2id
// hash, so a login for an unknown address takes as long as one for a known
// address.
func (s *Service) Login(ctx context.Context, email, pw string) (*store.Account, error) {
	_, normalized, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if !s.attempts().allow(normalized) {
		return nil, apperr.New(apperr.TooManyRequests, "too many login attempts for this address; please wait a few minutes")
	}
	acc, err := s.Store.AccountByEmail(ctx, normalized)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return nil, err
	}
	hash := password.Dummy()
	if acc != nil && acc.PasswordHash != "" {
		hash = acc.PasswordHash
	}
	ok, _, err := password.Verify(pw, hash, password.Default)
	if err != nil {
		return nil, err
	}
	// An unverified address cannot log in yet; it gets the same answer, so
	// that the login form says nothing about which addresses exist.
	if !ok || acc == nil || acc.PasswordHash == "" || acc.EmailVerifiedAt == nil {
		return nil, errLogin
	}
	return acc, nil
}

// Throttle limits attempts per key (an address) in a sliding window, on
// top of the per-address limit of the API: password guessing spread over
// many IP addresses still hits this. Kept per server replica.
type Throttle struct {
	Max    int
	Window time.Duration

	mu   sync.Mutex
	seen map[string][]time.Time
}

func (t *Throttle) allow(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	recent := t.recent(key, now)
	if len(recent) >= t.Max {
		return false
	}
	t.seen[key] = append(recent, now)
	return true
}

// over reports whether key has used up its attempts, without counting one:
// for ways of logging in that count failures only (passkeys).
func (t *Throttle) over(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key, time.Now())) >= t.Max
}

// recent drops attempts older than the window and returns the rest; the
// caller holds t.mu.
func (t *Throttle) recent(key string, now time.Time) []time.Time {
	if t.seen == nil || len(t.seen) > 100000 {
		t.seen = map[string][]time.Time{}
	}
	recent := t.seen[key][:0]
	for _, at := range t.seen[key] {
		if now.Sub(at) < t.Window {
			recent = append(recent, at)
		}
	}
	if len(recent) == 0 {
		delete(t.seen, key)
	} else {
		t.seen[key] = recent
	}
	return recent
}

var defaultThrottle = &Throttle{Max: 10, Window: 15 * time.Minute}

func (s *Service) attempts() *Throttle {
	if s.Throttle != nil {
		return s.Throttle
	}
	return defaultThrottle
}
