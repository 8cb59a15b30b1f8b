"""The load benchmark in its quick mode, as `make bench` runs it: a process that backfills a
few small days from a faulty sandbox with `gmp backfill`, checks every row against the
sandbox's catalog and its requests against the minimum, prints its figures, and exits 0 only
when every target is met."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def figure(output: str, name: str) -> str:
    found = re.search(rf"^{re.escape(name)}\s+(\S.*?)\s*$", output, re.MULTILINE)
    assert found, f"{name!r} not printed:\n{output}"
    return found.group(1)


def numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def test_quick_load_lands_every_row_within_the_minimum_plus_retries() -> None:
    command = [sys.executable, "benchmarks/load.py", "--days", "3", "--games-per-day", "100"]
    command += ["--repeats", "1"]  # one backfill: the benchmark records nothing from it
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout
    assert result.returncode == 0, output + result.stderr[-3000:]

    assert numbers(figure(output, "days")) == [3, 3]
    landed, expected = numbers(figure(output, "games rows landed"))
    assert landed == expected > 200
    run, lake, sandbox = numbers(figure(output, "requests (run / lake / sandbox)"))
    minimum = numbers(figure(output, "minimum"))[0]
    retries = numbers(figure(output, "retries"))[0]
    faults = numbers(figure(output, "faults (not slow / slow)"))[0]
    assert run == lake == sandbox == minimum + retries
    assert retries == faults > 0  # the sandbox's faults were met, and each retried once
    assert numbers(figure(output, "wasted (requests - minimum - retries)")) == [0]
    assert 0 < numbers(figure(output, "peak RSS, gmp backfill"))[0] <= 2048
    assert "`python -c 'import prefect'`" in output and "load average" in output
    assert output.count("  PASS  ") == 4 and "targets: all met" in output
