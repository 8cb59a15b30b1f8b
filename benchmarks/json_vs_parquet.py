"""Staging over the Parquet lake against the same staging over a JSON lake of the same items.

The JSON lake is the other way to land an API: each response kept as it came, one file per
page under dt=, read with ``read_json_auto`` and ``unnest(results)``. Both sides are
materialized in full (every column, as a table build does), interleaved, median of repeats.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from benchmarks.dbt_runner import run_dbt


@dataclass
class StagingComparison:
    parquet_s: float  # medians
    json_s: float
    parquet_rows: int
    json_rows: int
    repeats: int
    parquet_runs: list[float]
    json_runs: list[float]

    @property
    def ratio(self) -> float:
        """How many times slower staging over JSON is."""
        return self.json_s / self.parquet_s


def compare_staging(parquet_sql: str, json_sql: str, repeats: int) -> StagingComparison:
    """Both stagings, ``repeats`` times each, interleaved so they share the machine's load."""
    timings: dict[str, list[float]] = {"parquet": [], "json": []}
    counts: dict[str, int] = {}
    for _ in range(repeats):
        for name, sql in (("parquet", parquet_sql), ("json", json_sql)):
            seconds, counts[name] = time_staging(sql)
            timings[name].append(seconds)
    return StagingComparison(
        parquet_s=statistics.median(timings["parquet"]),
        json_s=statistics.median(timings["json"]),
        parquet_rows=counts["parquet"],
        json_rows=counts["json"],
        repeats=repeats,
        parquet_runs=timings["parquet"],
        json_runs=timings["json"],
    )


def compiled_staging(work: Path, lake: Path) -> str:
    """stg_rawg__games as dbt compiles it over `lake` for a warehouse that does not hold it
    yet: the SQL of a full build, every partition."""
    work.mkdir(parents=True, exist_ok=True)
    run_dbt(work, lake, work / "empty.duckdb", "compile", "--select", "stg_rawg__games")
    path = work / "target" / "compiled" / "game_market" / "models" / "staging"
    return (path / "stg_rawg__games.sql").read_text()


def json_staging_sql(json_lake: Path) -> str:
    """stg_rawg__games over the JSON lake: the same columns, read from the raw responses."""
    return f"""
with

pages as (

    select results, dt from read_json_auto(
        '{json_lake}/games/dt=*/*.json', hive_partitioning = true, format = 'unstructured'
    )

),

source as (

    select item.*, dt from (select unnest(results) as item, dt from pages)

),

renamed as (

    select
        id as game_id,
        slug as game_slug,
        name as game_name,
        try_cast(released as date) as released_on,
        tba as is_tba,
        try_cast(updated as timestamp) as updated_at,
        try_cast(rating as double) as rating,
        rating_top,
        ratings_count,
        reviews_text_count,
        reviews_count,
        added as added_count,
        metacritic as metacritic_score,
        playtime as playtime_hours,
        suggestions_count,
        cast(esrb_rating.slug as varchar) as esrb_rating_slug,
        cast(esrb_rating.name as varchar) as esrb_rating_name,
        platforms,
        genres,
        stores,
        tags,
        try_cast(dt as date) as dt

    from source
    where id is not null
    qualify row_number() over (partition by id, dt order by updated desc) = 1

)

select * from renamed
"""


def time_staging(sql: str) -> tuple[float, int]:
    """Seconds to materialize `sql` (every column, as a table build does), and its rows."""
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"create temp table staged as {sql}")
    seconds = time.perf_counter() - started
    row = con.execute("select count(*) from staged").fetchone()
    con.close()
    assert row is not None
    return seconds, int(row[0])


def staged_rows(sql: str) -> pl.DataFrame:
    """The rows of `sql` (for checks at small scale: they travel through Python objects)."""
    con = duckdb.connect()
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description or []]
    rows = cursor.fetchall()
    con.close()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
