"""Run the dbt project's snowflake target on fakesnow (Snowflake SQL emulated on DuckDB).

Run as a module from the repository root, so fakesnow's patch of the Snowflake connector
stays in one process (as a script, this folder's dbt.py would shadow dbt):
  python -m tests.support.snowflake_emulator load DB_DIR LAKE          # RAW.<ENDPOINT> tables
  python -m tests.support.snowflake_emulator dbt DB_DIR ARGS...        # dbt, connector patched
  python -m tests.support.snowflake_emulator report DB_DIR OUT [DATE]  # the report, pickled

fakesnow has no external tables, so `load` stands regular tables in for RAW's external tables,
with the same columns: the lake's, nested values as VARIANT (JSON), plus `dt` and `filename`.
Their refresh (`alter external table ... refresh`, dbt's on-run-start hook) succeeds without
doing anything; with FAKESNOW_DEBUG=snowflake every statement is printed to stderr.
"""

from __future__ import annotations

import atexit
import datetime
import pickle
import shutil
import sys

import duckdb
import fakesnow
import polars as pl
import snowflake.connector

from flows.warehouse import warehouse_for
from game_market.endpoints import SCHEMAS
from game_market.report import build_report
from game_market.settings import load_settings

# fakesnow makes a folder for its stages in the temp folder on import, and leaves it there.
atexit.register(shutil.rmtree, fakesnow.transforms.stage.LOCAL_BUCKET_PATH, True)

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
            files = f"{lake}/raw/{endpoint}/dt=*/*.parquet"
            source = (
                f"read_parquet('{files}', hive_partitioning = true, union_by_name = true,"
                " filename = true)"
            )
            if db.execute(f"select count(*) from glob('{files}')").fetchall()[0][0] == 0:
                # An external table over no file is empty (game_releases before a backfill).
                empty = pl.DataFrame(schema={**schema.polars_schema, "dt": pl.Date})
                source = f"no_files_{endpoint}"
                db.register(source, empty.with_columns(filename=pl.lit(None, pl.String)).to_arrow())
            db.execute(
                f"create or replace table RAW.{endpoint.upper()} as"
                f" select {', '.join(columns)}, cast(dt as date) as dt, filename from {source}"
            )


def run_dbt(db_dir: str, args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    with fakesnow.patch(db_path=db_dir, nop_regexes=[EXTERNAL_TABLE_REFRESH]):
        return 0 if dbtRunner().invoke(args).success else 1


def report(db_dir: str, out: str, day: str | None) -> None:
    """The report the snowflake target's code path reads, from the SNOWFLAKE_* settings."""
    with fakesnow.patch(db_path=db_dir):
        warehouse = warehouse_for("snowflake", load_settings())
        built = build_report(warehouse, datetime.date.fromisoformat(day) if day else None)
    with open(out, "wb") as file:
        pickle.dump(built, file)


if __name__ == "__main__":
    command, db_dir, *rest = sys.argv[1:]
    if command == "load":
        load(db_dir, rest[0])
        sys.exit(0)
    if command == "report":
        report(db_dir, rest[0], rest[1] if len(rest) > 1 else None)
        sys.exit(0)
    sys.exit(run_dbt(db_dir, rest))
