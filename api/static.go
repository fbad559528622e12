package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
)

// The PWA is served from the same origin as the API. Vite puts hashed file
// names under /assets/, which may be cached forever; everything else
// (index.html, sw.js, the manifest) must be revalidated so an update
// reaches residents on their next visit.

func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// pwaRoutes are the paths of the PWA's pages: besides the PWA's own files,
// only these get the app shell (index.html) for a deep link. Anything else
// is a 404 problem, so /.env, /wp-login.php or /.git/config answer 404
// instead of a 200 that scanners and monitors take for a hit. The list
// mirrors the route table of the PWA's router, pwa/src/lib/router.ts (with
// its ACCOUNT_PATHS and ACCOUNT_ALIASES); TestPWARoutesMatchRouter reads
// that file and fails when the two differ. {slug} is a segment the
// router's SLUG matches; like the router, a trailing slash is allowed.
var pwaRoutes = []string{
	"/",
	"/categories", "/categories/{slug}",
	"/services/{slug}",
	"/offices", "/offices/{slug}",
	"/search",
	"/favourites",
	"/account", "/account/register", "/account/check-inbox", "/account/verify", "/account/email",
	"/account/change-email", "/account/login", "/account/login/code", "/account/forgot-password",
	"/account/reset", "/account/authenticator", "/account/recovery-codes", "/account/sessions",
	"/account/step-up", "/account/deleted", "/account/passkeys", "/account/sms", "/account/eid",
	"/account/profile", "/account/consents", "/account/transparency",
	"/account/drafts", "/account/cases", "/account/documents", "/account/payments", "/account/cases/{number}",
	"/services/{slug}/order", "/drafts/resume", "/verify/{id}",
	"/konto", "/konto/anmelden",
}

// pwaSlug is the router's SLUG.
var pwaSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// pwaSegments are the segments routes capture: the router's SLUG,
// CASE_NUMBER and DOCUMENT_ID.
var pwaSegments = map[string]*regexp.Regexp{
	"{slug}":   pwaSlug,
	"{number}": regexp.MustCompile(`^[A-Z]{2,6}-[0-9]{4}-[0-9]{6}-[0-9]$`),
	"{id}":     regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
}

// isPWARoute reports whether p is the path of one of the PWA's pages.
func isPWARoute(p string) bool {
	if p != "/" {
		p = strings.TrimSuffix(p, "/")
	}
	segs := strings.Split(p, "/")
	for _, route := range pwaRoutes {
		want := strings.Split(route, "/")
		if len(want) != len(segs) {
			continue
		}
		match := true
		for i, w := range want {
			if re, ok := pwaSegments[w]; ok && re.MatchString(segs[i]) {
				continue
			}
			if w != segs[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// staticFile is a file of the PWA with its ETag, computed once.
type staticFile struct {
	body []byte
	etag string
}

var staticCache sync.Map // path → *staticFile

func (s *Server) file(name string) (*staticFile, bool) {
	if s.pwa == nil {
		return nil, false
	}
	if f, ok := staticCache.Load(name); ok {
		return f.(*staticFile), true
	}
	b, err := fs.ReadFile(s.pwa, name)
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256(b)
	f := &staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:10]) + `"`}
	// A PWA served from a directory (SCHALTER_PWA_DIR) changes while the
	// server runs during development; only the embedded copy is cached.
	if s.cfg.PWADir == "" {
		staticCache.Store(name, f)
	}
	return f, true
}

func (s *Server) routePWA(r chi.Router) {
	r.Get("/manifest.webmanifest", s.serveManifest)
	r.Get("/api/docs", func(w http.ResponseWriter, r *http.Request) { s.serveFile(w, r, "api-docs/index.html") })
	// The search widget is loaded by other sites (<script type="module">
	// is fetched in CORS mode): any origin may load the file itself; its
	// API calls are still limited to SCHALTER_CORS_ORIGINS.
	r.Get("/widget/*", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		s.serveFile(w, r, strings.TrimPrefix(path.Clean(r.URL.Path), "/"))
	})
	r.Get("/*", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			s.serveIndex(w, r)
			return
		}
		if _, ok := s.file(name); ok {
			s.serveFile(w, r, name)
			return
		}
		s.notFound(w, r)
	})
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, "index.html")
}

// isNavigation reports whether r is a browser loading a page (a typed URL,
// a followed link), as opposed to a script, a monitor or a scanner.
func isNavigation(r *http.Request) bool {
	if m := r.Header.Get("Sec-Fetch-Mode"); m != "" {
		return m == "navigate"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// serveShellNotFound answers a browser's visit to a page that does not
// exist with the app shell and status 404: the resident sees the PWA's
// "page not found" with its way back home, while the status still tells
// crawlers and scanners there is nothing here.
func (s *Server) serveShellNotFound(w http.ResponseWriter, r *http.Request) {
	f, ok := s.file("index.html")
	if !ok {
		writeProblem(w, r, http.StatusNotFound, "nothing at "+r.URL.Path)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.body)
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := s.file(name)
	if !ok {
		if name == "index.html" {
			writeProblem(w, r, http.StatusServiceUnavailable, "the PWA is not built: run `make run` (or `cd pwa && npm ci && npm run build`)")
			return
		}
		writeProblem(w, r, http.StatusNotFound, "nothing at "+r.URL.Path)
		return
	}
	h := w.Header()
	h.Set("ETag", f.etag)
	switch {
	case strings.HasPrefix(name, "assets/"):
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	case strings.HasPrefix(name, "widget/"):
		// A stable URL embedded on other sites: cached for an hour, then
		// revalidated with the ETag.
		h.Set("Cache-Control", "public, max-age=3600")
	default:
		h.Set("Cache-Control", "no-cache")
	}
	if name == "sw.js" {
		h.Set("Service-Worker-Allowed", "/")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

// serveManifest serves the web manifest with the configured city's name
// and colour, so one build serves every city.
func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request) {
	f, ok := s.file("manifest.webmanifest")
	if !ok {
		writeProblem(w, r, http.StatusNotFound, "the PWA is not built")
		return
	}
	var m map[string]any
	if err := json.Unmarshal(f.body, &m); err != nil {
		s.log.Error("manifest is not JSON", "err", err)
		writeProblem(w, r, http.StatusInternalServerError, "the manifest is broken")
		return
	}
	m["name"] = "Schalter " + s.cfg.City.ShortName
	m["short_name"] = "Schalter"
	m["theme_color"] = s.cfg.City.PrimaryColor
	m["description"] = "Onlineschalter der " + s.cfg.City.Name
	b, _ := json.Marshal(m)
	sum := sha256.Sum256(b)
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:10])+`"`)
	http.ServeContent(w, r, "manifest.webmanifest", time.Time{}, bytes.NewReader(b))
}
