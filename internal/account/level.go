package account

import "slices"

// Level is how sure Schalter is about who is behind a session, in the
// order of the catalogue's "assurance" field. Services and sensitive
// actions name the level they need; a session below it gets a step-up
// problem that says which level is missing.
type Level int

const (
	LevelNone      Level = iota // not logged in
	LevelAccount                // one factor: a password
	LevelTwoFactor              // two factors: password + code, or a passkey with user verification
	LevelEID                    // the state eID at an assurance the city accepts for identity
)

var levelNames = [...]string{"none", "account", "two_factor", "eid"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "none"
	}
	return levelNames[l]
}

// ParseLevel reads a level name as written in the catalogue and sessions.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), true
		}
	}
	return LevelNone, false
}

// Authentication methods a session records (in the style of RFC 8176 amr).
const (
	MethodPassword = "pwd"
	MethodTOTP     = "otp"
	MethodSMS      = "sms"
	MethodPasskey  = "passkey"
	MethodEID      = "eid"
)

// LevelFor is the level that a set of methods proves by itself. A passkey
// counts as two factors because Schalter requires user verification (PIN
// or biometrics on the device). The eID's level comes from its acr value,
// not from here; see the OIDC configuration.
func LevelFor(methods []string) Level {
	has := map[string]bool{}
	for _, m := range methods {
		has[m] = true
	}
	switch {
	case has[MethodPasskey], has[MethodPassword] && (has[MethodTOTP] || has[MethodSMS]):
		return LevelTwoFactor
	case has[MethodPassword], has[MethodTOTP], has[MethodSMS]:
		return LevelAccount
	}
	return LevelNone
}

// StepUp is what a session proves after a further proof on top of what it
// proved before (earlier methods and level): the methods add up, earlier
// ones first so the list reads in the order they happened, and the level
// is the highest of the session's, the new proof's and what the methods
// together prove (a password, then a code: two factors).
func StepUp(earlier []string, earlierLevel Level, proved []string, provedLevel Level) ([]string, Level) {
	methods := slices.DeleteFunc(slices.Clone(earlier), func(m string) bool { return m == "" })
	for _, m := range proved {
		if m != "" && !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	return methods, max(earlierLevel, provedLevel, LevelFor(methods))
}
