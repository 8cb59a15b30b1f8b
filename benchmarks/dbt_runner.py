"""dbt as the transform benchmark runs it: timed, its peak memory measured, its results read.

Each run goes through a fresh child process (this file, run as a script), so the peak RSS of
its children is dbt's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

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
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    slowest = sorted(
        ((r["execution_time"], _node_name(r["unique_id"])) for r in results), reverse=True
    )
    return DbtRun(result["seconds"], result["peak_mb"], summary, slowest)


def _node_name(unique_id: str) -> str:
    """`model.game_market.dim_games` -> `dim_games`; a unit test keeps its model's name too."""
    kind, _, *rest = unique_id.split(".")
    if kind == "test":
        rest = rest[:1]  # drop the hash
    return ".".join(rest)


def compare_tables(incremental: Path, full: Path, table: str) -> tuple[int, int, int]:
    """Rows of `table` in each warehouse, and rows in one but not the other."""
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_refresh (read_only)")
    a, b = f"incremental.main.{table}", f"full_refresh.main.{table}"
    row = con.execute(
        f"""
        select
            (select count(*) from {a}),
            (select count(*) from {b}),
            (select count(*) from (select * from {a} except all select * from {b}))
            + (select count(*) from (select * from {b} except all select * from {a}))
        """
    ).fetchone()
    con.close()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


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
