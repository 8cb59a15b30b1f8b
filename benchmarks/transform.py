"""dbt build time and memory over a year of lake, and the Parquet lake's edge over JSON.

Generates a lake exactly as the ingest lays it out (``raw/{endpoint}/dt=YYYY-MM-DD/
data.parquet`` with each endpoint's lake schema, ``_raw`` included), without the API
(``rawg_simulator.lake``): by default 1,000,000 ``games`` rows over 365 daily partitions
(~700,000 distinct games, the popular ones updated again every few days, so snapshots have
deltas), 50 ``game_details`` a day and the daily snapshots of every reference list. Then it
measures, in one run:

- the full ``dbt build`` (every model and test, as ``make transform`` runs it): wall time and
  the peak RSS of the dbt process and its children (``benchmarks/dbt_runner.py``);
- the incremental ``dbt build`` after one more day landed (~2,740 games, some seen before),
  checked against a full refresh of ``fct_game_daily_snapshots`` and of everything the
  report marts are built from (their rows must not differ either);
- staging over Parquet (the compiled ``stg_rawg__games``) against the same staging over the
  same items in a JSON lake, which keeps each API response as it came (one file per page of
  40, under dt=): median of 3 interleaved repeats, ratio = JSON / Parquet
  (``benchmarks/json_vs_parquet.py``).

Targets on 2 cores: full build <= 120 s, incremental day <= 15 s, peak RSS <= 4 GB, Parquet
>= 3x faster than JSON. The lake is cached under ./data/bench (``--regenerate`` rebuilds it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.dbt_runner import ROOT, compare_tables, run_dbt
from benchmarks.json_vs_parquet import compare_staging, compiled_staging, json_staging_sql
from rawg_simulator.lake import LakeSpec, cached_lake

CACHE = ROOT / "data" / "bench"
TARGET_FULL_S = 120.0
TARGET_INCREMENTAL_S = 15.0
TARGET_RSS_MB = 4096.0
TARGET_JSON_RATIO = 3.0
# Compared row for row between the incremental build and a full refresh of what they read.
COMPARED = (
    "fct_game_daily_snapshots",
    "mart_report_periods",
    "mart_report_genres",
    "mart_report_platforms",
    "mart_report_releases",
)


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=LakeSpec.games, help="games rows")
    parser.add_argument("--days", type=int, default=LakeSpec.days, help="daily partitions")
    parser.add_argument("--repeats", type=int, default=3, help="staging runs per format")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached lake")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated lakes live")
    args = parser.parse_args()

    spec = LakeSpec(games=args.games, days=args.days)
    print(
        f"Transform benchmark: {spec.games:,} games rows over {spec.days} daily partitions "
        f"({spec.first_day} .. {spec.last_day}), load average {_load()}"
    )
    generated, cached = cached_lake(spec, args.cache, regenerate=args.regenerate)
    print(
        f"lake: {generated.rows:,} games rows, {generated.distinct_games:,} distinct games, "
        f"{_mb(generated.parquet_bytes)} of Parquet ({_mb(generated.json_bytes)} as JSON), "
        f"generated in {generated.seconds:.1f} s"
        + (f" (cached: {generated.root})" if cached else f" into {generated.root}")
    )
    generated.remove_next_day()  # a killed earlier run may have left it in the lake

    with tempfile.TemporaryDirectory(prefix="gmp-bench-transform-") as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse.duckdb"
        full = run_dbt(work, generated.lake, warehouse, "build")
        print(f"full dbt build: {full.seconds:.1f} s, peak RSS {full.peak_mb:,.0f} MB")
        print(f"  {full.summary}; slowest: {full.top()}")
        staging_sql = compiled_staging(work)

        placed = generated.land_next_day()
        try:
            incremental = run_dbt(work, generated.lake, warehouse, "build")
            print(
                f"incremental dbt build of {spec.next_day} ({generated.next_day_rows:,} games): "
                f"{incremental.seconds:.1f} s, peak RSS {incremental.peak_mb:,.0f} MB"
            )
            print(f"  {incremental.summary}; slowest: {incremental.top()}")
            rebuilt = work / "full-refresh.duckdb"
            shutil.copyfile(warehouse, rebuilt)
            refresh = run_dbt(
                work,
                generated.lake,
                rebuilt,
                "run",
                "--full-refresh",
                "--select",
                *(f"+{table}" for table in COMPARED),
            )
        finally:
            for path in placed:
                shutil.rmtree(path, ignore_errors=True)
        print(f"full refresh of the compared tables and their parents: {refresh.seconds:.1f} s")
        compared = {table: compare_tables(warehouse, rebuilt, table) for table in COMPARED}
        for table, (inc_rows, full_rows, differing) in compared.items():
            print(
                f"  {table}: {inc_rows:,} rows incrementally, {full_rows:,} after a full "
                f"refresh, {differing} rows differ"
            )
        staging = compare_staging(staging_sql, json_staging_sql(generated.json_lake), args.repeats)
    print(
        f"staging of games: Parquet {staging.parquet_s:.2f} s ({staging.parquet_rows:,} rows), "
        f"JSON {staging.json_s:.2f} s ({staging.json_rows:,} rows), median of {args.repeats}"
    )

    peak_mb = max(full.peak_mb, incremental.peak_mb)
    checks: list[tuple[str, str, str, bool]] = [
        (
            "full dbt build",
            f"{full.seconds:.1f} s",
            f"<= {TARGET_FULL_S:.0f} s",
            full.seconds <= TARGET_FULL_S,
        ),
        (
            "incremental day",
            f"{incremental.seconds:.1f} s",
            f"<= {TARGET_INCREMENTAL_S:.0f} s",
            incremental.seconds <= TARGET_INCREMENTAL_S,
        ),
        (
            "peak RSS (dbt + children)",
            f"{peak_mb:,.0f} MB",
            f"<= {TARGET_RSS_MB:,.0f} MB",
            peak_mb <= TARGET_RSS_MB,
        ),
        (
            "staging JSON / Parquet",
            f"{staging.ratio:.1f}x",
            f">= {TARGET_JSON_RATIO:.0f}x",
            staging.ratio >= TARGET_JSON_RATIO,
        ),
        (
            "incremental = full refresh",
            f"{sum(rows[2] for rows in compared.values())} rows differ",
            f"0 in {len(COMPARED)} tables",
            all(inc == full and differing == 0 for inc, full, differing in compared.values()),
        ),
        (
            "staging rows Parquet = JSON",
            f"{staging.parquet_rows:,} / {staging.json_rows:,}",
            "equal",
            staging.parquet_rows == staging.json_rows,
        ),
    ]
    print()
    print(f"{'figure':<30}{'measured':>24}{'target':>18}{'':>7}")
    for name, measured, target, ok in checks:
        print(f"{name:<30}{measured:>24}{target:>18}{'PASS' if ok else 'MISS':>7}")
    print()
    missed = [name for name, _, _, ok in checks if not ok]
    print("targets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"load average at the end: {_load()}")
    print("Data shapes: RAWG (rawg.io).")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
