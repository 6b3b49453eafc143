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
SHELL_SOURCES = recovery/*.py recovery/main/*.py templates/base.html templates/main/*.html templates/macros/*.html
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po recovery/*/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-postgres test-e2e e2e-deps screenshots lint format translations translations-update bench clean

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

run: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(AXE_STAMP):
	command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	rm -rf $(NODE_DIR)
	npm install --prefix $(NODE_DIR) --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION)
	touch $@

e2e-deps: $(CHROMIUM) $(AXE_STAMP)

# On PostgreSQL each test waits on the server for its fresh database, and two pytest workers
# overlap those waits (measured faster); on SQLite the suite is CPU-bound and two workers on
# two cores were slower. `make test PYTEST_PARALLEL=` runs serially anywhere.
PYTEST_PARALLEL ?= $(if $(findstring postgresql,$(TEST_DATABASE_URL)),-n 2,)

test: $(VENV)/.dev translations e2e-deps
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

# The benchmark (issue 8): the ledger at 1 M and 10 M events on the local PostgreSQL, each figure
# beside its baseline from the same run. BENCH_SCALE=small runs 100 k and 1 M in a few minutes.
# Not part of `make test` or CI. Results: bench/results/latest.{json,md}.
BENCH_SCALE ?= full
bench: $(VENV)/.dev translations
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "make bench needs PostgreSQL on 127.0.0.1:5432"; exit 1; }
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk could not be installed: the HTTP figures will be skipped"
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts $(NODE_DIR)
	find . -name '*.mo' -not -path './.venv/*' -delete
