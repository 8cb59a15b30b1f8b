"""Load: `gmp backfill` of 90 days x ~2,000 games a day against a slow, faulty sandbox.

The sandbox (36,400 games updated over a 730-day window, 10% of them re-updated every few
days, seed 42, realistic gzipped items, 20 ms +/- 7 ms a request, fault rate 0.05: 429s with
Retry-After, 500/502/503 pages, slow answers, bodies cut short, malformed JSON) has ~2,000
games updated on each of its last 90 days; the per-day counts are printed, measured from its
catalog. The backfill runs as a user runs it: ``uv run --frozen gmp backfill --start S --end
E``, a fresh process with gmp's defaults (4 days side by side, 8 requests in flight, 50 game
details a day, the reference lists once, then one dbt build), into a fresh lake, warehouse
and PREFECT_HOME, so it starts its local Prefect server as a user's first command does. Its
wall time is split by the moments its log lines arrive: start (imports, the server's start
and migrations), ingest (from the flow run's beginning to its "dates done" line), and the dbt
build and the rest.

Peak RSS is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a wrapper process whose only child is
the backfill: the largest single process of its tree (the gmp process, dbt included, which
runs in it), not a sum. The Prefect server it starts leaves its tree (its own session, never
waited for): its largest process's peak (VmHWM) is shown beside it.

Targets, each PASS or MISS: every row (each day's games partition holds exactly the ids the
sandbox's catalog updated that day, gap 0, its details the day's detail budget, and the
reference lists every row their page caps allow); requests <= minimum + retries, the minimum
counted from the sandbox's own counts as ``QueryPlan.min_requests`` counts it (per list
query ceil(count / 40) pages, at least 1, at most the page cap; one request per game
detail), with the run's, the lake manifests' and the sandbox's request counts agreeing;
retries == the sandbox's faults other than slow answers (a slow answer is late, not failed);
peak RSS <= 2,048 MB, the memory of the smallest ECS task in prefect.yaml. Wall time has no
target: it is shown with the requests per second of the ingest against the latency bound (8
in flight / 20 ms = 400 a second), and with the CPU seconds of the backfill's processes and
of the sandbox, which renders every item cold on the same cores (the ingest benchmark warms
its sandbox; a load test cannot). The backfill runs ``--repeats`` times in a row, each
printed; the medians go to the machine's results file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import date, timedelta

from benchmarks.load_backfill import Run, measure
from benchmarks.load_expected import (
    FAULT_RATE,
    JITTER_MS,
    LATENCY_MS,
    TODAY,
    WINDOW_DAYS,
    Expected,
    expected,
    sandbox_config,
)
from benchmarks.results import Goal, Recording, is_standard

IN_FLIGHT = 8  # gmp's default RAWG_MAX_CONCURRENCY
TARGET_RSS_MB = 2048


def figures(run: Run, days: list[date], want: Expected) -> list[tuple[str, str]]:
    """The run's table: each figure's name and its value as printed."""
    per_day = [len(ids) for ids in want.ids.values()]
    minimum = sum(want.minimum.values())
    done, lake, stats = run.backfill, run.lake, run.stats
    run_days, run_requests = done.reported()
    games_rows = lake.rows.get("games", 0)
    requests = f"{run_requests:,} / {lake.requests:,} / {stats['requests']:,}"
    start_s, dbt_s = done.marks["flow begins"], done.wall - done.marks["ingest ends"]
    phases = f"{start_s:.1f} / {done.ingest_s:.1f} / {dbt_s:.1f} s"
    per_second = f"{lake.requests / done.ingest_s:.0f} (bound {IN_FLIGHT * 1000 / LATENCY_MS:.0f})"
    server = "n/a" if run.server_mb is None else f"{run.server_mb:,.0f} MB"
    return [
        ("days", f"{run_days} of {len(days)}"),
        ("games updated a day (mean)", f"{statistics.mean(per_day):,.0f}"),
        ("games rows landed", f"{games_rows:,} of {sum(per_day):,}"),
        ("rows landed (games + details)", f"{games_rows + lake.rows.get('game_details', 0):,}"),
        ("requests (run / lake / sandbox)", requests),
        ("minimum", f"{minimum:,}"),
        ("retries", f"{lake.retries:,}"),
        ("faults (not slow / slow)", f"{run.faults:,} / {stats['faults']['slow']:,}"),
        ("wasted (requests - minimum - retries)", f"{lake.requests - lake.retries - minimum:,}"),
        ("wall time", f"{done.wall:.1f} s"),
        ("  start / ingest / dbt build and the rest", phases),
        ("requests/s over the ingest", per_second),
        ("CPU: gmp backfill / sandbox", f"{done.cpu_s:.0f} / {run.sandbox_cpu_s:.0f} s"),
        ("peak RSS, gmp backfill", f"{done.peak_mb:,.0f} MB"),
        ("peak RSS, Prefect server", server),
    ]


def checks(run: Run, days: list[date], want: Expected) -> list[tuple[str, bool, str]]:
    """The run's targets: each one's name, whether it is met, and what was measured."""
    minimum = sum(want.minimum.values())
    done, lake = run.backfill, run.lake
    run_days, run_requests = done.reported()
    return [
        (
            "every row",
            not lake.problems and run_days == len(days),
            "each day's ids are the catalog's, gap 0; details and reference lists whole"
            if not lake.problems
            else f"{len(lake.problems)} misses: " + "; ".join(lake.problems[:3]),
        ),
        (
            "requests <= minimum + retries",
            lake.requests <= minimum + lake.retries
            and run_requests == lake.requests == run.stats["requests"],
            f"{lake.requests:,} <= {minimum:,} + {lake.retries:,}; the run, the lake and the "
            "sandbox count the same requests",
        ),
        (
            "retries == faults",
            lake.retries == run.faults,
            f"{lake.retries:,} retries, {run.faults:,} faults other than slow answers",
        ),
        (
            f"peak RSS <= {TARGET_RSS_MB:,} MB",
            done.peak_mb <= TARGET_RSS_MB,
            f"{done.peak_mb:,.0f} MB, the backfill's largest process",
        ),
    ]


def report(run: Run, days: list[date], want: Expected) -> int:
    print()
    for name, value in figures(run, days, want):
        print(f"{name:<44}{value:>26}")
    print(
        f"machine: `python -c 'import prefect'` {run.import_s:.2f} s, load average "
        f"{run.loads[0]:.1f} at the start, {run.loads[1]:.1f} at the end"
    )
    targets = checks(run, days, want)
    print()
    for name, ok, detail in targets:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {detail}")
    missed = [name for name, ok, _ in targets if not ok]
    print("targets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    print("Data shapes: RAWG (rawg.io).")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, help="days backfilled")
    parser.add_argument(
        "--games-per-day", type=int, default=2000, help="games updated a day (about)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="backfills in a row (median)")
    args = parser.parse_args()
    recording = Recording("load")
    config = sandbox_config(args.games_per_day)
    days = [TODAY - timedelta(days=n) for n in range(args.days, 0, -1)]
    want = expected(config, days)
    per_day = [len(ids) for ids in want.ids.values()]
    print(
        f"Load: `gmp backfill` of {days[0]}..{days[-1]} ({len(days)} days) against the sandbox "
        f"({config.games:,} games over {WINDOW_DAYS} days, {LATENCY_MS} +/- {JITTER_MS} ms, "
        f"fault rate {FAULT_RATE})"
    )
    print(
        f"games updated a day: mean {statistics.mean(per_day):,.0f}, min {min(per_day):,}, "
        f"max {max(per_day):,} ({sum(per_day):,} in all)",
        flush=True,
    )
    runs, code = [], 0
    for _ in range(args.repeats):
        runs.append(measure(config, days, want))
        code |= report(runs[-1], days, want)
    record(recording, runs, want)
    recording.write(is_standard(parser, args))
    return 1 if code or recording.missed else 0


def record(recording: Recording, runs: list[Run], want: Expected) -> None:
    """The runs' medians; the counts, which every run gives alike, from each run."""
    recording.import_prefect_s = statistics.median(run.import_s for run in runs)
    recording.load_start = runs[0].loads[0]
    record_counts(recording, runs, want)
    record_timings(recording, runs)


