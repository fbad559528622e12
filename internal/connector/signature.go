package connector

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Outbound requests carry
//
//	Schalter-Key-Id: <key id>
//	Schalter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// as Stripe signs its webhooks: the time is inside the MAC, so a
// receiver refuses a replay older than its window, and a body changed in
// transit fails. The simulated Betreibungsamt and real offices' adapters
// check it with Verify.

// Header names of a signed request.
const (
	SignatureHeader = "Schalter-Signature"
	KeyIDHeader     = "Schalter-Key-Id"
	// ReplayWindow is how old a signature may be when it arrives.
	ReplayWindow = 5 * time.Minute
)

// Sign is the Schalter-Signature of body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrMalformed = errors.New("connector: malformed signature header")
	ErrStale     = errors.New("connector: signature outside the replay window")
	ErrMismatch  = errors.New("connector: signature does not match")
)

// Verify checks a Schalter-Signature header against body at now, within
// window either side (clocks drift both ways).
func Verify(header string, secret, body []byte, now time.Time, window time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return ErrMalformed
		case k == "t":
			ts = v
		case k == "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return ErrMalformed
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("%w (%s)", ErrStale, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrMismatch
}
