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
import asyncio
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import httpx

from benchmarks.results import Goal, Recording, import_prefect_seconds, is_standard
from game_market.endpoints import ENDPOINTS, Kind, of_kind
from game_market.ingest import DEFAULT_DETAIL_BUDGET
from game_market.lake import Lake
from game_market.rawg.client import PAGE_SIZE
from rawg_simulator import SandboxConfig, build_app, free_port, running_sandbox
from rawg_simulator.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 20)
WINDOW_DAYS = 730
REFRESH_SHARE = 0.1
# Catalog games per game updated a day over the window's last 90 days (36,400 gives 2,017).
GAMES_PER_DAILY_GAME = 18.2
LATENCY_MS, JITTER_MS, FAULT_RATE = 20, 7, 0.05
IN_FLIGHT = 8  # gmp's default RAWG_MAX_CONCURRENCY
TARGET_RSS_MB = 2048
WINDOW_PAGES = 500  # RAWG serves no page past it; a bigger day would need split probes
MARKS = {
    "flow begins": re.compile(r"Beginning flow run"),
    "ingest ends": re.compile(r"Backfill: \d+ of \d+ dates done"),
}
REPORTED = re.compile(r"Backfill \S+: (\d+) dates done, ([\d,]+) RAWG requests")
# Runs the command given after its first argument and writes there the peak RSS (KB) of
# the largest process among its descendants and their CPU seconds: its only child is the
# command.
RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(f'{used.ru_maxrss} {used.ru_utime + used.ru_stime}')\n"
    "sys.exit(code)\n"
)


@dataclass
class Expected:
    """What the sandbox holds for the backfill's days, and what fetching it costs at least."""

    ids: dict[date, set[int]]
    minimum: dict[str, int] = field(default_factory=dict)  # by endpoint
    snapshot_rows: dict[str, int] = field(default_factory=dict)  # within their page caps


@dataclass
class Landed:
    rows: dict[str, int]  # by endpoint
    requests: int
    retries: int
    problems: list[str]


def sandbox_config(games_per_day: int) -> SandboxConfig:
    return SandboxConfig(
        games=round(games_per_day * GAMES_PER_DAILY_GAME),
        seed=42,
        days=WINDOW_DAYS,
        today=TODAY,
        refresh_share=REFRESH_SHARE,
        latency_ms=LATENCY_MS,
        latency_jitter_ms=JITTER_MS,
        fault_rate=FAULT_RATE,
    )


async def api_counts(config: SandboxConfig, days: list[date]) -> tuple[dict[str, int], Catalog]:
    """The `count` the sandbox's API answers for each query the backfill pages through,
    asked of a fault-free, instant copy of it in this process (same catalog)."""
    app = build_app(replace(config, fault_rate=0, latency_ms=0, latency_jitter_ms=0))
    transport = httpx.ASGITransport(app=app)
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/api") as client:

        async def count(path: str, **params: str) -> int:
            params = {"key": "benchmark", "page_size": str(PAGE_SIZE), **params}
            response = await client.get(path, params=params)
            response.raise_for_status()
            return response.json()["count"]

        for day in days:
            counts[f"games {day}"] = await count("/games", updated=f"{day},{day}")
        for endpoint in of_kind(Kind.SNAPSHOT):
            counts[str(endpoint)] = await count(ENDPOINTS[endpoint].path)
    return counts, app.catalog


def expected(config: SandboxConfig, days: list[date]) -> Expected:
    counts, catalog = asyncio.run(api_counts(config, days))
    ids = {
        day: {catalog.columns.ids[index] for index in catalog.timeline.updated_on(day)}
        for day in days
    }
    for day in days:
        if counts[f"games {day}"] != len(ids[day]):
            told = counts[f"games {day}"]
            raise SystemExit(
                f"{day}: the API counts {told} games updated, the catalog {len(ids[day])}"
            )
    if max(math.ceil(len(day_ids) / PAGE_SIZE) for day_ids in ids.values()) > WINDOW_PAGES:
        raise SystemExit("A day holds more games than RAWG's 500-page window: use fewer.")
    minimum = {
        "games": sum(max(1, math.ceil(len(day_ids) / PAGE_SIZE)) for day_ids in ids.values()),
        "game_details": sum(min(DEFAULT_DETAIL_BUDGET, len(day_ids)) for day_ids in ids.values()),
    }
    for endpoint in of_kind(Kind.SNAPSHOT):  # once, for the last day
        cap = ENDPOINTS[endpoint].default_max_pages or WINDOW_PAGES
        minimum[endpoint] = max(1, min(math.ceil(counts[endpoint] / PAGE_SIZE), cap))
    snapshot_rows = {
        endpoint: min(counts[endpoint], minimum[endpoint] * PAGE_SIZE)
        for endpoint in of_kind(Kind.SNAPSHOT)
    }
    return Expected(ids, minimum, snapshot_rows)


