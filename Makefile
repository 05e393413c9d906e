# One-Matter — the two commands a newcomer needs are `make run` and `make test`.
# Every target bootstraps the virtualenv itself.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench chaos verify-audit compose-config kubectl browser axe postgres documents clean help

help:
	@echo "make run    - start Temporal, workers, partner simulators and the web UI (sandbox)"
	@echo "make test   - the whole test suite against a real Temporal dev server"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - benchmarks against a bare-Temporal baseline (see docs/performance.md)"
	@echo "make chaos  - the quick chaos run: worker kills, restarts, faulty partners, ledgers audited"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP) documents
	$(BIN)/python -m launcher

test: $(STAMP) compose-config kubectl lint browser axe postgres documents
	$(BIN)/python -m pytest -q -p no:cacheprovider
	@# Production keeps the web's data in PostgreSQL: the web's database tests once more, on a throwaway
	@# PostgreSQL cluster (tests/platform/test_postgres.py ran the migrations and a whole scenario on it above).
	OM_TEST_POSTGRES=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/web/test_web_api.py tests/platform/test_audit.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(STAMP) documents
	$(BIN)/python -m bench

# Everything failing at once (docs/performance.md "Chaos run"); the full run is `python -m bench chaos`.
chaos: $(STAMP) documents
	$(BIN)/python -m bench chaos --quick

verify-audit: $(STAMP)
	$(BIN)/python -m audit verify $(FILE)

# Debian's package lists, fetched once however many of the targets below install something on a clean machine
# (`make test` may need five; each used to run its own `apt-get update`): skipped when this checkout fetched
# them within the hour.
APT_UPDATE := { test -n "$$(find build/.apt-updated -mmin -60 2>/dev/null)" || { apt-get update -qq && mkdir -p build && touch build/.apt-updated; }; }

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser download cannot
# work here); CJK fonts make the Chinese pages render, in the tests and in the committed screenshots.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  echo "installing chromium and fonts-noto-cjk (Debian) for the browser tests"; \
	  ($(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; }

# Accessibility: the browser tests inject axe-core (npm, pinned) into every page type and expect no
# violation (tests/browser.py's axe_violations).
AXE_VERSION := 4.11.0
axe:
	@test -f build/axe/node_modules/axe-core/axe.min.js && grep -q '"version": "$(AXE_VERSION)"' build/axe/node_modules/axe-core/package.json || { \
	  echo "installing axe-core $(AXE_VERSION) (npm) for the accessibility tests"; \
	  mkdir -p build/axe && npm install --prefix build/axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) ; }

# Court documents: Debian's Noto CJK fonts are embedded in every PDF (documents/render.py), and the
# tests check a sealed document with poppler's pdfsig and read it with pdftotext.
documents:
	@command -v pdfsig >/dev/null 2>&1 && test -d /usr/share/fonts/opentype/noto || { \
	  echo "installing poppler-utils and fonts-noto-cjk (Debian) for the court documents"; \
	  ($(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils fonts-noto-cjk >/dev/null) ; }

# PostgreSQL's server for the tests (a throwaway cluster per session, tests/pg_cluster.py); Debian keeps
# initdb and pg_ctl in /usr/lib/postgresql/<version>/bin.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  echo "installing postgresql (Debian) for the PostgreSQL tests"; \
	  ($(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) ; }

# Validates the production compose file without a Docker engine (Debian's docker-compose does that).
compose-config:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  echo "installing docker-compose (Debian) to validate docker-compose.yml"; \
	  ($(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) ; }
	@# Secrets are required at deploy time; placeholders here only let the file be checked.
	POSTGRES_PASSWORD=placeholder OM_CODEC_KEYS_JSON=placeholder OM_AUDIT_SIGNING_KEY=placeholder \
	  OM_METRICS_TOKEN=placeholder GRAFANA_ADMIN_PASSWORD=placeholder OM_TEMPORAL_JWKS_URL=placeholder \
	  OM_TEMPORAL_WEB_TOKEN=placeholder OM_TEMPORAL_WORKER_TOKEN=placeholder OM_TEMPORAL_ADMIN_TOKEN=placeholder \
	  docker-compose -f docker-compose.yml config --quiet

# Renders deploy/kubernetes/ (`kubectl kustomize`) for tests/platform/test_deploy.py, which validates the result with
# the kubernetes-validate package (dev dependency). Debian's kubernetes-client if no kubectl is installed.
kubectl:
	@command -v kubectl >/dev/null 2>&1 || { \
	  echo "installing kubernetes-client (Debian) to render the Kubernetes manifests"; \
	  ($(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null) ; }

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
