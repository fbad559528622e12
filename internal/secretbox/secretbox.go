// Package secretbox encrypts small secrets the server must be able to read
// back (TOTP seeds) before they are stored, with AES-256-GCM under a key
// from the configuration (SCHALTER_SECRET_KEY). A stolen database dump
// alone then opens no second factor.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// Box seals and opens secrets.
type Box struct {
	aead   cipher.AEAD
	macKey []byte
}

// New takes a base64-encoded 32-byte key.
func New(keyB64 string) (*Box, error) {
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if err != nil || len(key) != 32 {
		return nil, errors.New("secretbox: the key must be 32 bytes, base64-encoded (openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// A key of its own for MAC, so no value is ever both encrypted and
	// authenticated under the same key.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("schalter secretbox mac"))
	return &Box{aead: aead, macKey: m.Sum(nil)}, nil
}

// NewKey returns a fresh base64-encoded key.
func NewKey() string {
	var k [32]byte
	_, _ = rand.Read(k[:])
	return base64.StdEncoding.EncodeToString(k[:])
}

// Seal encrypts plaintext; context binds the ciphertext to its use (e.g.
// the account id), so a sealed value cannot be moved to another row.
func (b *Box) Seal(plaintext, context []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plaintext, context)
}

// Open decrypts what Seal made with the same context.
func (b *Box) Open(sealed, context []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("secretbox: too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], context)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return out, nil
}

// MAC returns an HMAC-SHA256 of the parts, for values that are compared
// but never read back, such as six-digit codes: a plain hash of one of a
// million values is undone by trying them all, a keyed one not without the
// key. Each part is length-prefixed, so ("ab","c") and ("a","bc") differ.
func (b *Box) MAC(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, b.macKey)
	for _, p := range parts {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		m.Write(n[:])
		m.Write(p)
	}
	return m.Sum(nil)
}
