"""Lakes and warehouses compared for what they hold, not for when or by which run it landed:
the chaos and crash tests' measure of "the same as a clean, uninterrupted run"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from game_market.endpoints import of_a_day
from game_market.lake import Lake

BOOKKEEPING = ["_ingested_at", "_run_id", "_page", "_pos"]


def partition(lake: Lake, endpoint: str, day: date) -> pl.DataFrame:
    with lake.fs.open(f"{lake.partition_dir(endpoint, day)}/data.parquet", "rb") as handle:
        frame = pl.read_parquet(handle)
    return frame.drop(BOOKKEEPING).sort("id")


def assert_same_lake(expected: Lake, actual: Lake) -> None:
    """Every partition of ``expected`` is in ``actual``, complete, with the same rows (ids and
    every typed column) and no gap; ``actual`` has no partition more."""
    for endpoint in of_a_day():
        days = expected.partitions(endpoint)
        assert days and actual.partitions(endpoint) == days, endpoint
        for day in days:
            rows = partition(expected, endpoint, day)
            assert actual.is_complete(endpoint, day), (endpoint, day)
            assert partition(actual, endpoint, day).equals(rows), (endpoint, day)
            manifest = actual.read_manifest(endpoint, day)
            assert manifest is not None and manifest.gap == 0 and manifest.rows == rows.height


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table dbt built, row for row, but for when and by which run rows landed; rows
    in order of their values."""
    lineage = [*BOOKKEEPING, "landed_since"]
    with duckdb.connect(str(warehouse), read_only=True) as db:
        columns: dict[str, list[str]] = {}
        for table, column in db.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' "
            "and not internal order by table_name, column_index"
        ).fetchall():
            if column not in lineage:
                columns.setdefault(table, []).append(f'"{column}"')
        return {
            table: [
                tuple(_settled(value) for value in row)
                for row in db.execute(
                    f"select {', '.join(kept)} from main.{table} order by all"
                ).fetchall()
            ]
            for table, kept in columns.items()
        }


def _settled(value: object) -> object:
    """A float to 12 significant digits: DuckDB sums in parallel, in no fixed order, so an
    average can differ in its last bit between two builds of the same rows."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def assert_same_marts(expected: Path, actual: Path) -> None:
    want, got = marts(expected), marts(actual)
    assert set(got) == set(want) and len(want) > 20
    for table, rows in want.items():
        assert got[table] == rows, table
