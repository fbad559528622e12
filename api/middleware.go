package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
	"github.com/prometheus/client_golang/prometheus"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	routeInfoKey
)

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// routeInfo is filled in while the request travels through the router, so
// that the outer middleware can label logs and metrics with the operation.
type routeInfo struct {
	operation string
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID takes a well-formed X-Request-Id from a proxy or makes one, and
// echoes it on the response, so a resident's error message can be found in
// the logs.
// withLogger puts the server's logger into the request's context, for
// the errors huma raises outside a handler (installErrorModel).
func (s *Server) withLogger(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loggerKey{}, s.log)))
	})
}

func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, routeInfoKey, &routeInfo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		// Every response passes here: no 429 or 503 leaves without
		// Retry-After, whoever wrote it.
		ensureRetryAfter(s.Header(), code)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets streaming responses through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "schalter_http_requests_total",
			Help: "HTTP requests by operation, method and status code.",
		}, []string{"operation", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "schalter_http_request_duration_seconds",
			Help: "HTTP request latency by operation.",
			// From 0.5 ms: catalogue reads take about a millisecond.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "schalter_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inflight)
	return m
}

// observe logs every request and records its metrics, labelled with the
// huma operation id, or the chi route pattern for routes outside huma, so
// that label cardinality stays bounded whatever paths clients send.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		s.metrics.inflight.Inc()
		defer s.metrics.inflight.Dec()
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		op := "unmatched"
		if info, _ := r.Context().Value(routeInfoKey).(*routeInfo); info != nil && info.operation != "" {
			op = info.operation
		} else if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			op = rc.RoutePattern()
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(op, r.Method, strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(op, r.Method).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		switch {
		case rec.status >= 500:
			level = slog.LevelError
		case op == "/healthz" || op == "/readyz" || strings.HasPrefix(r.URL.Path, "/assets/"):
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("operation", op),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Duration("duration", elapsed),
		)
	})
}

// operationLabel is a huma middleware that tells observe which operation
// handled the request.
func operationLabel(ctx huma.Context, next func(huma.Context)) {
	if info, _ := ctx.Context().Value(routeInfoKey).(*routeInfo); info != nil {
		info.operation = ctx.Operation().OperationID
	}
	next(ctx)
}

// recoverer turns a panic into a logged 500 problem instead of a dropped
// connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", RequestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				writeProblem(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again later; if it persists, quote request id "+RequestID(r.Context())+".")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. The CSP allows
// scripts only from the app's own origin; inline styles are allowed because
// Lit components may fall back to <style> elements.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	connect := "'self'"
	for _, o := range s.cfg.CORSOrigins {
		connect += " " + o
	}
	csp := "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"connect-src " + connect + "; worker-src 'self'; manifest-src 'self'; font-src 'self'; object-src 'none'; " +
		"base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if s.isHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// isHTTPS reports whether the client reached us over TLS, directly or, when
// a trusted proxy terminates TLS, as the proxy says.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// writeProblem writes a problem response outside huma (router fallbacks,
// panics), in the same shape huma uses.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	writeProblemFields(w, r, status, detail)
}

// writeProblemFields is writeProblem with field errors.
func writeProblemFields(w http.ResponseWriter, r *http.Request, status int, detail string, errs ...*huma.ErrorDetail) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	p := map[string]any{
		"title":    http.StatusText(status),
		"status":   status,
		"detail":   detail,
		"instance": r.URL.Path,
	}
	if len(errs) > 0 {
		p["errors"] = errs
	}
	b, _ := jsonMarshal(p)
	_, _ = w.Write(b)
}

// rateLimit limits API requests per client address, in a sliding window
// per server replica: a scraper or a broken client cannot starve residents.
// Static files and health checks are not limited.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	api := s.limitByClient(s.cfg.RateLimit, "too many requests from your address; please wait a moment (see Retry-After)")(next)
	// Credentials get a much lower limit of their own: guessing passwords
	// or codes from one address stops after a few tries a minute, while
	// the per-account throttles (internal/account) catch guesses spread
	// over many addresses.
	auth := s.limitByClient(s.cfg.AuthRateLimit, "too many login or code attempts from your address; please wait a moment (see Retry-After)")(api)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isCredentialPath(r):
			auth.ServeHTTP(w, r)
		case isAPIPath(r.URL.Path):
			api.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// isCredentialPath reports whether a request presents or asks for a
// credential: logins of every kind, registration, password reset, and
// codes entered or sent on a logged-in account.
func isCredentialPath(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/v1/session") || strings.HasPrefix(p, "/api/v1/accounts") {
		return r.Method != http.MethodDelete // logging out is never limited
	}
	// A "continue later" token is a credential to a draft, and its mail
	// goes to any address: both get the low limit.
	return r.Method == http.MethodPost && (strings.HasPrefix(p, "/api/v1/me/step-up") || p == "/api/v1/drafts/resume" || strings.HasSuffix(p, "/continue-later") ||
		strings.HasPrefix(p, "/api/v1/me/totp") || strings.HasPrefix(p, "/api/v1/me/sms"))
}

// limitByClient limits requests per minute per client address; 0 is off.
func (s *Server) limitByClient(perMinute int, msg string) func(http.Handler) http.Handler {
	if perMinute == 0 {
		return func(h http.Handler) http.Handler { return h }
	}
	return httprate.LimitBy(perMinute, time.Minute, func(r *http.Request) (string, error) {
		return s.clientAddr(r), nil
	}, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusTooManyRequests, msg)
	}))
}

// clientAddr is the client's IP address: the connection's, or behind a
// trusted proxy the last address it appended to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
