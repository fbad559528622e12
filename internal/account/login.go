package account

import (
	"context"
	"crypto/sha256"
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
	if err := s.limit(ctx, normalized, "too many login attempts for this address"); err != nil {
		return nil, err
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

// Throttle limits attempts per key (an address, an account) in a sliding
// window, on top of the per-address limit of the API: guessing spread over
// many IP addresses still hits it. The attempts are counted in PostgreSQL
// (store.Attempt), so the limit holds across all replicas.
type Throttle struct {
	Max    int
	Window time.Duration
}

var defaultThrottle = Throttle{Max: 10, Window: 15 * time.Minute}

func (s *Service) throttle() Throttle {
	if s.Throttle != nil {
		return *s.Throttle
	}
	return defaultThrottle
}

// throttleKey is what is stored of a key: a hash, not the address.
func throttleKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// limit counts an attempt for key, or refuses it with TooManyRequests
// (msg) when the key has used up its attempts.
func (s *Service) limit(ctx context.Context, key, msg string) error {
	t := s.throttle()
	ok, err := s.Store.Attempt(ctx, throttleKey(key), t.Max, t.Window)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.TooMany(t.Window, "%s; please wait a few minutes", msg)
	}
	return nil
}

// exhausted reports whether key has used up its attempts, without counting
// one: for ways of logging in that count failures only (passkeys).
func (s *Service) exhausted(ctx context.Context, key string) (bool, error) {
	t := s.throttle()
	n, err := s.Store.Attempts(ctx, throttleKey(key), t.Window)
	return n >= t.Max, err
}
