# Worker image: a Prefect worker (CMD, the compose stack), or one flow run as the ECS task image
# (the ECS worker sets the command to `prefect flow-run execute`; hence no ENTRYPOINT).
# Code, the dbt project and prefect.yaml live in /opt/prefect, where image deployments run from.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# uv, pinned: the version the lock file is written with.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
# The venv uses the base image's Python, which the final stage has at the same path; uv may
# neither download another nor keep a cache in the layer.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/prefect/.venv
WORKDIR /opt/prefect
# Dependencies first, from the lock alone: this layer changes only with uv.lock.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY game_market ./game_market
COPY rawg_simulator ./rawg_simulator
COPY gmp ./gmp
COPY flows ./flows
COPY tasks ./tasks
COPY transforms ./transforms
COPY prefect.yaml ./
# Editable on purpose: the venv points at /opt/prefect, so flows/transform.py finds
# transforms/ beside it from every entry point (gmp, prefect flow-run execute, the worker).
# A --no-editable copy in site-packages has no transforms/ next to it.
RUN uv sync --frozen --no-dev

FROM ${PYTHON_IMAGE}
RUN useradd --create-home --user-group --uid 10001 pipeline
# Code and venv stay root-owned, read-only to the runtime user. It writes only dbt's target/
# and logs/ (under the project) and ./data (the default DuckDB path); its PREFECT_HOME is
# ~/.prefect.
COPY --from=build /opt/prefect /opt/prefect
RUN mkdir -p /opt/prefect/transforms/target /opt/prefect/transforms/logs /opt/prefect/data \
    && chown pipeline:pipeline \
        /opt/prefect/transforms/target /opt/prefect/transforms/logs /opt/prefect/data
ENV PATH=/opt/prefect/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_LOGGING_EXTRA_LOGGERS=game_market \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false
WORKDIR /opt/prefect
USER pipeline
CMD ["prefect", "worker", "start", "--pool", "local", "--type", "process"]
