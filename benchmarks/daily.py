"""What a user waits for: `gmp daily` whole, beside the same work done bare and done the
original pipeline's way.

On the transform benchmark's cached one-year lake (1,000,000 games rows, built once into a
warehouse here, untimed), one new day lands: the sandbox (9,500 games over 14 days, seed 42,
realistic items, gzip, 150 ms +/- 50 ms a request) has ~2,700 games updated on that day.
Three ways of doing the day, each from a fresh process, interleaved, ``--repeats`` times, each
on a copy of the same warehouse and the lake without the day:

- flow: ``gmp daily --date D`` (the Prefect server it reports to is already running, as it is
  for every command after the first), split by the moments its log lines arrive: process
  start and imports (what ``-X importtime`` counts before the flow run begins: its own
  overhead, a few percent of the imports, is in the flow's wall time), Prefect start (the
  rest until the flow run begins), ingest, dbt, report and artifacts (the market-summary
  artifact, then the text report it prints);
- bare: the core ingest without Prefect (``benchmarks/daily_ways.py bare``), then the
  ``dbt build`` CLI;
- sequential: the original pipeline's fetching (``requests`` + ``tenacity``, one page per
  round trip), the same landing, then the ``dbt build`` CLI.

Every dbt build reads the project back from one target folder's partial parse, as a user's do.
Goals: the flow within 1.25x of the bare work; its ingest at least 5x faster than the
sequential ingest (medians of the ratios run by run). The figures go to the machine's results
file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from benchmarks.dbt_runner import DBT, ROOT, TRANSFORMS
from benchmarks.processes import Stamped, first_marks, gmp_env, gmp_server, run_stamped
from benchmarks.results import Goal, Recording, is_standard
from rawg_simulator import SandboxConfig, running_sandbox
from rawg_simulator.lake import LakeSpec, cached_lake

CACHE = ROOT / "data" / "bench"
SPEC = LakeSpec()
DAY = SPEC.next_day
SANDBOX = SandboxConfig(
    games=9500,
    seed=42,
    days=14,
    today=DAY + timedelta(days=1),
    latency_ms=150,
    latency_jitter_ms=50,
)
TARGET_FLOW_RATIO = 1.25
TARGET_INGEST_SPEEDUP = 5.0
PHASES = ("start + imports", "Prefect start", "ingest", "dbt", "report")
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\S.*)$")  # top level only
MARKS = {
    "flow begins": re.compile(r"Beginning flow run"),
    "ingest ends": re.compile(r"Ingest for \S+ used \d+ RAWG requests"),
    "dbt ends": re.compile(r"Flow run 'dbt-build-duckdb' - Finished in state"),
    "flow ends": re.compile(r"Flow run '(?!dbt-build)[^']*' - Finished in state"),
}
NO_PARTIAL_PARSE = "Unable to do partial parsing"


@dataclass
class Run:
    wall: float
    phases: dict[str, float]
    requests: int


@dataclass
class Way:
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    def phase(self, name: str) -> float:
        return statistics.median(run.phases.get(name, 0.0) for run in self.runs)


def timed_lines(command: list[str], env: dict[str, str], cwd: Path) -> Stamped:
    """Runs ``command``; its wall time, stdout, and stderr lines stamped as they arrive."""
    done = run_stamped(command, env, cwd)
    if done.returncode != 0:
        failed = f"{' '.join(command[:4])} failed ({done.returncode})"
        raise SystemExit(f"{failed}:\n{done.stdout}{done.tail(30)}")
    if any(NO_PARTIAL_PARSE in line for _, line in done.lines) or NO_PARTIAL_PARSE in done.stdout:
        print(f"  note: dbt re-parsed the project in {' '.join(command[:3])}", file=sys.stderr)
    return done


def dbt_build(env: dict[str, str], cwd: Path) -> float:
    """The ``dbt build`` CLI with the flow's target and folders, as `make transform` runs it."""
    command = [str(DBT), "build", "--target", "duckdb"]
    command += ["--project-dir", str(TRANSFORMS), "--profiles-dir", str(TRANSFORMS)]
    return timed_lines(command, env, cwd).wall


def run_flow(env: dict[str, str], cwd: Path) -> Run:
    command = [sys.executable, "-X", "importtime", "-m", "gmp", "daily", "--date", DAY.isoformat()]
    done = timed_lines(command, env, cwd)
    marks = first_marks(done.lines, MARKS)
    missing = [mark for mark in MARKS if mark not in marks]
    if missing:
        raise SystemExit(f"gmp daily logged no line for {missing}")
    imports = 0.0
    for _, line in done.lines:
        if MARKS["flow begins"].search(line):
            break
        if imported := IMPORT_LINE.match(line):
            imports += int(imported.group(1)) / 1e6
    used = re.search(r"Daily update for \S+: ([\d,]+) RAWG requests", done.stdout)
    phases = {
        "start + imports": imports,
        "Prefect start": marks["flow begins"] - imports,
        "ingest": marks["ingest ends"] - marks["flow begins"],
        "dbt": marks["dbt ends"] - marks["ingest ends"],
        "report": done.wall - marks["dbt ends"],
    }
    return Run(done.wall, phases, int(used.group(1).replace(",", "")) if used else 0)


