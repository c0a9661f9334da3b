# Waypoint: `make demo` sets up and runs the demo district; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/waypoint
STAMP := $(VENV)/.installed

.PHONY: demo setup test lint typecheck layers check-deploy test-sqlite test-postgres bench-smoke lock system

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Waypoint needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/waypoint demo

system:
	bash .ci/system-deps

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

layers: setup
	$(BIN)/lint-imports

check-deploy: setup
	SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') DEBUG=0 WAYPOINT_HTTPS=1 \
	ALLOWED_HOSTS=waypoint.example.org $(BIN)/waypoint check --deploy --fail-level WARNING

test-sqlite: setup node_modules/.package-lock.json
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: setup node_modules/.package-lock.json
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --create-db

bench-smoke: setup
	$(BIN)/python bench/demo_scale.py --smoke
	$(BIN)/python bench/bkt_vs_pybkt.py --smoke
	$(BIN)/python bench/oneroster_import.py --smoke > /dev/null
	$(BIN)/python bench/growth_vs_r.py --smoke
	$(BIN)/python bench/xapi_post.py --smoke > /dev/null
	$(BIN)/python bench/classroom_load.py --smoke > /dev/null
	$(BIN)/python bench/equity_reports.py --smoke
	$(BIN)/python bench/reach_optimizer.py --smoke

test: system setup lint typecheck layers check-deploy test-sqlite test-postgres bench-smoke

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock.new
	{ head -2 requirements.lock; cat requirements.lock.new; } > requirements.lock.tmp && rm requirements.lock.new
	mv requirements.lock.tmp requirements.lock
