"""The warehouse a dbt target names, with Snowflake connections from prefect-snowflake."""

from __future__ import annotations

from pathlib import Path

from game_market.settings import Settings
from game_market.warehouse import Warehouse, check_target


def warehouse_for(target: str, settings: Settings) -> Warehouse:
    """The warehouse of a dbt target (``duckdb`` or ``snowflake``), configured from ``settings``."""
    if check_target(target) == "duckdb":
        from game_market.warehouse.duckdb_file import DuckDBWarehouse

        return DuckDBWarehouse(Path(settings.duckdb_path))
    # Imported on use: the Snowflake connector costs a second at import; DuckDB users never pay it.
    from flows.snowflake import snowflake_connector
    from game_market.warehouse.snowflake_account import SnowflakeWarehouse

    connector = snowflake_connector(settings)
    return SnowflakeWarehouse(
        account=connector.credentials.account,
        user=connector.credentials.user or "",
        database=connector.database,
        schema=connector.schema_,
        connect=lambda: connector.get_connection(paramstyle="qmark"),
    )