def run_way(way: str, env: dict[str, str], cwd: Path) -> Run:
    """`bare` or `sequential`: its ingest process (benchmarks/daily_ways.py), then dbt."""
    command = [sys.executable, "-m", "benchmarks.daily_ways", way, DAY.isoformat()]
    done = timed_lines(command, {**env, "PYTHONPATH": str(ROOT)}, cwd)
    wall, result = done.wall, json.loads(done.stdout.strip().splitlines()[-1])
    dbt = dbt_build(env, cwd)
    phases = {"start + imports": wall - result["ingest_s"], "ingest": result["ingest_s"]}
    return Run(wall + dbt, {**phases, "dbt": dbt}, result["requests"])


def load() -> float:
    return os.getloadavg()[0]


def measure(repeats: int, regenerate: bool) -> tuple[dict[str, Way], list[float]]:
    generated, cached = cached_lake(SPEC, CACHE, regenerate=regenerate)
    print(
        f"lake: {generated.rows:,} games rows over {SPEC.days} days"
        + (
            f" (cached: {generated.root})"
            if cached
            else f", generated in {generated.seconds:.0f} s"
        )
    )
    generated.remove_next_day()
    ways = {name: Way(name) for name in ("flow", "bare", "sequential")}
    loads: list[float] = []
    with (
        running_sandbox(SANDBOX) as base_url,
        tempfile.TemporaryDirectory(prefix="gmp-bench-daily-") as tmp,
    ):
        work = Path(tmp)
        warehouse = work / "warehouse" / "game_market.duckdb"
        warehouse.parent.mkdir()
        pristine = work / "built.duckdb"
        env = gmp_env(
            work / "prefect",
            base_url,
            LAKE_URL=generated.lake,
            DUCKDB_PATH=warehouse,
            DBT_TARGET_PATH=work / "target",
            DBT_LOG_PATH=work / "logs",
        )
        full = dbt_build(env, work)
        shutil.copyfile(warehouse, pristine)
        print(f"full build of the year (untimed setup): {full:.1f} s, load {load():.1f}")
        gmp_server("start", env, work)
        try:
            for repeat in range(repeats):
                for way in ways.values():
                    generated.remove_next_day()
                    shutil.copyfile(pristine, warehouse)
                    loads.append(load())
                    run = (
                        run_flow(env, work) if way.name == "flow" else run_way(way.name, env, work)
                    )
                    way.runs.append(run)
                    print(
                        f"  repeat {repeat + 1} {way.name}: {run.wall:.1f} s, "
                        f"{run.requests} requests, load {loads[-1]:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            gmp_server("stop", env, work)
            generated.remove_next_day()
    return ways, loads


def report(recording: Recording, ways: dict[str, Way], loads: list[float], repeats: int) -> int:
    print(
        f"\n`gmp daily --date {DAY}` and the same work without the flow: medians of {repeats} "
        f"interleaved repeats, seconds; load average {min(loads):.1f}-{max(loads):.1f} at the "
        "starts"
    )
    print(f"{'way':<12}{'wall':>8}" + "".join(f"{p:>17}" for p in PHASES) + f"{'requests':>10}")
    for way in ways.values():
        cells = "".join(f"{way.phase(p):>17.2f}" for p in PHASES)
        requests = statistics.median(run.requests for run in way.runs)
        print(f"{way.name:<12}{way.wall:>8.2f}{cells}{requests:>10.0f}")
    for way in ways.values():
        print(f"  {way.name} walls: {', '.join(f'{run.wall:.1f}' for run in way.runs)}")
    record(recording, ways)
    print()
    for figure in recording.figures[-2:]:
        goal = f"{figure.goal.op} {figure.goal.limit:g}x" if figure.goal else ""
        print(f"{figure.name:<40}{figure.value:>8.2f}x{goal:>10}{figure.verdict:>7}")
    missed = recording.missed
    print("targets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    print("Data shapes: RAWG (rawg.io).")
    return 1 if missed else 0


def record(recording: Recording, ways: dict[str, Way]) -> None:
    flow, bare, sequential = ways["flow"], ways["bare"], ways["sequential"]
    recording.add("gmp daily, server up", [run.wall for run in flow.runs], "s")
    for phase, name in (("ingest", "ingest"), ("dbt", "dbt"), ("report", "report and artifacts")):
        recording.add(f"gmp daily: {name}", [run.phases[phase] for run in flow.runs], "s")
    recording.add("bare: core ingest, then the dbt CLI", [run.wall for run in bare.runs], "s")
    recording.add(
        "sequential requests + tenacity, then the dbt CLI",
        [run.wall for run in sequential.runs],
        "s",
    )
    recording.add(
        "gmp daily / bare work",
        [a.wall / b.wall for a, b in zip(flow.runs, bare.runs, strict=True)],
        "x",
        Goal("<=", TARGET_FLOW_RATIO),
    )
    recording.add(
        "sequential ingest / gmp daily's ingest",
        [
            a.phases["ingest"] / b.phases["ingest"]
            for a, b in zip(sequential.runs, flow.runs, strict=True)
        ],
        "x",
        Goal(">=", TARGET_INGEST_SPEEDUP),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats of each way")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached lake")
    args = parser.parse_args()
    recording = Recording("daily")
    ways, loads = measure(args.repeats, args.regenerate)
    code = report(recording, ways, loads, args.repeats)
    recording.write(is_standard(parser, args))
    return code


if __name__ == "__main__":
    sys.exit(main())
