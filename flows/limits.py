"""The names of the Prefect objects the local deployments rely on, which ``gmp setup-platform``
makes. Apart from the flows so that naming them does not import dbt (seconds)."""

LOCAL_POOL = "local"  # prefect.yaml's local deployments run from this process work pool
BUILD_LIMIT = "dbt-build"  # one dbt build at a time: DuckDB has a single writer
RAWG_LIMIT = "rawg-api"  # RAWG requests in flight across every flow run
DEFAULT_RAWG_LIMIT = 8
