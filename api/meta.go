package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/config"
)

const tagMeta = "Operations"

// Health is the answer of the health endpoints.
type Health struct {
	Status string `json:"status" enum:"ok,ready" example:"ok"`
}

// ClientConfig is what the PWA needs to know about its city.
type ClientConfig struct {
	City            config.City `json:"city"`
	Languages       []string    `json:"languages" example:"[\"de\",\"fr\",\"it\",\"en\"]"`
	DefaultLanguage string      `json:"default_language" example:"de"`
	EID             bool        `json:"eid,omitempty" doc:"True when login with the state eID is offered (GET /api/v1/session/eid); absent otherwise."`
}

// Uncached is a response with an explicit Cache-Control and no ETag.
type Uncached[T any] struct {
	CacheControl string `header:"Cache-Control"`
	Body         T
}

// readyCacheFor keeps /readyz cheap when a load balancer polls it often.
const readyCacheFor = 2 * time.Second

func (s *Server) registerMeta(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "getHealth", Method: http.MethodGet, Path: "/healthz", Tags: []string{tagMeta},
		Summary: "Liveness", Description: "200 while the process runs. Does not touch the database: use /readyz for that.",
		Errors: []int{http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Health], error) {
		return &Uncached[Health]{"no-store", Health{Status: "ok"}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "getReadiness", Method: http.MethodGet, Path: "/readyz", Tags: []string{tagMeta},
		Summary: "Readiness", Description: "200 when the database answers, every migration is applied and the search engine answers; 503 otherwise, so a load balancer sends no traffic.",
		Errors: []int{http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Health], error) {
		if err := s.ready(ctx); err != nil {
			s.log.WarnContext(ctx, "not ready", "request_id", RequestID(ctx), "err", err)
			return nil, huma.ErrorWithHeaders(huma.Error503ServiceUnavailable(apperrMessage(err)), http.Header{"Retry-After": {"5"}, "Cache-Control": {"no-store"}})
		}
		return &Uncached[Health]{"no-store", Health{Status: "ready"}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "getConfig", Method: http.MethodGet, Path: "/api/v1/config", Tags: []string{tagMeta},
		Summary: "Client configuration", Description: "The city's name, colours and logo, and the languages offered; the PWA themes itself from it.",
		Errors: []int{http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[ClientConfig], error) {
		return &Uncached[ClientConfig]{"public, max-age=300", ClientConfig{City: s.cfg.City, Languages: catalog.Languages, DefaultLanguage: catalog.DefaultLanguage, EID: s.eidEnabled()}}, nil
	})
}

// ready checks the database and the migrations, at most every few seconds.
func (s *Server) ready(ctx context.Context) error {
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	if time.Now().Before(s.readyUntil) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.health.Ping(ctx); err != nil {
		return apperr.New(apperr.Unavailable, "database unreachable")
	}
	current, err := s.health.MigrationsCurrent(ctx)
	if err != nil {
		return apperr.New(apperr.Unavailable, "cannot read the migration state")
	}
	if !current {
		return apperr.New(apperr.Unavailable, "database migrations are pending")
	}
	if s.engine != nil {
		if err := s.engine.Health(ctx); err != nil {
			return apperr.New(apperr.Unavailable, "search engine unavailable")
		}
	}
	s.readyUntil = time.Now().Add(readyCacheFor)
	return nil
}

func apperrMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return "not ready"
}
