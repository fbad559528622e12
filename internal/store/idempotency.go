package store

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// StoredResponse is the first answer to a request with an Idempotency-Key.
type StoredResponse struct {
	Status      int
	ContentType string
	Headers     map[string]string
	Body        []byte
}

// abandonedAfter is how long an unfinished claim blocks its key: a server
// that crashed mid-request must not block the key for a day.
const abandonedAfter = 2 * time.Minute

// ClaimIdempotencyKey claims key for a request with the given hash. It
// returns nil when the key is new (the caller runs the request and then
// calls FinishIdempotencyKey or ReleaseIdempotencyKey), the stored response
// when the same request was answered before, Conflict while the first
// request is still running, and Invalid when the key was used for a
// different request.
func (q *Queries) ClaimIdempotencyKey(ctx context.Context, scope, key string, hash []byte) (*StoredResponse, error) {
	for attempt := 0; attempt < 2; attempt++ {
		_, err := q.gen.IdempotencyBegin(ctx, q.db, dbq.IdempotencyBeginParams{Scope: scope, Key: key, RequestHash: hash})
		if err == nil {
			return nil, nil
		}
		if !noRows(err) {
			return nil, mapErr(err, onErr{})
		}
		row, err := q.gen.IdempotencyGet(ctx, q.db, dbq.IdempotencyGetParams{Scope: scope, Key: key})
		if noRows(err) {
			continue // released in between: claim again
		}
		if err != nil {
			return nil, mapErr(err, onErr{})
		}
		if !bytes.Equal(row.RequestHash, hash) {
			return nil, apperr.InvalidFields("this Idempotency-Key was used for a different request",
				apperr.FieldError{Path: "header.Idempotency-Key", Message: "already used with another method, path or body; use a new key"})
		}
		if row.Status == nil {
			if time.Since(row.CreatedAt) < abandonedAfter {
				return nil, apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry in a moment")
			}
			if err := q.ReleaseIdempotencyKey(ctx, scope, key); err != nil {
				return nil, err
			}
			continue
		}
		out := &StoredResponse{Status: int(*row.Status), Body: row.Body}
		if row.ContentType != nil {
			out.ContentType = *row.ContentType
		}
		if len(row.Headers) > 0 {
			if err := json.Unmarshal(row.Headers, &out.Headers); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, apperr.New(apperr.Conflict, "the Idempotency-Key is contended; retry in a moment")
}

// FinishIdempotencyKey stores the response to a claimed key.
func (q *Queries) FinishIdempotencyKey(ctx context.Context, scope, key string, r StoredResponse) error {
	headers, err := json.Marshal(r.Headers)
	if err != nil {
		return err
	}
	status := int32(r.Status)
	return q.gen.IdempotencyFinish(ctx, q.db, dbq.IdempotencyFinishParams{
		Scope: scope, Key: key, Status: &status, ContentType: &r.ContentType, Headers: headers, Body: r.Body,
	})
}

// ReleaseIdempotencyKey forgets a claimed key, so that a retry runs again.
func (q *Queries) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	return q.gen.IdempotencyRelease(ctx, q.db, dbq.IdempotencyReleaseParams{Scope: scope, Key: key})
}

// ExpireIdempotencyKeys deletes keys older than maxAge.
func (q *Queries) ExpireIdempotencyKeys(ctx context.Context, maxAge time.Duration) (int64, error) {
	return q.gen.IdempotencyExpire(ctx, q.db, maxAge.Seconds())
}
