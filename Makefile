# Schalter. `make help` lists the targets. The two that matter:
#   make run    everything a fresh machine needs, then the portal on :8080
#   make test   every test, drift check and linter (what CI runs)

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO       ?= go
BIN      := bin/schalter
NPM      := npm --prefix pwa --no-audit --no-fund
PG_STAMP := .data/.system-deps
export SCHALTER_DATA_DIR ?= $(CURDIR)/.data

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_\/.-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- setup -------------------------------------------------------------------

# apt is only used for what is missing, as root or through sudo.
APT_INSTALL = if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

.PHONY: deps/postgres
deps/postgres: ## Install the PostgreSQL server with apt if it is missing
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="postgresql"; \
	$(APT_INSTALL)

.PHONY: deps/system
deps/system: deps/postgres ## Install missing system packages for the tests (PostgreSQL, Chromium, pdftoppm) with apt
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium fonts-dejavu-core"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	$(APT_INSTALL)

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	$(NPM) ci
	@touch $@

.PHONY: deps/npm
deps/npm: pwa/node_modules/.package-lock.json ## Install the PWA's npm packages (npm ci)

.PHONY: pwa
pwa: deps/npm ## Build the PWA into pwa/dist
	$(NPM) run build

.PHONY: build
build: pwa ## Build the PWA and the schalter binary (PWA embedded)
	$(GO) build -trimpath -o $(BIN) ./cmd/schalter

# --- run ---------------------------------------------------------------------

# make run STRIPE=mock: pay by Stripe too, against stripe-mock, which the
# server starts and stops (SCHALTER_STRIPE_MOCK). For a real Stripe test
# account, set SCHALTER_STRIPE_SECRET_KEY and _WEBHOOK_SECRET instead.
STRIPE ?=

.PHONY: run
run: deps/postgres build ## Start Schalter with demo data on http://localhost:8080 (private PostgreSQL when DATABASE_URL is unset; mail inbox on :8025; simulated Betreibungsamt on :8091; STRIPE=mock: Stripe via stripe-mock)
	$(if $(filter-out mock,$(STRIPE)),$(error STRIPE=$(STRIPE): only STRIPE=mock is known; a real test account needs SCHALTER_STRIPE_SECRET_KEY))
	@$(GO) build -o bin/mailpit github.com/axllent/mailpit
	@./bin/mailpit --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --disable-version-check --quiet & \
	  mailpit=$$!; ./$(BIN) sim betreibungsamt -addr 127.0.0.1:8091 & sim=$$!; trap 'kill $$mailpit $$sim 2>/dev/null' EXIT; \
	  SCHALTER_DEMO_SIM_URL=$${SCHALTER_DEMO_SIM_URL:-http://127.0.0.1:8091/cases} SCHALTER_DEMO=true SCHALTER_EID_DEV=$${SCHALTER_EID_DEV:-$$([ -n "$${SCHALTER_EID_ISSUER:-}" ] && echo false || echo true)} SCHALTER_SMTP_ADDR=$${SCHALTER_SMTP_ADDR:-127.0.0.1:1025} $(if $(STRIPE),SCHALTER_STRIPE_MOCK=true) ./$(BIN) serve

# --- generate and verify -------------------------------------------------------

.PHONY: generate
generate: ## Regenerate sqlc code, the OpenAPI spec and the PWA's typed client
	$(GO) tool sqlc generate
	$(GO) run ./cmd/schalter openapi > openapi/openapi.yaml
	$(NPM) run gen:api

.PHONY: verify/sqlc
verify/sqlc: ## Fail when the committed sqlc code differs from db/queries
	$(GO) tool sqlc diff

.PHONY: verify/openapi
verify/openapi: ## Fail when openapi/openapi.yaml differs from the code
	@mkdir -p .data
	@$(GO) run ./cmd/schalter openapi > .data/openapi.yaml.new
	@diff -u openapi/openapi.yaml .data/openapi.yaml.new || { echo "openapi/openapi.yaml is stale: run make generate"; exit 1; }

.PHONY: verify/client
verify/client: deps/npm ## Fail when the PWA's typed client differs from the spec
	$(NPM) run check:api

.PHONY: verify
verify: verify/sqlc verify/openapi verify/client ## All drift checks

# --- lint --------------------------------------------------------------------

.PHONY: lint
lint: deps/npm ## gofmt, go vet, staticcheck, the OpenAPI linter and the TypeScript checker
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './pwa/node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(NPM) run lint:openapi
	$(NPM) run typecheck

# --- test --------------------------------------------------------------------

.PHONY: test
test: deps/system deps/npm ## Every test, drift check and linter (CI runs this)
	@mkdir -p .data
	$(MAKE) --no-print-directory verify lint
	$(MAKE) --no-print-directory test/go
	$(MAKE) --no-print-directory test/browser
	@$(MAKE) --no-print-directory db/stop >/dev/null 2>&1

.PHONY: test/go
test/go: ## Go tests against a real PostgreSQL (private cluster in .data/test), with the race detector
	@# Build the pinned Mailpit once before the tests start it in parallel:
	@# on a fresh machine its first build takes longer than a test waits.
	@$(GO) tool mailpit --help >/dev/null 2>&1 || true
	$(GO) test -race -count=1 ./...

.PHONY: test/browser
test/browser: build ## PWA unit tests, then browser tests: the real server and headless Chromium
	$(NPM) run test:unit
	SCHALTER_BIN=$(CURDIR)/$(BIN) $(NPM) run test:e2e

.PHONY: bench
bench: build ## Load benchmarks; rewrites docs/benchmarks.md
	SCHALTER_BENCH=1 $(GO) test -count=1 -run '^TestLoadReport$$' -timeout 60m -v ./internal/loadtest

# --- housekeeping --------------------------------------------------------------

.PHONY: db/stop
db/stop: ## Stop the private PostgreSQL clusters (run and test)
	-SCHALTER_DATA_DIR=$(CURDIR)/.data $(GO) run ./cmd/schalter pg stop
	-SCHALTER_DATA_DIR=$(CURDIR)/.data/test $(GO) run ./cmd/schalter pg stop
	-SCHALTER_DATA_DIR=$(CURDIR)/.data/e2e $(GO) run ./cmd/schalter pg stop

.PHONY: clean
clean: ## Remove build output (keeps .data; see db/stop and rm -rf .data)
	rm -rf bin
	find pwa/dist -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
