"""How the warehouse build grows with the lake: full build and one incremental day at 1M, 3M
and 10M games rows (a year, three and ten years of ~2,740 games a day).

For each size: a lake generated as the transform benchmark's (Parquet only, cached under
./data/bench), a full ``dbt build`` into an empty warehouse, one more day landed and the
incremental build (``benchmarks/dbt_runner.py``): wall time and the peak RSS of dbt and its
children, ``--repeats`` pairs per size (3), their medians printed as a table. Goals: time
grows no faster than the rows (seconds per million rows at the largest size no more than at
the smallest), and peak RSS <= 4 GB at every size: DuckDB's memory_limit (profiles.yml,
DUCKDB_MEMORY_LIMIT) makes it spill to disk instead of growing. The figures go to the
machine's results file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.dbt_runner import ROOT, BuildPairs, build_pairs
from benchmarks.results import Goal, Recording, is_standard
from rawg_simulator.lake import LakeSpec, cached_lake

ROWS_PER_DAY = 2_740
TARGET_RSS_MB = 4096.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,3000000,10000000", help="games rows")
    parser.add_argument("--cache", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--repeats", type=int, default=3, help="build pairs per size")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    recording = Recording("scale")
    results: dict[int, BuildPairs] = {}
    for rows in sizes:
        spec = LakeSpec(games=rows, days=max(1, round(rows / ROWS_PER_DAY)))
        generated, cached = cached_lake(spec, args.cache, regenerate=False, with_json=False)
        origin = f"generated in {generated.seconds:.0f} s"
        if cached:
            origin = f"cached in {generated.root}"
        print(
            f"{rows:,} rows over {spec.days} days: lake {origin}, load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="gmp-bench-scale-") as tmp:
            warehouse = Path(tmp) / "warehouse" / "game_market.duckdb"
            try:
                results[rows] = build_pairs(Path(tmp), generated, warehouse, args.repeats)
            finally:
                generated.remove_next_day()
        pair = results[rows]
        fulls = ", ".join(f"{run.seconds:.1f}" for run in pair.full)
        incrementals = ", ".join(f"{run.seconds:.1f}" for run in pair.incremental)
        print(f"  full {fulls} s; incremental {incrementals} s", flush=True)

    print(f"\nmedians of {args.repeats} pairs; peak RSS: the highest of them")
    header = f"{'games rows':>12}{'full build':>12}{'peak RSS':>10}{'incremental':>13}"
    print(f"{header}{'peak RSS':>10}")
    for rows, pair in results.items():
        full_mb = max(run.peak_mb for run in pair.full)
        incremental_mb = max(run.peak_mb for run in pair.incremental)
        print(
            f"{rows:>12,}{pair.full_s:>10.1f} s{full_mb:>7,.0f} MB"
            f"{pair.incremental_s:>11.1f} s{incremental_mb:>7,.0f} MB"
        )
    record(recording, results)
    print()
    for figure in recording.figures[3 * len(results) :]:
        print(f"{figure.name:<56}{figure.value:>8.2f}  {figure.verdict}")
    print("Data shapes: RAWG (rawg.io).")
    recording.write(is_standard(parser, args))
    return 1 if recording.missed else 0


def record(recording: Recording, results: dict[int, BuildPairs]) -> None:
    """Each size's medians, then how the largest size grew against the smallest: ratios of
    the runs in their order (sizes are measured one after another, not interleaved)."""
    rss_goal = Goal("<=", TARGET_RSS_MB)
    for rows, pair in results.items():
        recording.add(f"full build, {rows:,} rows", [run.seconds for run in pair.full], "s")
        recording.add(
            f"incremental day, {rows:,} rows", [run.seconds for run in pair.incremental], "s"
        )
        peaks = [
            max(a.peak_mb, b.peak_mb) for a, b in zip(pair.full, pair.incremental, strict=True)
        ]
        recording.add(f"peak RSS, {rows:,} rows", peaks, "MB", rss_goal)
    smallest, largest = results[min(results)], results[max(results)]
    growth = max(results) / min(results)
    full = [
        big.seconds / small.seconds for big, small in zip(largest.full, smallest.full, strict=True)
    ]
    recording.add(
        "full build per million rows, largest / smallest size",
        [ratio / growth for ratio in full],
        "",
        Goal("<=", 1),
    )
    incremental = zip(largest.incremental, smallest.incremental, strict=True)
    recording.add(
        "incremental day, largest / smallest size",
        [big.seconds / small.seconds for big, small in incremental],
        "x",
        Goal("<=", growth),
    )


if __name__ == "__main__":
    sys.exit(main())
