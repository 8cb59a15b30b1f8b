# Every user-facing command of the Game Market Pipeline. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv comes from PATH, else scripts/bootstrap_uv.py fetches a pinned copy into .tools/ on first
# use with the standard library alone: PEP 668 pythons (Debian 12, Ubuntu 24.04) refuse pip.
# The sync compiles every module once: where PYTHONDONTWRITEBYTECODE is set (CI images often
# set it) Python never caches bytecode, and each process would compile prefect and dbt anew.
UV := $(or $(shell uv --version >/dev/null 2>&1 && command -v uv),$(CURDIR)/.tools/uv)
RUN := $(UV) run --frozen
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_EXTRA_LOGGERS := game_market
# Material for MkDocs prints its end-of-life banner on every build otherwise.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help env demo transform docs test test-unit test-tools bench lint format generate sandbox site site-serve

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(CURDIR)/.tools/uv: scripts/bootstrap_uv.py
	@python3 scripts/bootstrap_uv.py $@ && touch $@

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

env: .venv/.synced ## create or update the virtualenv from uv.lock

demo: .venv/.synced ## offline demo: RAWG sandbox + the last 14 days into ./data
	$(RUN) gmp demo

transform: .venv/.synced ## dbt build on DuckDB over the lake (LAKE_URL, DUCKDB_PATH)
	@mkdir -p "$$(dirname "$${DUCKDB_PATH:-./data/warehouse/game_market.duckdb}")"
	$(RUN) dbt build --project-dir transforms --profiles-dir transforms

docs: .venv/.synced ## dbt docs for the DuckDB target, in transforms/target (serve: dbt docs serve)
	@mkdir -p "$$(dirname "$${DUCKDB_PATH:-./data/warehouse/game_market.duckdb}")"
	$(RUN) dbt docs generate --project-dir transforms --profiles-dir transforms

test: .venv/.synced test-tools ## the whole test suite (unit + integration + browser)
	$(RUN) pytest

test-tools: ## Chromium, shellcheck and docker-compose for the tests, with apt where it can
	@bash scripts/install_test_tools.sh

test-unit: .venv/.synced ## unit tests only (no processes, no servers)
	$(RUN) pytest tests/unit

# Every benchmark runs and records its figures in benchmarks/results/<machine>.json; the
# benchmarks page is rewritten from them last. The target fails if any missed its goals.
bench: .venv/.synced ## benchmarks: ingest, dbt over a year, the dbt subflow, dbt at scale, gmp's fixed cost, gmp daily and gmp demo whole, the rawg-api limit's cost, a 90-day backfill under load
	@status=0; \
	$(RUN) python benchmarks/ingest.py || status=$$?; \
	$(RUN) python benchmarks/transform.py || status=$$?; \
	$(RUN) python benchmarks/dbt_subflow.py || status=$$?; \
	$(RUN) python benchmarks/scale.py || status=$$?; \
	$(RUN) python benchmarks/commands.py || status=$$?; \
	$(RUN) python benchmarks/daily.py || status=$$?; \
	$(RUN) python benchmarks/demo.py || status=$$?; \
	$(RUN) python benchmarks/rawg_limit.py || status=$$?; \
	$(RUN) python benchmarks/load.py || status=$$?; \
	$(RUN) python -m benchmarks.page; \
	exit $$status

lint: .venv/.synced ## ruff check and format check, sqlfluff on the dbt SQL, the strict docs build
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) sqlfluff lint transforms
	$(RUN) mkdocs build --strict --quiet

site: .venv/.synced ## the docs site into site/, strictly: a broken link or a missing page fails
	$(RUN) mkdocs build --strict

site-serve: .venv/.synced ## serve the docs site with live reload on http://127.0.0.1:8000
	$(RUN) mkdocs serve

format: .venv/.synced ## apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

generate: .venv/.synced ## write the files derived from the code: dbt sources, Snowflake columns, .env.example, docs/configuration.md
	$(RUN) python -m game_market.exports

sandbox: .venv/.synced ## serve the RAWG sandbox on :8765 (PORT=, GAMES=, SEED=)
	$(RUN) gmp sandbox --port $${PORT:-8765} --games $${GAMES:-5000} --seed $${SEED:-42}

# --- The local platform (docs/operations.md) -------------------------------------------------------
# `make start` runs it in Docker (docker-compose.yml); `make start-native` runs the same
# services as background processes (scripts/platform_native.sh): pids and logs in data/run.
.PHONY: start start-native down clean deploy run backfill

PREFECT_PORT ?= $(if $(GMP_SERVER_PORT),$(GMP_SERVER_PORT),4200)
COMPOSE_BIN := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# OFFLINE=1: the RAWG sandbox stands in for api.rawg.io, so the platform runs without a key.
OFFLINE ?= 0
OFFLINE_COMPOSE := -f docker-compose.yml -f docker-compose.offline.yml
COMPOSE := $(COMPOSE_BIN) $(if $(filter 1,$(OFFLINE)),$(OFFLINE_COMPOSE),-f docker-compose.yml)
LOCAL_DEPLOYMENTS := -n daily -n backfill -n backfill-releases -n ingest-day -n dbt-build -n ingest-endpoint
# RAWG requests in flight across every flow run of the platform (the `rawg-api` limit).
RAWG_API_LIMIT ?= 8
NATIVE := GMP_SERVER_PORT=$(PREFECT_PORT) RAWG_API_LIMIT=$(RAWG_API_LIMIT) OFFLINE=$(OFFLINE) $(RUN) bash scripts/platform_native.sh
# Commands that talk to the platform's API (gmp, without PREFECT_API_URL, finds or starts its own).
deploy run backfill: export PREFECT_API_URL ?= http://127.0.0.1:$(PREFECT_PORT)/api

