"""dbt as the transform benchmark runs it: timed, its peak memory measured, its results read.

Each run goes through a fresh child process (this file, run as a script), so the peak RSS of
its children is dbt's alone.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from rawg_simulator.lake import GeneratedLake
from tools.compare_marts import compare_relation

ROOT = Path(__file__).resolve().parents[1]
TRANSFORMS = ROOT / "transforms"
DBT = Path(sys.executable).parent / "dbt"


@dataclass
class DbtRun:
    seconds: float
    peak_mb: float
    summary: str
    slowest: list[tuple[float, str]]  # (seconds, node) from run_results.json, slowest first

    def top(self, n: int = 5) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for seconds, name in self.slowest[:n])


def run_dbt(work: Path, lake: Path, warehouse: Path, *args: str) -> DbtRun:
    """`dbt <args>` on DuckDB over `lake`, as `make transform` runs it, timed and measured."""
    log = work / f"dbt-{time.monotonic_ns()}.log"
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(TRANSFORMS),
        "--profiles-dir",
        str(TRANSFORMS),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    env = {
        **os.environ,
        "LAKE_URL": str(lake),
        "DUCKDB_PATH": str(warehouse),
        "DBT_TARGET": "duckdb",
    }
    # `dbt parse` writes no results: none may be read from an earlier command.
    (work / "target" / "run_results.json").unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, __file__, str(log), *command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    text = log.read_text()
    if result["code"] != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{text[-4000:]}")
    done = [line for line in text.splitlines() if "Done. PASS=" in line]
    summary = done[-1].split("Done. ", 1)[1].strip() if done else ""
    results_file = work / "target" / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    slowest = sorted(
        ((r["execution_time"], _node_name(r["unique_id"])) for r in results), reverse=True
    )
    return DbtRun(result["seconds"], result["peak_mb"], summary, slowest)


@dataclass
class BuildPairs:
    """Full builds from nothing and incremental builds of one more day on top of each."""

    full: list[DbtRun] = field(default_factory=list)
    incremental: list[DbtRun] = field(default_factory=list)

    @property
    def full_s(self) -> float:
        return statistics.median(run.seconds for run in self.full)

    @property
    def incremental_s(self) -> float:
        return statistics.median(run.seconds for run in self.incremental)

    @property
    def ratio(self) -> float:
        """What an incremental day costs, as a share of the full build (medians)."""
        return self.incremental_s / self.full_s

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in [*self.full, *self.incremental])


def build_pairs(work: Path, generated: GeneratedLake, warehouse: Path, repeats: int) -> BuildPairs:
    """`repeats` times: a full build into an empty `warehouse`, then the next day landed and
    the incremental build over it, as the daily run does. The next day stays landed after.

    One warehouse path and one target folder for every build, as a user's: each build reads
    the project back from dbt's partial parse, which an untimed `dbt parse` writes first.
    """
    pairs = BuildPairs()
    generated.remove_next_day()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    run_dbt(work, generated.lake, warehouse, "parse")
    for _ in range(repeats):
        generated.remove_next_day()
        warehouse.unlink(missing_ok=True)
        pairs.full.append(run_dbt(work, generated.lake, warehouse, "build"))
        generated.land_next_day()
        pairs.incremental.append(run_dbt(work, generated.lake, warehouse, "build"))
    return pairs


def refresh_and_compare(
    work: Path, generated: GeneratedLake, warehouse: Path
) -> dict[str, tuple[int, int, int]]:
    """Every table of the incremental `warehouse` against the same models built from nothing
    over the same lake: (rows incrementally, rows rebuilt, rows in one but not the other).

    Views are left out: they are queries over these tables, under the warehouse's own name.
    """
    rebuilt = work / "full-refresh" / warehouse.name
    rebuilt.parent.mkdir(parents=True, exist_ok=True)
    rebuilt.unlink(missing_ok=True)
    # Its own target folder: the timed builds' partial parse stays theirs.
    run_dbt(rebuilt.parent, generated.lake, rebuilt, "run")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_type = 'BASE TABLE' "
                "and table_name <> 'build_landed_since' order by table_name"
            ).fetchall()
        ]
    return {table: compare_tables(warehouse, rebuilt, table) for table in tables}


def _node_name(unique_id: str) -> str:
    """`model.game_market.dim_games` -> `dim_games`; a unit test keeps its model's name too."""
    kind, _, *rest = unique_id.split(".")
    if kind == "test":
        rest = rest[:1]  # drop the hash
    return ".".join(rest)


def compare_tables(incremental: Path, full: Path, table: str) -> tuple[int, int, int]:
    """Rows of `table` in each warehouse, and rows in one but not the other (floating-point
    columns to 9 decimal places, as tools/compare_marts.py compares them)."""
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_refresh (read_only)")
    rows, full_rows, only_incremental, only_full = compare_relation(
        con, ("incremental", table), ("full_refresh", table)
    )
    con.close()
    return rows, full_rows, only_incremental + only_full


def _measure_child(log: str, command: list[str]) -> None:
    """Runs ``command`` with its output in ``log``; prints its exit code, time and peak RSS."""
    with open(log, "w") as out:
        started = time.perf_counter()
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_kb / 1024}))


if __name__ == "__main__":
    _measure_child(sys.argv[1], sys.argv[2:])
