# Portside: every target sets up what it needs, and re-running one is safe and quick.
#   make run    create .venv, install, migrate, load demo data, serve on 127.0.0.1:8000
#   make test   the whole suite (SQLite; set DATABASE_URL=postgres://... for PostgreSQL)
#   make run-before   the classic Django version of the same shop on 127.0.0.1:8001

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
MANAGE := $(BIN)/python manage.py
PYTEST := $(BIN)/pytest
# Let Python cache bytecode even where the environment turns it off: without the
# cache every run recompiles the test plugins, and the unit suite takes seconds.
unexport PYTHONDONTWRITEBYTECODE
HOST ?= 127.0.0.1
PORT ?= 8000
BEFORE_PORT ?= 8001
# The before version keeps its own databases (BEFORE_DATABASE_URL to choose another).
BEFORE_ENV := DJANGO_SETTINGS_MODULE=before.settings \
	DATABASE_URL=$${BEFORE_DATABASE_URL-sqlite:///$(CURDIR)/var/before.sqlite3} \
	SANDBOX_DATABASE_URL=$${BEFORE_SANDBOX_DATABASE_URL-sqlite:///$(CURDIR)/var/before-sandbox.sqlite3}

# Targets about the before version say so plainly where before/ is not in the tree (the
# last branch of the refactoring walk, `make branches`).
need_before = @test -d before || { echo "This tree has no before/: $@ needs the before version; run it on main." >&2; exit 1; }

# A Python 3.12 or newer: python3.13, python3.12, python3, then any pyenv 3.12+ install.
find_python = for candidate in python3.13 python3.12 python3 \
	$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    "$$candidate" -c 'import sys; print(sys.executable)'; break; fi; done

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@python="$$($(find_python))"; \
	if [ -z "$$python" ]; then \
	  echo "Portside needs Python 3.12 or newer (Django 6.1 does)." >&2; \
	  echo "Tried python3.13, python3.12, python3 and pyenv's versions; install one and run make again." >&2; \
	  exit 1; fi; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

.PHONY: install
install: $(STAMP) ## create .venv and install the pinned requirements

.PHONY: migrate
migrate: install ## apply database migrations
	@mkdir -p var
	$(MANAGE) migrate --no-input
	$(MANAGE) migrate --no-input --database sandbox

.PHONY: demo-data
demo-data: migrate ## load the demo listings, slots, customer, staff and partner (idempotent)
	$(MANAGE) load_demo_data
	PORTSIDE_BASE_URL=$${PORTSIDE_BASE_URL-http://$(HOST):$(PORT)} $(MANAGE) load_demo_partner

.PHONY: run
run: demo-data ## serve the after (hexagonal) version on 127.0.0.1:8000
	WEBHOOK_ALLOWED_HOSTS=$${WEBHOOK_ALLOWED_HOSTS-127.0.0.1,localhost} \
	PORTSIDE_BASE_URL=$${PORTSIDE_BASE_URL-http://$(HOST):$(PORT)} \
	  $(MANAGE) runserver $(HOST):$(PORT)

.PHONY: run-before
run-before: install ## serve the before (classic Django) version on 127.0.0.1:8001, its own database
	$(need_before)
	@mkdir -p var
	$(BEFORE_ENV) $(MANAGE) migrate --no-input
	$(BEFORE_ENV) $(MANAGE) migrate --no-input --database sandbox
	$(BEFORE_ENV) $(MANAGE) load_demo_data
	$(BEFORE_ENV) WEBHOOK_ALLOWED_HOSTS=$${WEBHOOK_ALLOWED_HOSTS-127.0.0.1,localhost} \
	PORTSIDE_BASE_URL=$${PORTSIDE_BASE_URL-http://$(HOST):$(BEFORE_PORT)} \
	  $(MANAGE) runserver $(HOST):$(BEFORE_PORT)

# The unit suite runs without pytest-django, which proves it needs no Django at all.
# No third-party plugin loads (each costs start-up time and serves no unit test), no
# log capture wraps each test (no unit test logs) and no cache is written: the suite
# runs in under a second. The domain's Hypothesis properties run the same way.
PURE := $(PYTEST) --disable-plugin-autoload -p no:cacheprovider -p no:logging

.PHONY: test
test: install ## the whole suite: unit and properties (no Django, no database), everything else, the before version's own
	$(PURE) tests/unit tests/properties
	$(PYTEST) tests --ignore=tests/unit --ignore=tests/properties --ignore=tests/branches
	@if [ -d before ]; then echo "$(PYTEST) before --ds=before.settings"; $(PYTEST) before --ds=before.settings; fi

.PHONY: test-unit
test-unit: install ## only the unit suite: domain and use cases against fakes, under a second
	$(PURE) tests/unit

.PHONY: test-properties
test-properties: install ## the domain's properties, explored by Hypothesis (more examples when CI is set)
	$(PURE) tests/properties

.PHONY: branches
branches: ## the refactoring of docs/refactoring.md as branches refactor/0-before .. refactor/10-after
	@test -f docs/refactoring/branches.py || { echo "This tree has no docs/refactoring/: make branches runs on main." >&2; exit 1; }
	@python="$$($(find_python))"; "$${python:-python3}" docs/refactoring/branches.py

.PHONY: test-branches
test-branches: install ## make the branches in a temporary clone; every step's make test and the acceptance suite
	$(PYTEST) tests/branches

.PHONY: acceptance
acceptance: install ## the black-box HTTP suite against both versions, each under gunicorn
	$(PYTEST) tests/acceptance

.PHONY: compare
compare: install ## measure before against after: code, a new format, tests, queries, latency
	$(need_before)
	$(BIN)/python -m tests.measure.compare

.PHONY: measure-steps
measure-steps: install ## per branch of make branches: lines per layer, unit tests, queries of a hold, acceptance
	$(BIN)/python -m tests.measure.steps

.PHONY: bench
bench: install ## load both versions alike on PostgreSQL with wrk: req/s, p50, p99, after/before
	$(need_before)
	$(BIN)/python -m tests.measure.bench

.PHONY: bench-relay
bench-relay: install ## partner deliveries/s for 1 and 2 workers as compose runs them, slow receiver, commit-to-receipt
	$(BIN)/python -m tests.measure.bench_relay

.PHONY: lint
lint: install ## ruff, mypy --strict on domain/ and application/, import-linter contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	@if [ -d before ]; then echo "$(BIN)/lint-imports before/importlinter.toml"; $(BIN)/lint-imports before/importlinter.toml; fi

.PHONY: fmt
fmt: install ## format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: lock
lock: ## re-pin requirements/*.txt from requirements/*.in in throwaway environments
	@set -e; python="$$($(find_python))"; for name in base dev; do \
	  rm -rf .lock-venv; "$$python" -m venv .lock-venv; \
	  .lock-venv/bin/pip install --quiet -r requirements/$$name.in; \
	  { echo "# Exact pins. Regenerate with: make lock"; .lock-venv/bin/pip freeze --exclude-editable; } > requirements/$$name.txt; \
	done; rm -rf .lock-venv

.PHONY: clean
clean: ## remove the virtualenv, the SQLite database and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
