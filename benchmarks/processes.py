"""The `gmp` processes the benchmarks start: their environment, their lines stamped as they
arrive, and the Prefect server they leave running."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rawg_simulator import free_port

# The pipeline's own settings: a benchmark sets each one it needs, none leaks in from the shell.
OWN_SETTINGS = ("PREFECT_", "RAWG_", "LAKE_", "AWS_", "DUCKDB_", "DBT_", "GMP_")
API_KEY = "benchmark-key"


def gmp_env(
    prefect_home: Path, base_url: str | None = None, **settings: str | Path
) -> dict[str, str]:
    """This process's environment without the pipeline's settings, for a `gmp` with a fresh
    PREFECT_HOME and server port, the sandbox at ``base_url`` as RAWG, and ``settings``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    env = {
        **inherited,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_API_PORT": str(free_port()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    if base_url is not None:
        env |= {"RAWG_BASE_URL": base_url, "RAWG_API_KEY": API_KEY}
    return env | {name: str(value) for name, value in settings.items()}


def gmp_server(action: str, env: dict[str, str], cwd: Path, python: str | Path = "") -> None:
    """`gmp server <action>` (``start`` or ``stop``) with ``python``, this one by default."""
    command = [str(python or sys.executable), "-m", "gmp", "server", action]
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Stamped:
    """A finished command: its wall time, its stdout, and its stderr lines with the seconds in
    at which each arrived."""

    wall: float
    stdout: str
    lines: list[tuple[float, str]]
    returncode: int

    def tail(self, count: int) -> str:
        return "".join(line for _, line in self.lines[-count:])


def run_stamped(command: list[str], env: dict[str, str], cwd: Path) -> Stamped:
    """Runs ``command``, stamping its stderr lines on arrival; stdout is read whole, beside it
    in this thread, so neither pipe fills while the other is read."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[tuple[float, str]] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append((time.perf_counter() - started, line))

    reader = threading.Thread(target=read_stderr)
    reader.start()
    stdout = process.stdout.read() if process.stdout else ""
    process.wait()
    wall = time.perf_counter() - started
    reader.join()
    return Stamped(wall, stdout, lines, process.returncode)


def first_marks(
    lines: list[tuple[float, str]], marks: dict[str, re.Pattern[str]]
) -> dict[str, float]:
    """When each mark's pattern first matched a line, in the lines' own seconds."""
    found: dict[str, float] = {}
    for at, line in lines:
        for mark, pattern in marks.items():
            if mark not in found and pattern.search(line):
                found[mark] = at
    return found
