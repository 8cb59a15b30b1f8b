"""The dbt subflow against the bare `dbt build` it runs, on the demo's size of lake.

Generates (and caches under ./data/bench) a lake of 14 days of ~2,740 games, as `make demo`
lands, builds it once, then times, interleaved, ``--repeats`` times each: the bare
``dbt build`` CLI from a fresh process (what `make transform` runs), and the ``dbt-build``
subflow inside a parent flow in this process (what the daily run and the demo wait for; the
imports and the temporary Prefect server are paid once before), and the same subflow with
dbt's own defaults for its file log (debug) and JSON artifacts (written), which the subflow
turns down (``flows.transform.BUILD_DEFAULTS``), and the subflow with ``node_tasks`` (one
Prefect task run per node through prefect-dbt's runner; its first build in the process is
printed apart, as a fresh `gmp daily` pays it). All rebuild the same warehouse. Target: the
subflow within 1.25x of the bare build; the other ratios are reported, not judged. Each ratio
is the median of the ratios run by run (two close medians can cross on a noisy machine); the
figures go to the machine's results file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.results import Goal, Recording, import_prefect_seconds, is_standard

if TYPE_CHECKING:
    from rawg_simulator.lake import LakeSpec

ROOT = Path(__file__).resolve().parents[1]
TRANSFORMS = ROOT / "transforms"
TARGET_RATIO = 1.25
# dbt's defaults, which the subflow's BUILD_DEFAULTS turn down.
DBT_DEFAULTS = {"DBT_ENGINE_LOG_LEVEL_FILE": "debug", "DBT_ENGINE_WRITE_JSON": "true"}


def bare_build() -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--project-dir",
            str(TRANSFORMS),
            "--profiles-dir",
            str(TRANSFORMS),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=ROOT / "data" / "bench")
    args = parser.parse_args()

    from rawg_simulator.lake import LakeSpec

    spec = LakeSpec(games=38_360, days=14)
    use_lake(spec, args.cache)
    print(f"dbt subflow benchmark: {spec.games:,} games rows over {spec.days} days, load {_load()}")
    recording = Recording("dbt_subflow", import_prefect_seconds())
    print(f"python -c 'import prefect': {recording.import_prefect_s:.2f} s (the machine's speed)")
    print(f"first build (bare, untimed): {bare_build():.1f} s")
    parent = parent_flow()
    parent()  # the temporary server's start and the imports are paid here
    print(f"first build with node tasks in the process (untimed): {parent(True):.1f} s")
    report(recording, time_builds(parent, args.repeats))
    print("Data shapes: RAWG (rawg.io).")
    recording.write(is_standard(parser, args))
    return 1 if recording.missed else 0


def use_lake(spec: LakeSpec, cache: Path) -> None:
    """Points this process (and the dbt it starts) at the spec's cached lake without its next
    day, and at a new warehouse and PREFECT_HOME."""
    from rawg_simulator.lake import cached_lake

    generated, _ = cached_lake(spec, cache, regenerate=False)
    generated.remove_next_day()
    work = Path(tempfile.mkdtemp(prefix="gmp-bench-subflow-"))
    os.environ.update(
        {
            "LAKE_URL": str(generated.lake),
            "DUCKDB_PATH": str(work / "warehouse" / "game_market.duckdb"),
            "PREFECT_HOME": str(work / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
            # The runs still log at INFO to the API, as the demo's do; this console is spared.
            "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL": "WARNING",
            "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
        }
    )
    (work / "warehouse").mkdir()


def parent_flow() -> Callable[..., float]:
    """A parent flow that runs the dbt-build subflow and returns its seconds, as the daily run
    and the demo call it. Prefect is imported here, once the environment is set."""
    from prefect import flow

    from flows.transform import transform

    @flow(name="bench-parent")
    def parent(node_tasks: bool = False) -> float:
        started = time.perf_counter()
        state = transform(node_tasks=node_tasks, return_state=True)
        if not state.is_completed():
            raise RuntimeError(state.message)
        return time.perf_counter() - started

    return parent


def time_builds(parent: Callable[..., float], repeats: int) -> dict[str, list[float]]:
    """Each way of building, ``repeats`` times interleaved, each run printed."""
    timings: dict[str, list[float]] = {
        "bare": [],
        "subflow": [],
        "dbt defaults": [],
        "node tasks": [],
    }
    for n in range(repeats):
        timings["bare"].append(bare_build())
        timings["subflow"].append(parent())
        os.environ.update(DBT_DEFAULTS)
        timings["dbt defaults"].append(parent())
        for name in DBT_DEFAULTS:
            del os.environ[name]
        timings["node tasks"].append(parent(True))
        print(
            f"run {n + 1}: bare dbt build {timings['bare'][-1]:.1f} s, subflow "
            f"{timings['subflow'][-1]:.1f} s, with dbt's log and JSON defaults "
            f"{timings['dbt defaults'][-1]:.1f} s, with node tasks "
            f"{timings['node tasks'][-1]:.1f} s, load {_load()}"
        )
    return timings


def report(recording: Recording, timings: dict[str, list[float]]) -> None:
    """Records the figures and prints their table."""
    bare = recording.add("bare dbt build, 14 days", timings["bare"], "s")
    subflow = recording.add("dbt-build subflow", timings["subflow"], "s")
    ratio = recording.add(
        "subflow / bare dbt build",
        by_run(timings["subflow"], timings["bare"]),
        "x",
        Goal("<=", TARGET_RATIO),
    )
    defaults = recording.add(
        "subflow / subflow with dbt's log and JSON defaults",
        by_run(timings["subflow"], timings["dbt defaults"]),
        "x",
    )
    node_tasks = recording.add("node-task subflow", timings["node tasks"], "s")
    node_ratio = recording.add(
        "node-task subflow / subflow", by_run(timings["node tasks"], timings["subflow"]), "x"
    )
    print(f"\n{'figure (medians, ratios by run)':<40}{'measured':>24}{'target':>10}")
    measured = f"{subflow.value:.1f} / {bare.value:.1f} s, {ratio.value:.2f}"
    print(
        f"{'subflow / bare dbt build':<40}{measured:>24}{f'<= {TARGET_RATIO}':>10} {ratio.verdict}"
    )
    measured = f"{statistics.median(timings['dbt defaults']):.1f} s, {defaults.value:.2f}"
    print(f"{'subflow / with dbt log+JSON defaults':<40}{measured:>24}")
    measured = f"{node_tasks.value:.1f} s, {node_ratio.value:.2f}"
    print(f"{'node-task subflow / subflow':<40}{measured:>24}")


def by_run(ours: list[float], theirs: list[float]) -> list[float]:
    """The ratios run by run: on a noisy machine the medians of two close figures can cross."""
    return [a / b for a, b in zip(ours, theirs, strict=True)]


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


if __name__ == "__main__":
    sys.exit(main())
