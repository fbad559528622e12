// Package api is Schalter's HTTP interface: the huma operations under
// /api/v1, the middleware every request passes, and the routes that serve
// the PWA, health and metrics. Handlers are thin: they check input (huma
// tags and Resolve), call a domain service (api.Deps, built by
// internal/cli), and map errors in one place (errors.go).
package api

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"riverqueue.com/riverui"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/attachments"
	"github.com/schalter-ch/schalter/internal/books"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/devidp"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/editing"
	"github.com/schalter-ch/schalter/internal/eid"
	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/idempotency"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/privacy"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/snapshot"
	"github.com/schalter-ch/schalter/search"
)

// APIVersion is the version of the HTTP API contract (not of the binary).
const APIVersion = "1.0.0"

// Server holds what handlers need. It keeps no per-request or per-user
// state between requests: everything lives in PostgreSQL, so any number of
// replicas can serve behind a load balancer.
type Server struct {
	cfg   *config.Config
	cache *snapshot.Cache
	// engine is nil without a search engine; search then answers 503.
	engine         search.Engine
	searchSettings search.Settings
	health         Readiness
	sessions       *scs.SessionManager
	accounts       *account.Service
	privacy        *privacy.Service
	editing        *editing.Service
	favourites     *favourites.Service
	drafts         *drafts.Service
	cases          *cases.Service
	documents      *documents.Service
	connectors     *connector.Service
	payments       *payments.Service
	books          *books.Service
	reconcile      *reconcile.Service
	// devPay serves the development provider's checkout pages; nil
	// unless that provider is on.
	devPay      http.Handler
	attachments *attachments.Service
	forms       *forms.Service
	idempotent  *idempotency.Service
	// eid is nil without SCHALTER_EID_ISSUER (or SCHALTER_EID_DEV); devIdP
	// is the development identity provider, only with SCHALTER_EID_DEV.
	eid    *eid.Client
	devIdP *devidp.Provider
	// jobsUI is River UI, nil without a job queue.
	jobsUI   *riverui.Handler
	log      *slog.Logger
	metrics  *metrics
	registry *prometheus.Registry
	pwa      fs.FS

	readyMu    sync.Mutex
	readyUntil time.Time
}

// New returns a server on the services d (cli.Wire builds them). pwa is
// the built PWA (pwa/dist); it may be nil when only the API is wanted.
func New(cfg *config.Config, d Deps, log *slog.Logger, pwa fs.FS) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	installErrorModel()
	// Zero durations (configs built in code, e.g. by tests) mean the
	// defaults of config.FromEnv.
	if cfg.SessionLifetime == 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	s := &Server{cfg: cfg, log: log, metrics: newMetrics(reg), registry: reg, pwa: pwa,
		cache: d.Catalogue, engine: d.Search, searchSettings: d.SearchSettings, health: d.Health,
		sessions: newSessions(d.Sessions, cfg.SessionLifetime, log),
		accounts: d.Accounts, privacy: d.Privacy, editing: d.Editing, favourites: d.Favourites, drafts: d.Drafts, cases: d.Cases, documents: d.Documents, connectors: d.Connectors, attachments: d.Attachments, forms: d.Forms, idempotent: d.Idempotency,
		eid: d.EID, devIdP: d.DevIdP, payments: d.Payments, books: d.Books, reconcile: d.Reconcile, devPay: d.DevPay}
	if d.Jobs != nil {
		s.jobsUI = newJobsUI(d.Jobs, log)
	}
	return s
}

// Run does the server's background work until ctx ends: it keeps the
// catalogue snapshot current and runs River UI's cache. Housekeeping
// (expired keys, ended sessions' devices, popularity) are periodic jobs on
// the queue (cli.Periodic), so one replica does each, not all of them.
func (s *Server) Run(ctx context.Context) {
	if s.jobsUI != nil {
		// River UI's background services (its query cache) run with the
		// server.
		if err := s.jobsUI.Start(ctx); err != nil {
			s.log.Warn("River UI did not start", "err", err)
		}
	}
	s.cache.Run(ctx)
}

