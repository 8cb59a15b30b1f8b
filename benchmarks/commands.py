"""The fixed cost of a `gmp` command: `gmp ingest-all` for one small day, each a fresh process.

The goal is <= 5 s wall on 2 cores for a 137-game day; here the sandbox below (4,100 games,
seed 42) serves 137 games for 2025-12-21. Three situations, interleaved, repeated:

- new home: a fresh PREFECT_HOME (a new Prefect database), no server running;
- no server: the same PREFECT_HOME, no server running;
- server up: the next command (the goal's case).

Each run's wall time is shown beside its CPU time (user + system of the command and of what
it waited for, such as Prefect's temporary server, not of a server it leaves running), which
other work on the machine inflates less, and split by the moments its log lines reach this
process: startup (interpreter, imports, settings, checks, until the flow run begins, less any
server start), the Prefect server start (from the "Starting ... server" line to the flow
run's first line), the flow run (fetching and landing, with Prefect's task bookkeeping) and
exit (after its last line). Imports are measured apart, with ``python -X importtime`` on a
"server up" run (which inflates them a little). ``--repo`` measures another checkout with
its own ``.venv``, such as the code before a change, and ``--before`` measures one
interleaved with this one. After each checkout's repeat, a server its commands left running
is stopped. A run of this checkout alone records its figures in the machine's results file
(``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.processes import gmp_env, gmp_server, run_stamped
from benchmarks.results import Goal, Recording, is_standard, machine_goal
from rawg_simulator import SandboxConfig, running_sandbox

GOAL_S = 5.0
GOAL_SET_AT_IMPORT_S = 1.1  # `import prefect` on the machine the goal was set on
DAY = date(2025, 12, 21)
SANDBOX = SandboxConfig(games=4100, seed=42, today=date(2026, 1, 20))
SITUATIONS = ("new home", "no server", "server up")
SERVER_STARTS = ("Starting temporary server", "Starting a local Prefect server")
FLOW_ENDS = re.compile(r"\| Flow run '[^']*' - Finished in state")
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$")


@dataclass
class Run:
    wall: float
    cpu: float  # the command's own user + system time: what load on the machine does not add
    games: int
    marks: dict[str, float] = field(default_factory=dict)

    @property
    def server_start(self) -> float:
        start = self.marks.get("server")
        return 0.0 if start is None else self.marks["flow begins"] - start

    @property
    def startup(self) -> float:
        return self.marks.get("server", self.marks["flow begins"])

    @property
    def flow(self) -> float:
        return self.marks["flow ends"] - self.marks["flow begins"]

    @property
    def exit(self) -> float:
        return self.wall - self.marks["flow ends"]


def gmp(python: Path, *args: str) -> list[str]:
    return [str(python), "-m", "gmp", *args]


def run_command(python: Path, env: dict[str, str], cwd: Path) -> Run:
    """`gmp ingest-all` in a fresh process; each stderr line timestamped on arrival."""
    cpu_before = children_cpu()
    done = run_stamped(gmp(python, "ingest-all", "--date", DAY.isoformat()), env, cwd)
    if done.returncode != 0:
        failed = f"gmp ingest-all failed ({done.returncode})"
        raise SystemExit(f"{failed}:\n{done.stdout}\n{done.tail(20)}")
    games = re.search(r"^games\s+\d+\s+([\d,]+)", done.stdout, re.MULTILINE)
    run = Run(
        wall=done.wall,
        cpu=children_cpu() - cpu_before,
        games=int(games.group(1).replace(",", "")) if games else 0,
    )
    for at, line in done.lines:
        if "server" not in run.marks and any(start in line for start in SERVER_STARTS):
            run.marks["server"] = at
        elif "flow begins" not in run.marks and "Beginning flow run" in line:
            run.marks["flow begins"] = at
        elif FLOW_ENDS.search(line):
            run.marks["flow ends"] = at
    return run


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def import_seconds(python: Path, env: dict[str, str], cwd: Path) -> tuple[float, list[str]]:
    """Seconds spent importing in one command, and its heaviest top-level imports."""
    command = [str(python), "-X", "importtime", *gmp(python, "ingest-all", "--date", str(DAY))[1:]]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    top = [
        (int(m.group(1)) / 1e6, m.group(2))
        for m in map(IMPORT_LINE.match, result.stderr.splitlines())
        if m and not m.group(2).startswith(" ")
    ]
    heaviest = [f"{name} {seconds:.2f}" for seconds, name in sorted(top, reverse=True)[:5]]
    return sum(seconds for seconds, _ in top), heaviest


def prefect_import_seconds(python: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(python), "-c", "import prefect"], env=env, check=True)
    return time.perf_counter() - started


def stop_server(python: Path, env: dict[str, str], cwd: Path) -> None:
    """Stop a server a command left running (only checkouts with `gmp server` leave one)."""
    probe = subprocess.run(gmp(python, "server", "--help"), env=env, cwd=cwd, capture_output=True)
    if probe.returncode == 0:
        gmp_server("stop", env, cwd, python)


@dataclass
class Checkout:
    """One checkout's figures over the repeats."""

    repo: Path
    runs: dict[str, list[Run]] = field(default_factory=lambda: {s: [] for s in SITUATIONS})
    imports: list[float] = field(default_factory=list)
    prefect_imports: list[float] = field(default_factory=list)
    heaviest: list[str] = field(default_factory=list)

    @property
    def python(self) -> Path:
        return self.repo / ".venv" / "bin" / "python"

    def measure_once(self, root: Path, base_url: str) -> None:
        root.mkdir()
        env = gmp_env(root / "prefect", base_url, LAKE_URL=root / "lake")
        self.prefect_imports.append(prefect_import_seconds(self.python, env))
        try:
            for situation in SITUATIONS:
                self.runs[situation].append(run_command(self.python, env, root))
                if situation == "new home":
                    stop_server(self.python, env, root)
            seconds, self.heaviest = import_seconds(self.python, env, root)
            self.imports.append(seconds)
        finally:
            stop_server(self.python, env, root)

    def goal(self) -> Goal:
        """The next command's goal on this machine."""
        import_s = statistics.median(self.prefect_imports)
        return machine_goal("<=", GOAL_S, GOAL_SET_AT_IMPORT_S, import_s)

    def record(self, recording: Recording) -> None:
        recording.import_prefect_s = statistics.median(self.prefect_imports)
        walls = {situation: [r.wall for r in rs] for situation, rs in self.runs.items()}
        goal = self.goal()
        recording.add("gmp ingest-all, server up (the next command)", walls["server up"], "s", goal)
        recording.add("CPU of the next command", [r.cpu for r in self.runs["server up"]], "s")
        recording.add("gmp ingest-all, same home, no server running", walls["no server"], "s")
        recording.add("gmp ingest-all, new PREFECT_HOME", walls["new home"], "s")
        recording.add("imports of the next command (-X importtime)", self.imports, "s")

    def report(self) -> None:
        games = sorted({r.games for r in self.runs["server up"]})
        print(
            f"\n{self.repo}: `python -c 'import prefect'` "
            f"{statistics.median(self.prefect_imports):.2f} s; games {games}"
        )
        goal_s = self.goal().limit
        header = ("situation", "wall", "cpu", "startup", "server start", "flow run", "exit")
        print(
            f"{header[0]:<10}"
            + "".join(f"{h:>13}" for h in header[1:])
            + f"  vs the {goal_s} s goal ({GOAL_S} s where `import prefect` took "
            f"{GOAL_SET_AT_IMPORT_S} s)"
        )
        for situation, rs in self.runs.items():
            wall = statistics.median(r.wall for r in rs)
            parts = ("cpu", "startup", "server_start", "flow", "exit")
            figures = [statistics.median(getattr(r, part) for r in rs) for part in parts]
            cells = "".join(f"{f:>13.2f}" for f in (wall, *figures))
            verdict = f"{wall / goal_s:.2f}x {'PASS' if wall <= goal_s else 'MISS'}"
            print(f"{situation:<10}{cells}  {verdict}")
        for situation, rs in self.runs.items():
            print(f"  {situation} walls: {', '.join(f'{r.wall:.2f}' for r in rs)}")
        print(
            f"  imports (-X importtime, server up): {statistics.median(self.imports):.2f} s; "
            f"heaviest: {', '.join(self.heaviest)}"
        )


