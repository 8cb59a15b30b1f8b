"""The benchmarks' figures, kept in one results file per machine.

Each benchmark records its figures in a :class:`Recording` and writes them to
``benchmarks/results/<machine>.json``, merged by figure: a rerun of one benchmark replaces its
own figures and leaves the others'. The machine is ``BENCH_MACHINE`` when set, else the
number of cores (``2-core``): figures from machines of one size compare, as their
``import prefect`` times say. A figure is the median of its runs (three or more), with its
goal and verdict, and the conditions it was measured in: the machine's
``python -c 'import prefect'`` time, the load average at the start and the end of the
benchmark, the date and the git commit. ``benchmarks/page.py`` turns the files into the table
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
# The order `make bench` runs them in, which the page keeps.
BENCHMARKS = (
    "ingest",
    "transform",
    "dbt_subflow",
    "scale",
    "commands",
    "daily",
    "demo",
    "rawg_limit",
    "load",
)
MIN_RUNS = 3
MEASURED, RECORDED = "measured", "recorded"
# Changes to these do not make a measurement's commit differ from the code it measured.
OWN_FILES = ("benchmarks/results", "docs/benchmarks.md")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    "==": operator.eq,
}


def machine_label() -> str:
    return os.environ.get("BENCH_MACHINE") or f"{os.cpu_count()}-core"


def results_path(machine: str | None = None, directory: Path = RESULTS_DIR) -> Path:
    return directory / f"{machine or machine_label()}.json"


@dataclass(frozen=True)
class Goal:
    """What a figure must reach: ``value <op> limit``."""

    op: str
    limit: float

    def __post_init__(self) -> None:
        if self.op not in _OPERATORS:
            raise ValueError(f"goal operator {self.op!r} is not one of {sorted(_OPERATORS)}")

    def met(self, value: float) -> bool:
        return _OPERATORS[self.op](value, self.limit)


@dataclass
class Figure:
    name: str
    unit: str
    runs: list[float]
    goal: Goal | None = None
    # A count every run gives alike (rows, requests), taken once; a measurement needs runs.
    exact: bool = False

    @property
    def value(self) -> float:
        return statistics.median(self.runs)

    @property
    def verdict(self) -> str | None:
        if self.goal is None:
            return None
        return "PASS" if self.goal.met(self.value) else "MISS"


def import_prefect_seconds(env: dict[str, str] | None = None, repeats: int = 1) -> float:
    """`python -c 'import prefect'` in a fresh process, the median of ``repeats``: how fast
    the machine is right now."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import prefect"], env=env, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine_goal(op: str, limit: float, set_at_import_s: float, import_s: float) -> Goal:
    """A goal in time set on a machine where `import prefect` took ``set_at_import_s``, for
    this run's machine, where it took ``import_s``: machines of one size differ about 2x in
    speed, and the same work takes them the same multiple of that import."""
    return Goal(op, float(f"{limit * import_s / set_at_import_s:.3g}"))


