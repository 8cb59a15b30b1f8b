"""The suite's own measure of its modules: the slowest printed at the end of a run, and every
module's seconds kept in pytest's cache for the next run."""

from __future__ import annotations

import json

import pytest

from tests.support.durations import CACHE_KEY, SHOWN

pytest_plugins = ["pytester"]

CONFTEST = """
from tests.support import durations

def pytest_configure(config):
    durations.register(config)
"""


def test_a_run_prints_its_slowest_modules_and_caches_every_modules_seconds(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST)
    sleeps = [n / 100 for n in range(11)] + [0.4]
    modules = {
        f"test_m{n:02d}": f"import time\ndef test_a():\n    time.sleep({seconds})\n"
        for n, seconds in enumerate(sleeps)
    }
    pytester.makepyfile(**modules)
    result = pytester.runpytest("-n", "0")
    result.assert_outcomes(passed=12)
    lines = result.stdout.lines
    title = next(n for n, line in enumerate(lines) if "slowest test modules" in line)
    assert "(10 of 12)" in lines[title]
    rows = [line.split() for line in lines[title + 1 :] if line.strip()][:SHOWN]
    shown = [(float(seconds), module) for seconds, module in rows]
    assert [seconds for seconds, _ in shown] == sorted((s for s, _ in shown), reverse=True)
    cached = json.loads((pytester.path / ".pytest_cache/v" / CACHE_KEY).read_text())
    assert set(cached) == {f"test_m{n:02d}.py" for n in range(12)}
    shown_modules = {module for _, module in shown}
    hidden = set(cached) - shown_modules
    # The cache keeps hundredths: the ten shown are the slowest, to that rounding.
    assert len(hidden) == 2
    assert min(cached[m] for m in shown_modules) >= max(cached[m] for m in hidden) - 0.01
    assert shown[0][1] == "test_m11.py" and cached["test_m11.py"] >= 0.4

    # A run of one module updates its own figure and keeps the others'.
    pytester.runpytest("-n", "0", "test_m00.py").assert_outcomes(passed=1)
    again = json.loads((pytester.path / ".pytest_cache/v" / CACHE_KEY).read_text())
    assert set(again) == set(cached) and again["test_m11.py"] == cached["test_m11.py"]