def record_counts(recording: Recording, runs: list[Run], want: Expected) -> None:
    """Rows, requests and retries against what the sandbox holds: each run's, goals of zero."""
    minimum = sum(want.minimum.values())

    def count(name: str, values: list[float], goal: Goal | None = None) -> None:
        recording.add(name, values, "", goal, exact=True)

    count(
        "partitions missing a row",
        [len(run.lake.problems) + len(want.ids) - run.backfill.reported()[0] for run in runs],
        Goal("==", 0),
    )
    count("requests", [run.lake.requests for run in runs])
    count(
        "wasted requests (requests - minimum - retries)",
        [run.lake.requests - run.lake.retries - minimum for run in runs],
        Goal("<=", 0),
    )
    count(
        "request counts disagreeing (command, lake, sandbox)",
        [
            len({run.backfill.reported()[1], run.lake.requests, run.stats["requests"]}) - 1
            for run in runs
        ],
        Goal("==", 0),
    )
    count(
        "retries - faults other than slow answers",
        [run.lake.retries - run.faults for run in runs],
        Goal("==", 0),
    )


def record_timings(recording: Recording, runs: list[Run]) -> None:
    """Seconds, rates and memory: medians of the runs."""
    timed = {
        "wall time of the backfill": [run.backfill.wall for run in runs],
        "start (imports, the new server)": [run.backfill.marks["flow begins"] for run in runs],
        "ingest": [run.backfill.ingest_s for run in runs],
        "dbt build and the rest": [
            run.backfill.wall - run.backfill.marks["ingest ends"] for run in runs
        ],
        "CPU of the backfill's processes": [run.backfill.cpu_s for run in runs],
        "CPU of the sandbox": [run.sandbox_cpu_s for run in runs],
    }
    for name, values in timed.items():
        recording.add(name, values, "s")
    recording.add(
        "requests/s over the ingest",
        [run.lake.requests / run.backfill.ingest_s for run in runs],
        "",
    )
    recording.add(
        "peak RSS, gmp backfill",
        [run.backfill.peak_mb for run in runs],
        "MB",
        Goal("<=", TARGET_RSS_MB),
    )
    servers = [run.server_mb for run in runs if run.server_mb is not None]
    if len(servers) == len(runs):
        recording.add("peak RSS, Prefect server", servers, "MB")


if __name__ == "__main__":
    sys.exit(main())