// refreshed brings this server's snapshot up to date after a write, so the
// editor sees their change at once; other servers follow by notification.
// A failure only delays the change, so it is logged, not returned.
func (s *Server) refreshed(ctx context.Context) {
	if err := s.cache.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "refreshing the catalogue snapshot after a write", "request_id", RequestID(ctx), "err", err)
	}
}

// humaConfig is the API description shared by the server and `schalter
// openapi`, so the committed spec is exactly what the server serves.
// humaDefaults sets huma's package-level defaults once per process (tests
// build many servers in parallel).
var humaDefaults = sync.OnceFunc(func() {
	// Lists are always present (empty, never null) in Schalter's responses;
	// say so in the schema, so typed clients need no null checks.
	huma.DefaultArrayNullable = false
})

func humaConfig() huma.Config {
	humaDefaults()
	c := huma.DefaultConfig("Schalter API", APIVersion)
	// No $schema fields and Link headers in responses, and no docs page
	// from a CDN: the bundled reference at /api/docs replaces it.
	c.CreateHooks = nil
	c.DocsPath = ""
	c.SchemasPath = ""
	c.OpenAPIPath = "/api/v1/openapi"
	c.Info.Description = "The public API of Schalter, the digital service counter of a Swiss city: the service catalogue " +
		"(services, offices, topics and life situations) and its administration. Texts come in German (de-CH), French, " +
		"Italian and English, chosen with `lang` or `Accept-Language`, falling back to German. Errors are RFC 9457 problem " +
		"details (`application/problem+json`); catalogue reads carry ETags and answer `If-None-Match` with 304."
	c.Info.Contact = &huma.Contact{Name: "Schalter developers", URL: "https://github.com/schalter-ch/schalter"}
	c.Info.License = &huma.License{Name: "EUPL-1.2", Identifier: "EUPL-1.2"}
	c.Servers = []*huma.Server{{URL: "http://localhost:8080", Description: "Local development (make run)"}}
	c.Tags = []*huma.Tag{
		{Name: tagCatalogue, Description: "The public service catalogue (Onlineschalter)."},
		{Name: tagAdmin, Description: "Changing the catalogue: an editor's or administrator's session, or the admin bearer token for scripts."},
		{Name: tagSearch, Description: "Search as residents type, with facets and suggestions."},
		{Name: tagForms, Description: "Order forms of services: the published form residents fill, and its versions for editors."},
		{Name: tagFavourites, Description: "Favourite services of a guest (anonymous cookie); accounts take them over later."},
		{Name: tagAccount, Description: "Mein Konto: registration, logins (password, passkey, second factors, state eID), assurance levels and step-up, sessions, roles."},
		{Name: tagPrivacy, Description: "The privacy cockpit: profile, consents to prefill forms, and the transparency log of who saw which data."},
		{Name: tagMeta, Description: "Health, readiness and the configuration the PWA needs."},
	}
	// Who may call each operation, declared in the spec as
	// x-schalter-access (derived from its security requirements, so the
	// two cannot disagree); TestAuthorizationMatrix calls every operation
	// as every kind of caller and holds the server to it.
	c.OnAddOperation = append(c.OnAddOperation, func(_ *huma.OpenAPI, op *huma.Operation) {
		if op.Extensions == nil {
			op.Extensions = map[string]any{}
		}
		op.Extensions["x-schalter-access"] = accessOf(op)
	})
	// Writes take an Idempotency-Key (idempotency.go): document it.
	c.OnAddOperation = append(c.OnAddOperation, func(_ *huma.OpenAPI, op *huma.Operation) {
		if op.Method != http.MethodPost && op.Method != http.MethodPatch {
			return
		}
		op.Parameters = append(op.Parameters, &huma.Param{
			Name: idempotencyHeader, In: "header",
			Description: "A unique key (e.g. a UUID) per intended write. A retry with the same key and request gets the first answer again (with Idempotent-Replayed: true) instead of writing twice; keys are kept for 24 hours.",
			Schema:      &huma.Schema{Type: "string", MinLength: ptr(1), MaxLength: ptr(255)},
			Example:     "5f0c6f9e-2d7b-4a53-9a59-6c1f0e0d7a10",
		})
	})
	// Every /api operation is rate limited (middleware.go): document the 429.
	c.OnAddOperation = append(c.OnAddOperation, func(_ *huma.OpenAPI, op *huma.Operation) {
		if !strings.HasPrefix(op.Path, "/api/") || op.Responses["429"] != nil {
			return
		}
		for code, r := range op.Responses {
			if strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5") {
				op.Responses["429"] = &huma.Response{
					Description: "Too Many Requests: the client's rate limit (SCHALTER_RATE_LIMIT per minute) is used up; retry after Retry-After seconds.",
					Headers:     map[string]*huma.Param{"Retry-After": {Description: "Seconds to wait.", Schema: &huma.Schema{Type: "integer"}}},
					Content:     r.Content,
				}
				return
			}
		}
	})
	// Operations on a session may answer 403 with a step-up problem
	// (stepup.go): document its extra fields, so clients can read them.
	// Last, so the 429 above copied a plain problem.
	c.OnAddOperation = append(c.OnAddOperation, func(oapi *huma.OpenAPI, op *huma.Operation) {
		r := op.Responses["403"]
		if r == nil || r.Content["application/problem+json"] == nil || !slices.ContainsFunc(op.Security, func(req map[string][]string) bool { _, ok := req[sessionScheme]; return ok }) {
			return
		}
		// A new response: huma may share one response object between
		// operations, and the others must keep the plain problem.
		schema := oapi.Components.Schemas.Schema(reflect.TypeFor[StepUpProblem](), true, "StepUpProblem")
		op.Responses["403"] = &huma.Response{Headers: r.Headers,
			Description: "Forbidden; when the session's assurance level is too low or too old, a step-up problem naming required_level, current_level, max_age and methods.",
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: schema}}}
	})
	c.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		adminScheme:   {Type: "http", Scheme: "bearer", Description: "A personal API token of an editor or administrator (POST /api/v1/me/api-tokens); an editor's session cookie works too."},
		sessionScheme: {Type: "apiKey", In: "cookie", Name: sessionCookie, Description: "The session of a logged-in account (POST /api/v1/session)."},
		officeScheme:  {Type: "http", Scheme: "bearer", Description: "An office system's API key (sco_…), issued by PUT /api/v1/admin/connectors/{office}; it reaches that office's cases only."},
		guestScheme:   {Type: "apiKey", In: "cookie", Name: guestCookie, Description: "The anonymous guest id the server sets with the first favourite (HttpOnly, Secure, SameSite=Lax)."},
	}
	return c
}

