# Worker image: runs a Prefect worker, or a single flow run as an ECS task.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/prefect/.venv
RUN pip install --no-cache-dir uv
WORKDIR /opt/prefect
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY game_market ./game_market
COPY flows ./flows
COPY tasks ./tasks
COPY transforms ./transforms
COPY prefect.yaml ./
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 pipeline
COPY --from=build --chown=pipeline:pipeline /opt/prefect /opt/prefect
ENV PATH=/opt/prefect/.venv/bin:$PATH \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_LOGGING_EXTRA_LOGGERS=game_market
WORKDIR /opt/prefect
USER pipeline
CMD ["prefect", "worker", "start", "--pool", "local", "--type", "process"]
