package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/idempotency"
)

// Writes accept an Idempotency-Key header (draft-ietf-httpapi-idempotency-
// key-header): the first request with a key runs, its answer is kept in
// PostgreSQL for a day, and a retry with the same key and the same request
// gets that answer again (marked Idempotent-Replayed: true) instead of
// running twice. The same key with a different request is a 422; a retry
// while the first is still running is a 409. Keys are scoped to the
// caller's credentials, so callers cannot see each other's answers. What
// counts as the same request and which answers are kept is decided by
// internal/idempotency; this file only reads and writes HTTP.

const idempotencyHeader = "Idempotency-Key"

var validIdempotencyKey = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// captureWriter keeps a copy of what the handler writes, besides the
// status the statusRecorder tracks.
type captureWriter struct {
	statusRecorder
	body bytes.Buffer
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.statusRecorder.Write(b)
}

func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(idempotencyHeader)
		if key == "" || !isAPIPath(r.URL.Path) || (r.Method != http.MethodPost && r.Method != http.MethodPatch &&
			r.Method != http.MethodPut && r.Method != http.MethodDelete) {
			next.ServeHTTP(w, r)
			return
		}
		if !validIdempotencyKey.MatchString(key) {
			writeProblemFields(w, r, http.StatusUnprocessableEntity, "malformed Idempotency-Key",
				&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "must be 1 to 255 visible ASCII characters, e.g. a UUID"})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxImportBytes+1))
		if err != nil || len(body) > maxImportBytes {
			// Too large or unreadable: the operation itself answers (413).
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			next.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fingerprint := idempotency.Fingerprint(r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), body)
		scope := idempotencyScope(r)
		ctx := r.Context()
		svc := s.idempotent

		prev, err := svc.Claim(ctx, scope, key, fingerprint)
		if err != nil {
			if e, ok := apperr.As(err); ok {
				details := make([]*huma.ErrorDetail, 0, len(e.Fields))
				for _, f := range e.Fields {
					details = append(details, &huma.ErrorDetail{Location: f.Path, Message: f.Message})
				}
				writeProblemFields(w, r, statusOf[e.Code], e.Message, details...)
				return
			}
			s.log.ErrorContext(ctx, "idempotency key", "request_id", RequestID(ctx), "err", err)
			writeProblem(w, r, http.StatusServiceUnavailable, "cannot check the Idempotency-Key right now; retry later")
			return
		}
		if prev != nil {
			for k, v := range prev.Headers {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", prev.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			_, _ = w.Write(prev.Body)
			return
		}

		cw := &captureWriter{statusRecorder: statusRecorder{ResponseWriter: w}}
		next.ServeHTTP(cw, r)
		// A detached context: the answer must be recorded even if the client
		// has gone, since that is exactly when it will retry.
		done, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := svc.Finish(done, scope, key, cw.status, cw.Header(), cw.body.Bytes()); err != nil {
			s.log.ErrorContext(ctx, "recording the idempotent answer", "request_id", RequestID(ctx), "err", err)
		}
	})
}

// idempotencyScope names the caller by every credential the request
// carries: the bearer token, and the session and guest cookies of
// residents and guests, who send no Authorization header. The cookies are
// read raw, as scs and huma read them: the session is loaded only after
// this middleware.
func idempotencyScope(r *http.Request) string {
	return idempotency.Scope(r.Header.Get("Authorization"), cookieValue(r, sessionCookie), cookieValue(r, guestCookie))
}

// cookieValue is the value of the request's first cookie called name, or "".
func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}