def bench_env(work: Path, base_url: str) -> dict[str, str]:
    own = ("PREFECT_", "RAWG_", "LAKE_", "AWS_", "DUCKDB_", "DBT_", "GMP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    return {
        **env,
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_SERVER_API_PORT": str(free_port()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "RAWG_BASE_URL": base_url,
        "RAWG_API_KEY": "benchmark-key",
        "LAKE_URL": str(work / "lake"),
        "DUCKDB_PATH": str(work / "warehouse" / "game_market.duckdb"),
        "DBT_TARGET_PATH": str(work / "dbt-target"),
        "DBT_LOG_PATH": str(work / "dbt-logs"),
    }


def stop_server(env: dict[str, str], cwd: Path) -> None:
    command = [sys.executable, "-m", "gmp", "server", "stop"]
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def server_peak_mb(prefect_home: Path) -> float | None:
    """The peak RSS of the largest process of the Prefect server gmp started (its session)."""
    try:
        session = int((prefect_home / "gmp-server.pid").read_text())
    except (FileNotFoundError, ValueError):
        return None
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:  # the session id, after state, ppid and pgrp
                status = (stat.parent / "status").read_text()
                peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
        except (OSError, AttributeError):
            continue  # gone meanwhile
    return max(peaks, default=None)


@dataclass
class Backfill:
    wall: float
    marks: dict[str, float]  # when its MARKS were logged, seconds in
    output: str
    peak_mb: float  # its largest process's
    cpu_s: float  # its processes' user + system time

    @property
    def ingest_s(self) -> float:
        return self.marks["ingest ends"] - self.marks["flow begins"]

    def reported(self) -> tuple[int, int]:
        """Dates done and RAWG requests, as the command printed them."""
        found = REPORTED.search(" ".join(self.output.split()))
        return (int(found.group(1)), int(found.group(2).replace(",", ""))) if found else (0, -1)


def backfill(env: dict[str, str], work: Path, days: list[date]) -> Backfill:
    uv = shutil.which("uv") or str(ROOT / ".tools" / "uv")
    gmp = [uv, "run", "--frozen", "--project", str(ROOT), "gmp", "backfill"]
    gmp += ["--start", days[0].isoformat(), "--end", days[-1].isoformat()]
    rusage_file = work / "rusage"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", RUSAGE_WRAPPER, str(rusage_file), *gmp],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    marks: dict[str, float] = {}
    for line in process.stdout:
        lines.append(line)
        for mark, pattern in MARKS.items():
            if mark not in marks and pattern.search(line):
                marks[mark] = time.perf_counter() - started
    process.wait()
    wall = time.perf_counter() - started
    output = "".join(lines)
    if process.returncode != 0 or len(marks) < len(MARKS):
        raise SystemExit(f"gmp backfill failed ({process.returncode}):\n{output[-4000:]}")
    peak_kb, cpu_s = rusage_file.read_text().split()
    return Backfill(wall, marks, output, int(peak_kb) / 1024, float(cpu_s))


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def landed(lake: Lake, want: Expected) -> Landed:
    """Rows, requests and retries the lake's partitions hold, and where they miss a row."""
    rows: dict[str, int] = {}
    requests = retries = 0
    problems: list[str] = []
    for endpoint in ENDPOINTS:
        for day in lake.partitions(endpoint):
            manifest = lake.read_manifest(endpoint, day)
            if manifest is None:
                problems.append(f"{endpoint} {day}: no manifest")
                continue
            rows[endpoint] = rows.get(endpoint, 0) + manifest.rows
            requests += manifest.requests
            retries += manifest.retries
    for day, ids in want.ids.items():
        manifest = lake.read_manifest("games", day)
        if manifest is None:
            problems.append(f"{day}: no games partition")
            continue
        got = set(lake.read_partition("games", day, columns=["id"])["id"].to_list())
        if got != ids or manifest.gap or manifest.expected_rows != len(ids):
            problems.append(
                f"{day}: {len(ids - got)} ids missing, {len(got - ids)} extra, gap "
                f"{manifest.gap}, RAWG count {manifest.expected_rows} of {len(ids)}"
            )
        details = lake.read_manifest("game_details", day)
        if details is None or details.rows != min(DEFAULT_DETAIL_BUDGET, len(ids)):
            problems.append(f"{day}: {details.rows if details else 0} game details")
    last_day = max(want.ids)
    for endpoint, count in want.snapshot_rows.items():
        snapshot = lake.read_manifest(endpoint, last_day)
        if snapshot is None or snapshot.rows != count:
            problems.append(f"{endpoint}: {snapshot.rows if snapshot else 0} rows of {count}")
    return Landed(rows, requests, retries, problems)


@dataclass
class Run:
    backfill: Backfill
    server_mb: float | None
    sandbox_cpu_s: float  # the sandbox's CPU time during the backfill
    stats: dict  # the sandbox's /_sandbox/stats after the run
    lake: Landed
    import_s: float
    loads: tuple[float, float]  # load average at the start and at the end