def measure(checkouts: list[Checkout], repeats: int) -> None:
    loads: list[float] = []
    with running_sandbox(SANDBOX) as base_url, tempfile.TemporaryDirectory() as scratch:
        for repeat in range(repeats):
            for n, checkout in enumerate(checkouts):
                loads.append(os.getloadavg()[0])
                checkout.measure_once(Path(scratch) / f"repeat-{repeat}-{n}", base_url)
            print(f"  repeat {repeat + 1}/{repeats} done", file=sys.stderr, flush=True)
    print(
        f"`gmp ingest-all --date {DAY}`, each a fresh process: median of {repeats} interleaved "
        f"repeats, seconds; load average {min(loads):.1f}-{max(loads):.1f} at their starts"
    )
    for checkout in checkouts:
        checkout.report()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--repo",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="checkout to measure, with its .venv (default: this one)",
    )
    parser.add_argument(
        "--before", type=Path, help="another checkout (its .venv) measured interleaved, first"
    )
    args = parser.parse_args()
    repos = [args.before, args.repo] if args.before else [args.repo]
    recording = Recording("commands")
    checkouts = [Checkout(repo.resolve()) for repo in repos]
    measure(checkouts, args.repeats)
    checkouts[-1].record(recording)
    recording.write(is_standard(parser, args))
    return 1 if recording.missed else 0


if __name__ == "__main__":
    sys.exit(main())
