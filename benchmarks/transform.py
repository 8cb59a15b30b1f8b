"""dbt build time and memory over a year of lake, and the Parquet lake's edge over JSON.

Generates a lake exactly as the ingest lays it out (``raw/{endpoint}/dt=YYYY-MM-DD/
data.parquet`` with each endpoint's lake schema, ``_raw`` included), without the API
(``rawg_simulator.lake``): by default 1,000,000 ``games`` rows over 365 daily partitions
(~700,000 distinct games, the popular ones updated again every few days, so snapshots have
deltas), 50 ``game_details`` a day and the daily snapshots of every reference list. Then it
measures, in one run:

- the full ``dbt build`` (every model and test, as ``make transform`` runs it) into an empty
  warehouse, then one more day landed (~2,740 games, some seen before) and the incremental
  ``dbt build`` over it, as the daily run does: ``--repeats`` pairs, medians, with the peak
  RSS of the dbt process and its children (``benchmarks/dbt_runner.py``). Every build reads
  the project back from dbt's partial parse, as a user's builds do;
- every table of the incremental warehouse against the same models built from nothing over
  the same lake, row for row;
- staging over Parquet (the compiled ``stg_rawg__games``) against the same staging over the
  same items in a JSON lake, which keeps each API response as it came (one file per page of
  40, under dt=): median of ``--repeats`` interleaved runs, ratio = JSON / Parquet
  (``benchmarks/json_vs_parquet.py``).

Targets on 2 cores: full build <= 120 s, an incremental day <= 0.2 of the full build, peak
RSS <= 4 GB, Parquet >= 3x faster than JSON, no row differing from the rebuild. The lake is
cached under ./data/bench (``--regenerate`` rebuilds it). Figures are medians of the repeats,
ratios taken run by run; they go to the machine's results file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.dbt_runner import ROOT, BuildPairs, build_pairs, refresh_and_compare
from benchmarks.json_vs_parquet import (
    StagingComparison,
    compare_staging,
    compiled_staging,
    json_staging_sql,
)
from benchmarks.results import (
    Goal,
    Recording,
    import_prefect_seconds,
    is_standard,
    machine_goal,
)
from rawg_simulator.lake import GeneratedLake, LakeSpec, cached_lake

CACHE = ROOT / "data" / "bench"
TARGET_FULL_S = 120.0
TARGET_SET_AT_IMPORT_S = 1.05  # `import prefect` on the machine the goal was set on
# An incremental day costs at most this share of the full build, medians of one run.
TARGET_INCREMENTAL_SHARE = 0.2
TARGET_RSS_MB = 4096.0
TARGET_JSON_RATIO = 3.0


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=LakeSpec.games, help="games rows")
    parser.add_argument("--days", type=int, default=LakeSpec.days, help="daily partitions")
    parser.add_argument(
        "--repeats", type=int, default=3, help="full + incremental builds, staging runs per format"
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached lake")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated lakes live")
    args = parser.parse_args()

    spec = LakeSpec(games=args.games, days=args.days)
    recording = Recording("transform", import_prefect_seconds(repeats=3))
    print(
        f"Transform benchmark: {spec.games:,} games rows over {spec.days} daily partitions "
        f"({spec.first_day} .. {spec.last_day}), load average {_load()}"
    )
    generated = lake(spec, args.cache, args.regenerate)
    pairs, compared, staging = measure(spec, generated, args.repeats)
    record(recording, pairs, compared, staging)
    print()
    print(f"{'figure':<48}{'median':>12}{'goal':>10}{'':>6}")
    for figure in recording.figures:
        goal = "" if figure.goal is None else f"{figure.goal.op} {figure.goal.limit:g}"
        print(f"{figure.name:<48}{figure.value:>12.2f}{goal:>10}{figure.verdict or '':>6}")
    print()
    missed = recording.missed
    print("targets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"load average at the end: {_load()}")
    print("Data shapes: RAWG (rawg.io).")
    recording.write(is_standard(parser, args))
    return 1 if missed else 0


def lake(spec: LakeSpec, cache: Path, regenerate: bool) -> GeneratedLake:
    """The spec's lake, cached or generated, without its next day."""
    generated, cached = cached_lake(spec, cache, regenerate=regenerate)
    print(
        f"lake: {generated.rows:,} games rows, {generated.distinct_games:,} distinct games, "
        f"{_mb(generated.parquet_bytes)} of Parquet ({_mb(generated.json_bytes)} as JSON), "
        f"generated in {generated.seconds:.1f} s"
        + (f" (cached: {generated.root})" if cached else f" into {generated.root}")
    )
    generated.remove_next_day()  # a killed earlier run may have left it in the lake
    return generated


