// Package guest is who a visitor without an account is: a random id that
// lives in an HttpOnly cookie (schalter_guest). Favourites belong to it
// until the person logs in and the account takes them over; order drafts
// will too.
package guest

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

// valid is what New makes. Anything else in the cookie is ignored, so a
// forged cookie cannot smuggle text into an owner column.
var valid = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Valid reports whether id is one New could have made.
func Valid(id string) bool { return valid.MatchString(id) }

// New is a new guest's id: 128 random bits, so it says nothing about the
// person and cannot be guessed.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
