package cli

import (
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
	"github.com/schalter-ch/schalter/search/meili"
)

// openEngine opens the configured search engine: Meilisearch when
// SCHALTER_MEILI_URL is set, else the embedded engine. shared is the key
// under which a shared engine's outbox position is kept in PostgreSQL (""
// for the embedded engine, which keeps its own in its index).
func openEngine(cfg *config.Config) (engine search.Engine, shared string, err error) {
	if cfg.MeiliURL != "" {
		e, err := meili.New(cfg.MeiliURL, cfg.MeiliKey, meili.WithIndex(cfg.MeiliIndex))
		return e, "meilisearch:" + cfg.MeiliIndex, err
	}
	e, err := embedded.Open(cfg.SearchDir)
	return e, "", err
}