def measure(
    spec: LakeSpec, generated: GeneratedLake, repeats: int
) -> tuple[BuildPairs, dict[str, tuple[int, int, int]], StagingComparison]:
    """The builds, the incremental warehouse against a rebuild, and staging over Parquet
    against JSON, each printed as it is measured."""
    with tempfile.TemporaryDirectory(prefix="gmp-bench-transform-") as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse" / "game_market.duckdb"
        staging_sql = compiled_staging(work / "compile", generated.lake)
        try:
            pairs = build_pairs(work, generated, warehouse, repeats)
            print_builds(spec, generated, pairs)
            compared = refresh_and_compare(work, generated, warehouse)
        finally:
            generated.remove_next_day()
        print(f"incremental against a full refresh, {len(compared)} tables:")
        for table, (inc_rows, full_rows, differing) in compared.items():
            print(f"  {table}: {inc_rows:,} rows, {full_rows:,} rebuilt, {differing} differ")
        staging = compare_staging(staging_sql, json_staging_sql(generated.json_lake), repeats)
    print(
        f"staging of games: Parquet {staging.parquet_s:.2f} s ({staging.parquet_rows:,} rows), "
        f"JSON {staging.json_s:.2f} s ({staging.json_rows:,} rows), median of {repeats}"
    )
    return pairs, compared, staging


def print_builds(spec: LakeSpec, generated: GeneratedLake, pairs: BuildPairs) -> None:
    for n, (full, incremental) in enumerate(zip(pairs.full, pairs.incremental, strict=True), 1):
        print(
            f"run {n}: full dbt build {full.seconds:.1f} s (peak RSS "
            f"{full.peak_mb:,.0f} MB), incremental build of {spec.next_day} "
            f"({generated.next_day_rows:,} games) {incremental.seconds:.1f} s "
            f"(peak RSS {incremental.peak_mb:,.0f} MB), load average {_load()}"
        )
    full, incremental = pairs.full[-1], pairs.incremental[-1]
    print(f"  full: {full.summary}; slowest: {full.top()}")
    print(f"  incremental: {incremental.summary}; slowest: {incremental.top()}")


def record(
    recording: Recording,
    pairs: BuildPairs,
    compared: dict[str, tuple[int, int, int]],
    staging: StagingComparison,
) -> None:
    full = [run.seconds for run in pairs.full]
    incremental = [run.seconds for run in pairs.incremental]
    import_s = recording.import_prefect_s
    assert import_s is not None
    full_goal = machine_goal("<=", TARGET_FULL_S, TARGET_SET_AT_IMPORT_S, import_s)
    recording.add("full dbt build, 1M games rows", full, "s", full_goal)
    recording.add("incremental dbt build, one more day", incremental, "s")
    recording.add(
        "incremental day / full build",
        [inc / whole for inc, whole in zip(incremental, full, strict=True)],
        "",
        Goal("<=", TARGET_INCREMENTAL_SHARE),
    )
    recording.add(
        "peak RSS of dbt and its children",
        [max(a.peak_mb, b.peak_mb) for a, b in zip(pairs.full, pairs.incremental, strict=True)],
        "MB",
        Goal("<=", TARGET_RSS_MB),
    )
    # A table whose row counts differ counts as differing even where no row sets differ.
    differing = sum(differ + abs(inc - whole) for inc, whole, differ in compared.values())
    recording.add(
        "rows differing, incremental against a rebuild",
        [differing],
        "rows",
        Goal("==", 0),
        exact=True,
    )
    recording.add(
        "staging of games, JSON / Parquet",
        [j / p for j, p in zip(staging.json_runs, staging.parquet_runs, strict=True)],
        "x",
        Goal(">=", TARGET_JSON_RATIO),
    )
    recording.add(
        "staged rows differing, JSON against Parquet",
        [abs(staging.json_rows - staging.parquet_rows)],
        "rows",
        Goal("==", 0),
        exact=True,
    )


if __name__ == "__main__":
    sys.exit(main())
