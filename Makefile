# Two commands: `make run` serves the demo, `make test` passes the suite.
# Both set up everything they need on a fresh machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Browser tests: Debian's Chromium and axe-core from the npm registry (pinned).
CHROMIUM := /usr/bin/chromium
AXE_VERSION := 4.14.1
NODE_DIR := tests/e2e/.node
AXE_STAMP := $(NODE_DIR)/.axe-core-$(AXE_VERSION)
# The network tests run a real HLR: Debian's osmo-hlr (tests/integration/network).
OSMO_HLR := /usr/bin/osmo-hlr
SHELL_SOURCES = recovery/*.py recovery/main/*.py templates/base.html templates/main/*.html templates/macros/*.html
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po recovery/*/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-postgres test-e2e e2e-deps ops-deps screenshots lint format translations translations-update bench bench-network clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

translations: $(COMPILED)

# The worker (provisioning and notification outboxes) runs beside the server and stops with it.
# With MAIL_SERVER set (e.g. MAIL_SERVER=127.0.0.1 make run) e-mail goes over SMTP to a local
# debugging server (aiosmtpd, which prints each message here); /metrics is on too.
MAIL_PORT ?= 8025
run: $(VENV)/.runtime translations $(if $(MAIL_SERVER),$(VENV)/.dev)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
ifdef MAIL_SERVER
	@echo "e-mail: SMTP to the debugging server on $(MAIL_SERVER):$(MAIL_PORT), printed below; metrics: /metrics"
	export MAIL_PORT=$(MAIL_PORT) NOTIFICATION_BACKEND=recovery.delivery:Gateway; \
	$(BIN)/python -m aiosmtpd -n -l $(MAIL_SERVER):$(MAIL_PORT) & smtp=$$!; \
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$smtp $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)
else
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)
endif

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(AXE_STAMP):
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	rm -rf $(NODE_DIR)
	npm install --prefix $(NODE_DIR) --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION)
	touch $@

e2e-deps: $(CHROMIUM) $(AXE_STAMP)

# The SMS tests' SMSC: the npm smpp package's server (tests/integration/ops/smsc.js), pinned.
SMPP_NPM_VERSION := 0.5.1
SMSC_NODE_DIR := tests/integration/ops/.node
SMSC_STAMP := $(SMSC_NODE_DIR)/.smpp-$(SMPP_NPM_VERSION)

$(SMSC_STAMP):
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	rm -rf $(SMSC_NODE_DIR)
	npm install --prefix $(SMSC_NODE_DIR) --no-save --no-package-lock --no-audit --no-fund smpp@$(SMPP_NPM_VERSION)
	touch $@

ops-deps: $(SMSC_STAMP)

$(OSMO_HLR):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq osmo-hlr

# On PostgreSQL each test waits on the server for its fresh database, and two pytest workers
# overlap those waits (measured faster); on SQLite the suite is CPU-bound and two workers on
# two cores were slower. `make test PYTEST_PARALLEL=` runs serially anywhere.
PYTEST_PARALLEL ?= $(if $(findstring postgresql,$(TEST_DATABASE_URL)),-n 2,)

test: $(VENV)/.dev translations e2e-deps ops-deps $(OSMO_HLR)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-e2e: $(VENV)/.dev translations e2e-deps
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# Runs the browser tests and keeps their screenshots in docs/screenshots with a gallery README.
screenshots: $(VENV)/.dev translations e2e-deps
	rm -f docs/screenshots/*.png
	E2E_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -m e2e tests/e2e -q

test-postgres:
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(MAKE) test

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The shell's catalogue only: each feature keeps its own in recovery/<feature>/translations.
translations-update: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location -w 110 -o translations/messages.pot $(SHELL_SOURCES)
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 110

# The benchmark (issues 8, 16): the generator's mix of subscribers at ~1 M and ~11 M events on the
# local PostgreSQL, each figure beside its baseline from the same run (the call check's floor, a bare
# Flask route). BENCH_SCALE=small runs ~110 k and ~1.2 M in a few minutes.
# Not part of `make test` or CI. Results: bench/results/latest.{json,md}.
BENCH_SCALE ?= full
bench: $(VENV)/.dev translations $(OSMO_HLR)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "make bench needs PostgreSQL on 127.0.0.1:5432"; exit 1; }
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk could not be installed: the HTTP figures will be skipped"
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m bench.run
	$(BIN)/python -m bench.network
	$(BIN)/python -m bench.subscription_events

# Only the network figure: claim to HLR over 200 block claims (bench/network.py; needs osmo-hlr).
bench-network: $(VENV)/.dev $(OSMO_HLR)
	$(BIN)/python -m bench.network

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts $(NODE_DIR) $(SMSC_NODE_DIR)
	find . -name '*.mo' -not -path './.venv/*' -delete