// Handler builds the HTTP handler: middleware, the API and the PWA.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(requestID, s.withLogger, s.observe, s.recoverer, s.securityHeaders, middleware.GetHead)
	r.Use(s.rateLimit, mustGzip())
	if len(s.cfg.CORSOrigins) > 0 {
		r.Use(cors.Handler(cors.Options{
			AllowedOrigins: s.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowedHeaders: []string{"Accept", "Accept-Language", "Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"},
			ExposedHeaders: []string{"ETag", "Content-Language", "X-Request-Id", "Retry-After", "Location"},
			MaxAge:         600,
		}))
	}
	r.Use(s.crossOriginProtection(), s.idempotency)
	r.Use(s.withSessions)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here")
	})

	s.registerAPI(humachi.New(r, humaConfig()))
	if s.devIdP != nil {
		r.Mount("/dev-idp", s.devIdP)
	}
	if s.devPay != nil {
		r.Handle("/devpay/*", s.devPay)
	}
	s.routeJobsUI(r)
	s.routeWellKnownKeys(r)
	s.routePWA(r)
	return r
}

// MetricsHandler serves the Prometheus metrics at /metrics, for a listener
// of its own (SCHALTER_METRICS_ADDR): the metrics name every operation and
// its error rates, which is nothing for the public port to hand out.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	return mux
}

