package cli

import (
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
)

// openEngine opens the configured search engine. shared is the key under
// which a shared engine's outbox position is kept ("" for the embedded
// engine, which keeps its own).
func openEngine(cfg *config.Config) (engine search.Engine, shared string, err error) {
	e, err := embedded.Open(cfg.SearchDir)
	return e, "", err
}
