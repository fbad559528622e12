package api

import (
	"context"
	"net/http"

	"github.com/alexedwards/scs/v2"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/attachments"
	"github.com/schalter-ch/schalter/internal/books"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/connector"
	"github.com/schalter-ch/schalter/internal/devidp"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/editing"
	"github.com/schalter-ch/schalter/internal/eid"
	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/idempotency"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/privacy"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/snapshot"
	"github.com/schalter-ch/schalter/search"
)

// Deps are the domain services and adapters the HTTP edge calls. They are
// built once, by internal/cli (cli.Wire), for `schalter serve` and the
// tests alike; the edge builds none of them, so what a request reaches in
// a test is what it reaches in production. Only OpenAPI builds a server
// without them: it registers the operations and never calls a handler.
type Deps struct {
	Accounts   *account.Service
	Privacy    *privacy.Service
	Editing    *editing.Service
	Favourites *favourites.Service
	Drafts     *drafts.Service
	Cases      *cases.Service
	Documents  *documents.Service
	Connectors *connector.Service
	// Payments takes the money for cases; DevPay is the development
	// provider's checkout pages (nil unless it is on).
	Payments *payments.Service
	DevPay   http.Handler
	// Books is the finance office's journal export, reconciliation,
	// chart of accounts and payouts.
	Books *books.Service
	// Reconcile imports the bank's camt.054 notifications and keeps the
	// finance office's work list of credits.
	Reconcile *reconcile.Service
	// DevPayProvider sends the development provider's webhooks (a job).
	DevPayProvider *devpay.Provider
	Attachments    *attachments.Service
	Forms          *forms.Service
	Idempotency    *idempotency.Service
	// Catalogue is the published catalogue in memory, kept current by Run.
	Catalogue *snapshot.Cache
	// Sessions is where sessions live (PostgreSQL, shared by replicas).
	Sessions scs.Store
	// Health answers /readyz: the database and its migrations.
	Health Readiness
	// Search is the search engine and its settings; nil answers search
	// with 503 (the engine is still starting or failed).
	Search         search.Engine
	SearchSettings search.Settings
	// Jobs is the job queue, for River UI at /admin/jobs; nil: a 404.
	Jobs *jobs.Queue
	// EID is the state eID's OpenID Connect client; nil without
	// SCHALTER_EID_ISSUER. DevIdP is the development identity provider,
	// only with SCHALTER_EID_DEV and never in production.
	EID    *eid.Client
	DevIdP *devidp.Provider
}

// Readiness is what /readyz checks besides the search engine.
type Readiness interface {
	Ping(ctx context.Context) error
	MigrationsCurrent(ctx context.Context) (bool, error)
}

// EIDCallbackPath is where the eID provider sends the browser back; the
// OpenID Connect client is registered with PublicURL + this path.
const EIDCallbackPath = eidCallbackPath
