"""One `gmp backfill` of the load benchmark, run as a user runs it and measured: its wall time
split by the moments its log lines arrive, the peak RSS and CPU time of its processes, the
Prefect server's peak, and the sandbox's CPU time and counts over it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from benchmarks.load_expected import Expected, Landed, landed
from benchmarks.processes import first_marks, gmp_env, gmp_server
from benchmarks.results import import_prefect_seconds
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, running_sandbox

ROOT = Path(__file__).resolve().parents[1]
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
    lines = [(time.perf_counter() - started, line) for line in process.stdout]
    process.wait()
    wall = time.perf_counter() - started
    marks = first_marks(lines, MARKS)
    output = "".join(line for _, line in lines)
    if process.returncode != 0 or len(marks) < len(MARKS):
        raise SystemExit(f"gmp backfill failed ({process.returncode}):\n{output[-4000:]}")
    peak_kb, cpu_s = rusage_file.read_text().split()
    return Backfill(wall, marks, output, int(peak_kb) / 1024, float(cpu_s))


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    backfill: Backfill
    server_mb: float | None
    sandbox_cpu_s: float  # the sandbox's CPU time during the backfill
    stats: dict  # the sandbox's /_sandbox/stats after the run
    lake: Landed
    import_s: float
    loads: tuple[float, float]  # load average at the start and at the end

    @property
    def faults(self) -> int:
        """The sandbox's faults other than slow answers: a slow answer is late, not failed."""
        return sum(count for kind, count in self.stats["faults"].items() if kind != "slow")


def step(text: str, started: float) -> None:
    print(f"  {text} ({time.perf_counter() - started:.1f} s in)", file=sys.stderr, flush=True)


def measure(config: SandboxConfig, days: list[date], want: Expected) -> Run:
    started = time.perf_counter()
    with (
        running_sandbox(config) as base_url,
        tempfile.TemporaryDirectory(prefix="gmp-bench-load-") as tmp,
    ):
        work = Path(tmp)
        env = gmp_env(
            work / "prefect",
            base_url,
            LAKE_URL=work / "lake",
            DUCKDB_PATH=work / "warehouse" / "game_market.duckdb",
            DBT_TARGET_PATH=work / "dbt-target",
            DBT_LOG_PATH=work / "dbt-logs",
        )
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
            gmp_server("stop", env, work)
        step("backfill done", started)
        stats = httpx.get(stats_url).json()
        lake = landed(Lake(str(work / "lake")), want)
    loads = (load_before, load_after)
    return Run(done, server_mb, sandbox_cpu, stats, lake, import_s, loads)
