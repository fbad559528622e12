package api

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"riverqueue.com/riverui"

	"github.com/schalter-ch/schalter/internal/jobs"
)

// jobsUIPath is where River UI is mounted: for administrators only, behind
// their session at level two_factor, never public (the job list shows who
// is being mailed what and when, even with the messages sealed).
const jobsUIPath = "/admin/jobs"

// isJobsUIPath reports whether p is River UI's, which needs the session
// like the API does.
func isJobsUIPath(p string) bool {
	return p == jobsUIPath || strings.HasPrefix(p, jobsUIPath+"/")
}

// newJobsUI is River UI for the queue, mounted at /admin/jobs.
func newJobsUI(q *jobs.Queue, log *slog.Logger) *riverui.Handler {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(q.Client(), nil),
		Logger:    log,
		Prefix:    jobsUIPath,
		// Arguments stay folded away: an operator opens them on purpose.
		JobListHideArgsByDefault: true,
	})
	if err != nil {
		panic(err) // only with a nil client or logger: a wiring mistake
	}
	return h
}

// routeJobsUI mounts River UI behind requireAdmin.
func (s *Server) routeJobsUI(r interface {
	Handle(pattern string, h http.Handler)
}) {
	if s.jobsUI == nil {
		return
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.requireAdmin(r.Context()); err != nil {
			status, detail := http.StatusInternalServerError, "internal error"
			var se huma.StatusError
			if errors.As(err, &se) {
				status, detail = se.GetStatus(), se.Error()
			}
			if status == http.StatusUnauthorized && isNavigation(r) {
				// A browser without a session goes to the login page
				// and comes back here.
				http.Redirect(w, r, "/account/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			writeProblem(w, r, status, detail)
			return
		}
		// River UI's pages are personal data views: never cached.
		w.Header().Set("Cache-Control", "no-store")
		s.jobsUI.ServeHTTP(w, r)
	})
	r.Handle(jobsUIPath, h)
	r.Handle(jobsUIPath+"/*", h)
}