def git_commit(root: Path = ROOT) -> str:
    """HEAD's short hash, ``+changes`` when tracked code differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short=7", "HEAD") or "unknown"
    excluded = [f":(exclude){path}" for path in OWN_FILES]
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", *excluded)
    return f"{commit}+changes" if changed else commit


def is_standard(parser: argparse.ArgumentParser, args: argparse.Namespace) -> bool:
    """Whether a run used the benchmark's own parameters, so its figures belong in the results
    file: every option at its default, apart from more repeats."""
    for name, value in vars(args).items():
        if name == "repeats":
            if value < MIN_RUNS:
                return False
        elif value != parser.get_default(name):
            return False
    return True


@dataclass
class Recording:
    """The figures of one benchmark run, written to the machine's results file at the end."""

    benchmark: str
    import_prefect_s: float | None = None
    figures: list[Figure] = field(default_factory=list)
    load_start: float = field(default_factory=lambda: os.getloadavg()[0])

    def __post_init__(self) -> None:
        if self.benchmark not in BENCHMARKS:
            raise ValueError(f"{self.benchmark!r} is not one of the benchmarks {BENCHMARKS}")

    def add(
        self,
        name: str,
        runs: Iterable[float],
        unit: str,
        goal: Goal | None = None,
        *,
        exact: bool = False,
    ) -> Figure:
        figure = Figure(name, unit, [float(run) for run in runs], goal, exact)
        self.figures.append(figure)
        return figure

    @property
    def missed(self) -> list[str]:
        return [figure.name for figure in self.figures if figure.verdict == "MISS"]

    def entries(self, commit: str, when: datetime) -> list[dict[str, Any]]:
        load = [round(self.load_start, 2), round(os.getloadavg()[0], 2)]
        import_s = self.import_prefect_s
        if import_s is None:
            import_s = import_prefect_seconds()
        return [
            entry(
                self.benchmark,
                figure,
                import_prefect_s=import_s,
                load=load,
                date=when.strftime("%Y-%m-%dT%H:%MZ"),
                commit=commit,
                source=MEASURED,
            )
            for figure in self.figures
        ]

    def write(self, standard: bool = True, directory: Path = RESULTS_DIR) -> Path | None:
        """Merge the figures into the machine's results file; a run with other parameters than
        the benchmark's own (``standard`` false) only prints them."""
        if not standard:
            print("figures not recorded: the benchmark ran with other parameters than its own")
            return None
        path = results_path(directory=directory)
        entries = self.entries(git_commit(), datetime.now(UTC))
        write_results(path, merge(read_results(path), entries))
        print(f"figures recorded in {path}")
        return path


def entry(
    benchmark: str,
    figure: Figure,
    *,
    import_prefect_s: float | None,
    load: Sequence[float],
    date: str,
    commit: str,
    source: str,
) -> dict[str, Any]:
    """One figure as the results file holds it."""
    if not figure.runs or (len(figure.runs) < MIN_RUNS and not figure.exact):
        raise ValueError(f"{figure.name}: {len(figure.runs)} runs, a median needs {MIN_RUNS}")
    goal = None if figure.goal is None else {"op": figure.goal.op, "limit": figure.goal.limit}
    return {
        "benchmark": benchmark,
        "name": figure.name,
        "value": significant(figure.value, figure.exact),
        "unit": figure.unit,
        "goal": goal,
        "verdict": figure.verdict,
        "runs": [significant(run, figure.exact) for run in figure.runs],
        "exact": figure.exact,
        "import_prefect_s": None if import_prefect_s is None else round(import_prefect_s, 2),
        "load": list(load),
        "date": date,
        "commit": commit,
        "source": source,
    }


def significant(value: float, exact: bool = False) -> float | int:
    """A measurement to the four significant digits it carries, a count whole; whole numbers
    as ints."""
    rounded = float(value if exact else f"{value:.4g}")
    return int(rounded) if rounded.is_integer() and (exact or abs(rounded) >= 1000) else rounded


def read_results(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return json.loads(path.read_text())["figures"]


def write_results(path: Path, figures: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One figure a line, so a rerun's diff shows which figures changed.
    lines = ",\n".join(f"    {json.dumps(figure, ensure_ascii=False)}" for figure in figures)
    head = f'{{\n  "machine": {json.dumps(path.stem)},\n  "figures": [\n'
    path.write_text(f"{head}{lines}\n  ]\n}}\n")


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``old`` with each of ``new`` in place of the figure of the same benchmark and name.

    A replaced figure keeps its place, a new one follows its benchmark's others; benchmarks
    stay in `make bench`'s order. A figure a benchmark no longer records stays until removed.
    """

    def key(figure: dict[str, Any]) -> tuple[str, str]:
        return figure["benchmark"], figure["name"]

    fresh = {key(figure): figure for figure in new}
    merged = [fresh.pop(key(figure), figure) for figure in old]
    merged += fresh.values()
    return sorted(merged, key=lambda figure: BENCHMARKS.index(figure["benchmark"]))
