"""Run the dbt project's snowflake target on fakesnow (Snowflake SQL emulated on DuckDB).

Run as a script so fakesnow's patch of the Snowflake connector stays in one process:
  python snowflake_emulator.py load DB_DIR LAKE   # RAW.<ENDPOINT> tables from the lake
  python snowflake_emulator.py dbt DB_DIR ARGS... # dbt with the connector patched

fakesnow has no external tables, so `load` stands regular tables in for RAW's external tables,
with the same columns: the lake's, nested values as VARIANT (JSON), plus `dt` and `filename`.
Their refresh (`alter external table ... refresh`, dbt's on-run-start hook) succeeds without
doing anything; with FAKESNOW_DEBUG=snowflake every statement is printed to stderr.
"""

from __future__ import annotations

import sys

import duckdb
import fakesnow
import polars as pl
import snowflake.connector

from game_market.schemas import SCHEMAS

DATABASE = "GAME_MARKET"
# dbt prefixes its statements with a /* query comment */.
EXTERNAL_TABLE_REFRESH = r"\s*(/\*.*?\*/\s*)?alter external table \S+ refresh"


def load(db_dir: str, lake: str) -> None:
    with fakesnow.patch(db_path=db_dir):
        # fakesnow creates and registers the database file on connect
        snowflake.connector.connect(database=DATABASE, schema="RAW").close()
    with duckdb.connect(f"{db_dir}/{DATABASE}.db") as db:
        db.execute("create schema if not exists RAW")
        for endpoint, schema in SCHEMAS.items():
            columns = [
                f"to_json({name})::json as {name}"
                if isinstance(dtype, pl.List | pl.Struct)
                else name
                for name, dtype in schema.polars_schema.items()
            ]
            db.execute(
                f"create or replace table RAW.{endpoint.upper()} as"
                f" select {', '.join(columns)}, cast(dt as date) as dt, filename"
                f" from read_parquet('{lake}/raw/{endpoint}/dt=*/*.parquet',"
                " hive_partitioning = true, union_by_name = true, filename = true)"
            )


def run_dbt(db_dir: str, args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    with fakesnow.patch(db_path=db_dir, nop_regexes=[EXTERNAL_TABLE_REFRESH]):
        return 0 if dbtRunner().invoke(args).success else 1


if __name__ == "__main__":
    command, db_dir, *rest = sys.argv[1:]
    if command == "load":
        load(db_dir, rest[0])
        sys.exit(0)
    sys.exit(run_dbt(db_dir, rest))
