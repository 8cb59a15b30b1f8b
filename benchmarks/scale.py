"""How the warehouse build grows with the lake: full build and one incremental day at 1M, 3M
and 10M games rows (a year, three and ten years of ~2,740 games a day).

For each size: a lake generated as the transform benchmark's (Parquet only, cached under
./data/bench), a full ``dbt build`` into an empty warehouse, one more day landed and the
incremental build (``benchmarks/dbt_runner.py``): wall time and the peak RSS of dbt and its
children, ``--repeats`` pairs per size (3), their medians printed as a table. Goals: time
grows no faster than the rows (seconds per million rows at the largest size no more than at
the smallest), and peak RSS <= 4 GB at every size: DuckDB's memory_limit (profiles.yml,
DUCKDB_MEMORY_LIMIT) makes it spill to disk instead of growing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.dbt_runner import ROOT, BuildPairs, build_pairs
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
    smallest, largest = min(results), max(results)
    per_million = {rows: results[rows].full_s / (rows / 1e6) for rows in (smallest, largest)}
    checks = [
        (
            "full build s per 1M rows",
            f"{per_million[largest]:.1f} at {largest:,} vs {per_million[smallest]:.1f}",
            per_million[largest] <= per_million[smallest],
        ),
        (
            "incremental day grows",
            f"{results[largest].incremental_s:.1f} s vs {results[smallest].incremental_s:.1f} s",
            results[largest].incremental_s / results[smallest].incremental_s <= largest / smallest,
        ),
        (
            "peak RSS at every size",
            f"{max(pair.peak_mb for pair in results.values()):,.0f} MB",
            all(pair.peak_mb <= TARGET_RSS_MB for pair in results.values()),
        ),
    ]
    print()
    for name, measured, ok in checks:
        print(f"{name:<28}{measured:>40}  {'PASS' if ok else 'MISS'}")
    print("Data shapes: RAWG (rawg.io).")
    return 0 if all(ok for _, _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
