// Package password hashes and checks residents' passwords.
//
// Hashing is Argon2id (RFC 9106) with parameters measured on a 2-core
// server (docs/benchmarks.md): memory-hard, so guessing costs an attacker
// memory as well as time. Hashes are stored in the PHC string format, so
// the parameters travel with each hash and can be raised later: Verify
// says when a hash should be replaced by one with today's parameters.
//
// The rules follow NIST SP 800-63B: a minimum length, a generous maximum,
// every character allowed, no composition rules, and a check against
// passwords known to be common or derived from the context (the city, the
// service, the person's e-mail address).
package password

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are Argon2id parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// Default are the parameters for new hashes: 46 MiB and one pass, one of
// OWASP's recommended Argon2id settings. Measured on the 2-core reference
// machine (BenchmarkHash): about 40 ms per hash, against 105 ms for
// 64 MiB × 2 passes. A resident does not notice 40 ms; the server can
// check about 25 logins per second per core; and the memory cost keeps GPU
// guessing expensive.
var Default = Params{Memory: 46 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Length limits in Unicode code points (NIST: at least 8, accept at least
// 64). Schalter asks for 12, because for many residents the password is
// the only factor.
const (
	MinLength = 12
	MaxLength = 256
)

// Policy errors, shown to residents as the reason a password is refused.
var (
	ErrTooShort   = fmt.Errorf("the password must have at least %d characters", MinLength)
	ErrTooLong    = fmt.Errorf("the password must have at most %d characters", MaxLength)
	ErrCommon     = errors.New("this password is too common or too easy to guess; please choose another")
	ErrContextual = errors.New("the password must not contain your e-mail address or the name of the service")
)

//go:embed common.txt
var commonList string

var (
	commonOnce sync.Once
	common     map[string]bool
)

func loadCommon() {
	common = map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w != "" && !strings.HasPrefix(w, "#") {
			common[normalise(w)] = true
		}
	}
}

// normalise makes equivalent spellings equal: NFKC (so a password typed on
// another keyboard or system compares equal) and lower case for the
// blocklist comparison only.
func normalise(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

// Check applies the policy. context are words the password must not
// contain (the e-mail address's local part, the city's name).
func Check(pw string, context ...string) error {
	n := utf8.RuneCountInString(norm.NFKC.String(pw))
	switch {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	}
	commonOnce.Do(loadCommon)
	lower := normalise(pw)
	if common[lower] || common[strings.TrimRight(lower, "0123456789!?.")] || repetitive(lower) {
		return ErrCommon
	}
	for _, c := range context {
		c = normalise(c)
		if len(c) >= 4 && strings.Contains(lower, c) {
			return ErrContextual
		}
	}
	return nil
}

// repetitive catches "aaaaaaaaaaaa", "abcabcabcabc" and keyboard runs.
func repetitive(s string) bool {
	r := []rune(s)
	for period := 1; period <= 4; period++ {
		same := true
		for i := period; i < len(r); i++ {
			if r[i] != r[i-period] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	for _, run := range []string{"0123456789012", "abcdefghijklmnopqrstuvwxyz", "qwertzuiopasdfghjklyxcvbnm", "qwertyuiopasdfghjklzxcvbnm"} {
		if strings.Contains(run, s) {
			return true
		}
	}
	return false
}

// slots bounds how many hashes run at once: one per CPU. Each takes
// Default.Memory (46 MiB); a burst of 100 logins must queue, not ask for
// 4.6 GiB and thrash the machine (a cheap denial of service otherwise).
var slots = make(chan struct{}, runtime.GOMAXPROCS(0))

func idKey(pw string, salt []byte, p Params, keyLen uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(norm.NFKC.String(pw)), salt, p.Time, p.Memory, p.Threads, keyLen)
}

// Hash hashes a password with p.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey(pw, salt, p, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether pw matches the hash, and whether the hash should
// be replaced because it was made with weaker parameters than p.
func Verify(pw, hash string, p Params) (ok, rehash bool, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, errors.New("password: not an argon2id hash")
	}
	var version int
	var h Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, errors.New("password: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.Memory, &h.Time, &h.Threads); err != nil {
		return false, false, errors.New("password: malformed parameters")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, false, errors.New("password: malformed salt")
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, false, errors.New("password: malformed key")
	}
	got := idKey(pw, salt, h, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, h.Memory < p.Memory || h.Time < p.Time || len(want) < int(p.KeyLen), nil
}

// Dummy is a hash of no real password, verified when an account does not
// exist, so that a login for an unknown address takes as long as one for
// a known address (no account enumeration by timing).
var Dummy = sync.OnceValue(func() string {
	h, err := Hash("this is not anybody's password", Default)
	if err != nil {
		panic(err)
	}
	return h
})
