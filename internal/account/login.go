package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

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
//
// Wrong passwords are counted per address, so guessing spread over many
// client addresses still stops after Throttle.Max within the window. A
// stranger who runs the address into that limit must not lock its owner
// out, though: a browser that once logged in to this account with its
// password carries a device token (TrustDevice), and its attempts count
// against a limit of their own, so the owner logs in there as usual (as
// with a passkey or the eID, which this limit never touches). The owner is
// mailed when the address reaches its limit.
func (s *Service) Login(ctx context.Context, email, pw, device string) (*store.Account, error) {
	typed, normalized, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	acc, err := s.Store.AccountByEmail(ctx, normalized)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return nil, err
	}
	key, trusted := loginKey(normalized), false
	if acc != nil && s.trustedDevice(device, acc.ID) {
		key, trusted = "login-device:"+device, true
	}
	over, err := s.exhausted(ctx, key)
	if err != nil {
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
	right := ok && acc != nil && acc.PasswordHash != "" && acc.EmailVerifiedAt != nil
	if over {
		// Past the limit only a right password with a second factor to
		// follow gets through: the factor still has to be proven (with
		// its own limit), so the limit keeps guessing from paying off
		// while the owner is not locked out. Everything else gets the
		// same 429, right password or not.
		if right {
			if f, err := s.SecondFactors(ctx, acc.ID); err != nil {
				return nil, err
			} else if f.TOTP || f.SMS != "" {
				return acc, nil
			}
		}
		return nil, apperr.TooMany(s.throttle().Window, "too many wrong passwords for this address; please wait a few minutes, "+
			"or log in on a device you used before, with a passkey or with the eID, or reset the password")
	}
	if right {
		return acc, nil
	}
	if err := s.failed(ctx, key, trusted, typed); err != nil {
		return nil, err
	}
	return nil, errLogin
}

// loginKey is the throttle key of wrong passwords for an address from
// browsers that are not trusted devices of its account.
func loginKey(email string) string { return "login:" + strings.ToLower(email) }

// failed counts a wrong password against key. When it is the one that
// uses up the address's limit, the address's owner (if any: the job looks
// it up, so a stranger's address costs the same) is told in the same
// transaction.
func (s *Service) failed(ctx context.Context, key string, trusted bool, typed string) error {
	t := s.throttle()
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		added, err := q.Attempt(ctx, throttleKey(key), t.Max, t.Window)
		if err != nil || !added || trusted {
			return err
		}
		// The attempt lock is held until this transaction ends, so
		// exactly one failure sees the count reach the limit.
		n, err := q.Attempts(ctx, throttleKey(key), t.Window)
		if err != nil || n != t.Max || s.Outbox == nil {
			return err
		}
		return s.byAddress(ctx, q, byAddressThrottled, typed)
	})
}

// deviceContext binds device tokens to logins.
var deviceContext = []byte("trusted-device")

// TrustDevice returns a device token for a browser that just logged in to
// account id with its password: a random id and a MAC over it and the
// account, so it only counts for this account and cannot be forged. It is
// empty without the secret key. The edge keeps it in a long-lived cookie.
func (s *Service) TrustDevice(id uuid.UUID) string {
	if s.Secrets == nil {
		return ""
	}
	nonce, _ := NewToken()
	return nonce + "." + base64.RawURLEncoding.EncodeToString(s.Secrets.MAC(deviceContext, id[:], []byte(nonce)))
}

// trustedDevice reports whether token came from TrustDevice for id.
func (s *Service) trustedDevice(token string, id uuid.UUID) bool {
	nonce, mac, ok := strings.Cut(token, ".")
	if !ok || s.Secrets == nil || nonce == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	return err == nil && hmac.Equal(got, s.Secrets.MAC(deviceContext, id[:], []byte(nonce)))
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