def step(text: str, started: float) -> None:
    print(f"  {text} ({time.perf_counter() - started:.1f} s in)", file=sys.stderr, flush=True)


def measure(config: SandboxConfig, days: list[date], want: Expected) -> Run:
    started = time.perf_counter()
    with (
        running_sandbox(config) as base_url,
        tempfile.TemporaryDirectory(prefix="gmp-bench-load-") as tmp,
    ):
        work = Path(tmp)
        env = bench_env(work, base_url)
        stats_url = base_url.removesuffix("/api") + "/_sandbox/stats"
        sandbox_pid = httpx.get(stats_url).json()["process"]["pid"]
        import_s = import_prefect_seconds(env)
        step("sandbox up, `import prefect` timed", started)
        try:
            load_before, sandbox_cpu = os.getloadavg()[0], cpu_seconds(sandbox_pid)
            done = backfill(env, work, days)
            load_after, sandbox_cpu = os.getloadavg()[0], cpu_seconds(sandbox_pid) - sandbox_cpu
            server_mb = server_peak_mb(work / "prefect")
        finally:
            stop_server(env, work)
        step("backfill done", started)
        stats = httpx.get(stats_url).json()
        lake = landed(Lake(str(work / "lake")), want)
    loads = (load_before, load_after)
    return Run(done, server_mb, sandbox_cpu, stats, lake, import_s, loads)


def report(run: Run, days: list[date], want: Expected) -> int:
    per_day = [len(ids) for ids in want.ids.values()]
    minimum = sum(want.minimum.values())
    done, lake, stats = run.backfill, run.lake, run.stats
    run_days, run_requests = done.reported()
    faults = sum(count for kind, count in stats["faults"].items() if kind != "slow")
    games_rows = lake.rows.get("games", 0)
    requests = f"{run_requests:,} / {lake.requests:,} / {stats['requests']:,}"
    start_s, dbt_s = done.marks["flow begins"], done.wall - done.marks["ingest ends"]
    phases = f"{start_s:.1f} / {done.ingest_s:.1f} / {dbt_s:.1f} s"
    per_second = f"{lake.requests / done.ingest_s:.0f} (bound {IN_FLIGHT * 1000 / LATENCY_MS:.0f})"
    server = "n/a" if run.server_mb is None else f"{run.server_mb:,.0f} MB"
    figures = [
        ("days", f"{run_days} of {len(days)}"),
        ("games updated a day (mean)", f"{statistics.mean(per_day):,.0f}"),
        ("games rows landed", f"{games_rows:,} of {sum(per_day):,}"),
        ("rows landed (games + details)", f"{games_rows + lake.rows.get('game_details', 0):,}"),
        ("requests (run / lake / sandbox)", requests),
        ("minimum", f"{minimum:,}"),
        ("retries", f"{lake.retries:,}"),
        ("faults (not slow / slow)", f"{faults:,} / {stats['faults']['slow']:,}"),
        ("wasted (requests - minimum - retries)", f"{lake.requests - lake.retries - minimum:,}"),
        ("wall time", f"{done.wall:.1f} s"),
        ("  start / ingest / dbt build and the rest", phases),
        ("requests/s over the ingest", per_second),
        ("CPU: gmp backfill / sandbox", f"{done.cpu_s:.0f} / {run.sandbox_cpu_s:.0f} s"),
        ("peak RSS, gmp backfill", f"{done.peak_mb:,.0f} MB"),
        ("peak RSS, Prefect server", server),
    ]
    print()
    for name, value in figures:
        print(f"{name:<44}{value:>26}")
    print(
        f"machine: `python -c 'import prefect'` {run.import_s:.2f} s, load average "
        f"{run.loads[0]:.1f} at the start, {run.loads[1]:.1f} at the end"
    )
    checks = [
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
            and run_requests == lake.requests == stats["requests"],
            f"{lake.requests:,} <= {minimum:,} + {lake.retries:,}; the run, the lake and the "
            "sandbox count the same requests",
        ),
        (
            "retries == faults",
            lake.retries == faults,
            f"{lake.retries:,} retries, {faults:,} faults other than slow answers",
        ),
        (
            f"peak RSS <= {TARGET_RSS_MB:,} MB",
            done.peak_mb <= TARGET_RSS_MB,
            f"{done.peak_mb:,.0f} MB, the backfill's largest process",
        ),
    ]
    print()
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {detail}")
    missed = [name for name, ok, _ in checks if not ok]
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
    minimum = sum(want.minimum.values())
    recording.import_prefect_s = statistics.median(run.import_s for run in runs)
    recording.load_start = runs[0].loads[0]

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
        [
            run.lake.retries - sum(n for k, n in run.stats["faults"].items() if k != "slow")
            for run in runs
        ],
        Goal("==", 0),
    )
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