data/.dirs:
	@mkdir -p data/postgres data/minio data/warehouse data/reports data/run
	@# The compose worker runs as uid 10001, not as you: let it write the warehouse.
	@chmod a+rwx data/warehouse data/reports
	@touch $@

.env:
	@cp .env.example .env
	@echo "Created .env from .env.example: put your RAWG_API_KEY in it (runs fail without one), or start with OFFLINE=1 to use the RAWG sandbox."

start: data/.dirs .env ## the platform in Docker: Prefect UI/API :4200, MinIO :9000/:9001, a worker (OFFLINE=1: RAWG sandbox, no key)
	@case "$(OFFLINE)" in 0|1) ;; *) echo "OFFLINE must be 0 or 1, not '$(OFFLINE)': OFFLINE=1 runs against the RAWG sandbox"; exit 2;; esac
	@docker info >/dev/null 2>&1 || { echo "No Docker engine answers here: run 'make start-native' for the same platform without Docker."; exit 1; }
	$(COMPOSE) up -d --build --wait
	$(COMPOSE) exec -T worker gmp setup-platform --rawg-limit $(RAWG_API_LIMIT)
	$(COMPOSE) exec -T worker prefect --no-prompt deploy $(LOCAL_DEPLOYMENTS)
	@echo "Prefect UI http://localhost:4200 | MinIO console http://localhost:9001 | S3 API http://localhost:9000"
	@echo "Next: make run DATE=YYYY-MM-DD, make backfill START=... END=..., make down"

start-native: .venv/.synced data/.dirs .env ## the same platform without Docker (server on SQLite, moto S3, worker; OFFLINE=1 too)
	$(NATIVE) start

down: ## stop the platform (Docker or native); data stays in ./data
	@if [ -f data/run/server.pid ]; then $(NATIVE) stop; fi
	@if docker info >/dev/null 2>&1; then $(COMPOSE_BIN) $(OFFLINE_COMPOSE) down; fi

clean: ## stop the platform and delete ./data (asks first; FORCE=1 does not)
	@if [ "$${FORCE:-0}" != 1 ]; then read -r -p "Delete ./data (lake, warehouse, server state)? [y/N] " answer; [ "$$answer" = y ] || { echo "Kept ./data."; exit 0; }; fi; \
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) down; rm -rf data; echo "Deleted ./data."

deploy: .venv/.synced ## (re)deploy the local deployments to the running platform
	@if docker info >/dev/null 2>&1 && [ ! -f data/run/server.pid ]; then \
	  $(COMPOSE) exec -T worker prefect --no-prompt deploy $(LOCAL_DEPLOYMENTS); \
	else $(RUN) prefect --no-prompt deploy $(LOCAL_DEPLOYMENTS); fi

run: .venv/.synced ## trigger the daily update (DATE=YYYY-MM-DD; default: yesterday)
	$(RUN) prefect deployment run 'daily-game-market-update/daily' $(if $(DATE),--param date=$(DATE))

backfill: .venv/.synced ## trigger a backfill: START=YYYY-MM-DD END=YYYY-MM-DD
	@[ -n "$(START)" ] && [ -n "$(END)" ] || { echo "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD"; exit 2; }
	$(RUN) prefect deployment run 'game-market-backfill/backfill' --param start_date=$(START) --param end_date=$(END)

# --- Cloud: the ECS work pool (docs/cloud.md) ------------------------------------------------
# deployments/cloud.env comes from scripts/build_and_push.sh; the rendered template is untracked.
.PHONY: cloud-render cloud-pool snowflake-block

ECS_POOL ?= ecs
CLOUD_ENV ?= deployments/cloud.env
ECS_TEMPLATE ?= deployments/ecs-base-job-template.rendered.json

cloud-render: .venv/.synced ## fill the ECS base job template from deployments/cloud.env
	$(RUN) python scripts/render_job_template.py --env-file $(CLOUD_ENV) --output $(ECS_TEMPLATE)

cloud-pool: cloud-render ## create or update the ECS work pool from it (ECS_POOL=ecs), the dbt-build and rawg-api limits
	$(RUN) prefect work-pool create $(ECS_POOL) --type ecs --base-job-template $(ECS_TEMPLATE) --overwrite
	$(RUN) gmp setup-platform --cloud --rawg-limit $(RAWG_API_LIMIT)

snowflake-block: .venv/.synced ## create or update the SnowflakeCredentials block from SNOWFLAKE_* (SNOWFLAKE_CREDENTIALS_BLOCK)
	$(RUN) gmp snowflake-block