// registerAPI registers every operation: the one route list used by the
// server, the tests and `schalter openapi`.
func (s *Server) registerAPI(api huma.API) huma.API {
	api.UseMiddleware(operationLabel, s.adminAuth(api), s.officeAuth)
	s.registerMeta(api)
	s.registerCatalogue(api)
	s.registerAdmin(api)
	s.registerSearch(api)
	s.registerFavourites(api)
	s.registerForms(api)
	s.registerDrafts(api)
	s.registerCases(api)
	s.registerDocuments(api)
	s.registerConnector(api)
	s.registerPayments(api)
	s.registerReconcile(api)
	s.registerBooks(api)
	s.registerInvoices(api)
	s.registerAttachments(api)
	s.registerSession(api)
	s.registerAccounts(api)
	s.registerTwoFactor(api)
	s.registerAccountData(api)
	s.registerDevices(api)
	s.registerStepUp(api)
	s.registerPrivacy(api)
	s.registerExport(api)
	s.registerEmailChange(api)
	s.registerAPITokens(api)
	s.registerAccountAdmin(api)
	s.registerPasskeys(api)
	s.registerEID(api)
	s.registerSMS(api)
	return api
}

// OpenAPI returns the specification, built by registering every operation
// on a router that is then thrown away.
func OpenAPI() *huma.OpenAPI {
	s := &Server{cfg: &config.Config{}, log: slog.New(slog.DiscardHandler)}
	return s.registerAPI(humachi.New(chi.NewRouter(), humaConfig())).OpenAPI()
}

func mustGzip() func(http.Handler) http.Handler {
	// BestSpeed: catalogue JSON compresses to a quarter at level 1 already;
	// higher levels cost CPU that is better spent on serving.
	w, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed), gzhttp.ContentTypes([]string{
		"application/json", "application/problem+json", "application/manifest+json", "application/javascript",
		"text/javascript", "text/html", "text/css", "text/csv", "image/svg+xml", "text/plain", "application/yaml",
	}))
	if err != nil {
		panic(err)
	}
	return func(h http.Handler) http.Handler { return w(h) }
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// notFound answers unknown paths: the PWA's index.html for the paths of its
// pages (deep links are routed in the browser, static.go), a 404 problem
// for everything else.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if isPWARoute(r.URL.Path) {
			s.serveIndex(w, r)
			return
		}
		if isNavigation(r) && !isAPIPath(r.URL.Path) {
			s.serveShellNotFound(w, r)
			return
		}
	}
	writeProblem(w, r, http.StatusNotFound, "nothing at "+r.URL.Path)
}

func ptr[T any](v T) *T { return &v }

// crossOriginProtection refuses state-changing browser requests from other
// origins (Sec-Fetch-Site / Origin, Go's CSRF defence), the CORS origins
// included: those are sites that embed the search widget and only read.
// Requests without those headers (curl, servers with a bearer token) pass:
// they carry no ambient cookies of a resident.
func (s *Server) crossOriginProtection() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusForbidden, "cross-origin request refused")
	}))
	return cop.Handler
}

// Access rules of operations.
const (
	AccessPublic  = "public"  // anyone
	AccessGuest   = "guest"   // anyone; acts on the caller's own guest data
	AccessAccount = "account" // a logged-in account, on its own data
	AccessEditor  = "editor"  // a catalogue editor or administrator
	AccessAdmin   = "admin"   // an administrator's session at level two_factor
	AccessStaff   = "staff"   // a session of an office's staff at level two_factor, on its office's cases
	AccessOffice  = "office"  // an office system's API key, on its office's cases
)

func accessOf(op *huma.Operation) string {
	schemes := map[string]bool{}
	for _, req := range op.Security {
		for name, scopes := range req {
			schemes[name] = true
			if name == sessionScheme && slices.Contains(scopes, account.RoleAdmin) {
				return AccessAdmin
			}
			if name == sessionScheme && slices.Contains(scopes, account.RoleStaff) {
				return AccessStaff
			}
		}
	}
	switch {
	case schemes[officeScheme]:
		return AccessOffice
	case schemes[adminScheme]:
		return AccessEditor
	case schemes[guestScheme]:
		return AccessGuest
	case schemes[sessionScheme]:
		return AccessAccount
	}
	return AccessPublic
}
