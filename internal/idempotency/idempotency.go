// Package idempotency holds the rules of the Idempotency-Key header
// (draft-ietf-httpapi-idempotency-key-header): which requests count as the
// same, whose keys are whose, which answers are kept and replayed, and for
// how long. The HTTP middleware (api/idempotency.go) reads the request,
// runs the handler and writes what this package decides; the keys and
// answers live in PostgreSQL, so every replica replays the same answer.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/schalter-ch/schalter/internal/store"
)

// MaxAge is how long a key and its answer are kept: long enough for any
// client's retries, short enough that the table stays small.
const MaxAge = 24 * time.Hour

// Response is a kept answer, replayed to a retry with the same key.
type Response = store.StoredResponse

// ReplayedHeaders are the response headers a replay repeats: those that
// tell the client what the write made (its URL, version, file name) and how
// to cache the answer. Cookies and per-response headers (Date, request id)
// are not part of the answer.
var ReplayedHeaders = []string{"Location", "ETag", "Last-Modified", "Content-Disposition", "Cache-Control"}

// Fingerprint is what makes two requests with one key the same request:
// method, path, query, content type and body. Each part ends in a NUL,
// which none of them can contain before the body, so moving bytes from
// one part to the next changes the digest.
func Fingerprint(method, path, rawQuery, contentType string, body []byte) []byte {
	h := sha256.New()
	for _, part := range []string{method, path, rawQuery, contentType} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	return h.Sum(nil)
}

// Scope keeps callers' keys apart, so that nobody is ever replayed
// someone else's answer: a digest of every credential the request carries
// (the Authorization header, the session cookie, the guest cookie), each
// ended by a NUL, which header and cookie values cannot contain. Callers
// with none of them (anonymous writes such as a login) share one scope:
// their answer follows from the request, which the fingerprint covers,
// and cookies set by it are never replayed.
func Scope(authorization, session, guest string) string {
	h := sha256.New()
	for _, c := range []string{authorization, session, guest} {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	return "auth:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Final reports whether an answer with status is kept for replay. Server
// errors and 429 are not (a retry should run again, that is what it is
// for), nor is a handler that wrote nothing (status 0: it panicked or the
// client went away); every other answer, refusals included, is the answer.
func Final(status int) bool {
	return status != 0 && status < 500 && status != http.StatusTooManyRequests
}

// Service claims and records keys in the store.
type Service struct {
	st *store.Store
}

// New returns the idempotency service on st.
func New(st *store.Store) *Service { return &Service{st: st} }

// Claim claims key in scope for the request with fingerprint. It returns
// nil when the key is new: the caller runs the request and then calls
// Finish. It returns the kept answer when the same request was answered
// before, Conflict while that request is still running, and Invalid
// (field header.Idempotency-Key) when the key was used for another
// request.
func (s *Service) Claim(ctx context.Context, scope, key string, fingerprint []byte) (*Response, error) {
	return s.st.ClaimIdempotencyKey(ctx, scope, key, fingerprint)
}

// Release forgets a claimed key, so that a retry runs the request again.
func (s *Service) Release(ctx context.Context, scope, key string) error {
	return s.st.ReleaseIdempotencyKey(ctx, scope, key)
}

// Finish records the answer to a claimed key: a Final one is kept with
// its ReplayedHeaders for MaxAge; any other releases the key.
func (s *Service) Finish(ctx context.Context, scope, key string, status int, header http.Header, body []byte) error {
	if !Final(status) {
		if err := s.Release(ctx, scope, key); err != nil {
			return fmt.Errorf("releasing the key after status %d: %w", status, err)
		}
		return nil
	}
	r := Response{Status: status, ContentType: header.Get("Content-Type"), Headers: map[string]string{}, Body: body}
	for _, k := range ReplayedHeaders {
		if v := header.Get(k); v != "" {
			r.Headers[k] = v
		}
	}
	if err := s.st.FinishIdempotencyKey(ctx, scope, key, r); err != nil {
		return fmt.Errorf("storing the answer: %w", err)
	}
	return nil
}

// Expire deletes keys older than MaxAge and returns how many.
func (s *Service) Expire(ctx context.Context) (int64, error) {
	return s.st.ExpireIdempotencyKeys(ctx, MaxAge)
}
