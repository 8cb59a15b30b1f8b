# Every user-facing command of the Game Market Pipeline. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv comes from PATH, or is installed with pip on first use.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_EXTRA_LOGGERS := game_market

.PHONY: help env demo transform docs test test-unit bench lint format sandbox

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
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

test: .venv/.synced ## the whole test suite (unit + integration)
	$(RUN) pytest

test-unit: .venv/.synced ## unit tests only (no servers)
	$(RUN) pytest tests/unit

# Both always run; the target fails if either missed a target.
bench: .venv/.synced ## benchmarks: ingest, then dbt over a generated year (tables of figures)
	@status=0; \
	$(RUN) python benchmarks/ingest.py || status=$$?; \
	$(RUN) python benchmarks/transform.py || status=$$?; \
	exit $$status

lint: .venv/.synced ## ruff check and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: .venv/.synced ## apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

sandbox: .venv/.synced ## serve the RAWG sandbox on :8765 (PORT=, GAMES=, SEED=)
	$(RUN) gmp sandbox --port $${PORT:-8765} --games $${GAMES:-5000} --seed $${SEED:-42}

# --- Cloud: the ECS work pool (README, "Cloud deployment") ------------------------------------
# deployments/cloud.env comes from scripts/build_and_push.sh; the rendered template is untracked.
.PHONY: cloud-render cloud-pool

ECS_POOL ?= ecs
CLOUD_ENV ?= deployments/cloud.env
ECS_TEMPLATE ?= deployments/ecs-base-job-template.rendered.json

cloud-render: .venv/.synced ## fill the ECS base job template from deployments/cloud.env
	$(RUN) python scripts/render_job_template.py --env-file $(CLOUD_ENV) --output $(ECS_TEMPLATE)

cloud-pool: cloud-render ## create or update the ECS work pool from it (ECS_POOL=ecs)
	$(RUN) prefect work-pool create $(ECS_POOL) --type ecs --base-job-template $(ECS_TEMPLATE) --overwrite
