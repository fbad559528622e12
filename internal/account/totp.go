package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// TOTP parameters: the ones every authenticator app understands.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPSetup is what a person needs to add Schalter to an authenticator app.
type TOTPSetup struct {
	Secret string // base32, for typing in
	URL    string // otpauth:// URI
	QRPNG  []byte
}

var errSecondFactor = apperr.New(apperr.Unauthorized, "the code is wrong or was used before")

func (s *Service) secrets() error {
	if s.Secrets == nil {
		return apperr.New(apperr.Unavailable, "second factors are not available (no SCHALTER_SECRET_KEY)")
	}
	return nil
}

// BeginTOTP creates a new seed for an account that has no confirmed one.
func (s *Service) BeginTOTP(ctx context.Context, id uuid.UUID, email string) (*TOTPSetup, error) {
	if err := s.secrets(); err != nil {
		return nil, err
	}
	if has, err := s.HasTOTP(ctx, id); err != nil || has {
		if err == nil {
			err = apperr.New(apperr.Conflict, "an authenticator app is set up already; remove it first")
		}
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Schalter " + s.City, AccountName: email, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	if err := s.Store.BeginTOTP(ctx, id, s.Secrets.Seal([]byte(key.Secret()), id[:])); err != nil {
		return nil, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &TOTPSetup{Secret: key.Secret(), URL: key.URL(), QRPNG: buf.Bytes()}, nil
}

// HasTOTP reports whether an account has a confirmed authenticator app.
func (s *Service) HasTOTP(ctx context.Context, id uuid.UUID) (bool, error) {
	t, err := s.Store.TOTP(ctx, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return t.ConfirmedAt != nil, nil
}

// ConfirmTOTP checks the first code from the app, confirms the seed and
// returns ten recovery codes, shown once.
func (s *Service) ConfirmTOTP(ctx context.Context, id uuid.UUID, code string) ([]string, error) {
	if err := s.checkTOTP(ctx, id, code, true); err != nil {
		return nil, err
	}
	codes, err := s.NewRecoveryCodes(ctx, id)
	if err != nil {
		return nil, err
	}
	s.Notify(ctx, id, "totp_added")
	return codes, nil
}

// NewRecoveryCodes replaces the account's recovery codes with ten new
// ones and returns them, the only time they are readable: for a lost phone
// whatever the second factor (authenticator app or SMS).
func (s *Service) NewRecoveryCodes(ctx context.Context, id uuid.UUID) ([]string, error) {
	codes := make([]string, 10)
	hashes := make([][]byte, 10)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = HashToken(codes[i])
	}
	if err := s.Store.ReplaceRecoveryCodes(ctx, id, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// CheckSecondFactor checks a code from the authenticator app, one sent by
// SMS, or (with a dash) a recovery code, and returns the method it proves:
// MethodTOTP (recovery codes stand in for the app) or MethodSMS. Codes are
// single-use and attempts are throttled per account.
func (s *Service) CheckSecondFactor(ctx context.Context, id uuid.UUID, code string) (string, error) {
	if err := s.limit(ctx, "2fa:"+id.String(), "too many attempts"); err != nil {
		return "", err
	}
	code = strings.TrimSpace(code)
	if strings.Contains(code, "-") {
		if err := s.Store.UseRecoveryCode(ctx, id, HashToken(strings.ToLower(code))); err != nil {
			return "", err
		}
		return MethodTOTP, nil
	}
	f, err := s.Store.SecondFactors(ctx, id)
	if err != nil {
		return "", err
	}
	// With both factors on, the app is tried first: a miss there costs
	// nothing, while a miss on the SMS code counts against it.
	if f.TOTP {
		err := s.checkTOTP(ctx, id, code, false)
		if err == nil {
			return MethodTOTP, nil
		}
		if apperr.CodeOf(err) != apperr.Unauthorized {
			return "", err
		}
	}
	if f.SMS != "" {
		ok, err := s.checkSMS(ctx, id, code)
		if err != nil {
			return "", err
		}
		if ok {
			return MethodSMS, nil
		}
	}
	return "", errSecondFactor
}

func (s *Service) checkTOTP(ctx context.Context, id uuid.UUID, code string, confirming bool) error {
	if err := s.secrets(); err != nil {
		return err
	}
	t, err := s.Store.TOTP(ctx, id)
	if err != nil {
		return errSecondFactor
	}
	if (t.ConfirmedAt == nil) != confirming {
		return errSecondFactor
	}
	secret, err := s.Secrets.Open(t.SecretEnc, id[:])
	if err != nil {
		return err
	}
	now := time.Now()
	for d := -int64(totpOpts.Skew); d <= int64(totpOpts.Skew); d++ {
		at := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(string(secret), at, totpOpts)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			fresh, err := s.Store.UseTOTPStep(ctx, id, at.Unix()/30)
			if err != nil {
				return err
			}
			if !fresh {
				return errSecondFactor // replayed
			}
			return nil
		}
	}
	return errSecondFactor
}

// newRecoveryCode returns a code like "k7p2-x9qm-4t".
func newRecoveryCode() string {
	var b [7]byte
	_, _ = rand.Read(b[:])
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:10]
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}
