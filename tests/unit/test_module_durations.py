"""The suite's own measure of its modules: the slowest printed at the end of a run, every
module's seconds kept in pytest's cache for the next run, written to the committed file with
``--record-durations``, and the order modules are handed out in."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.durations import CACHE_KEY, RECORD_OPTION, SHOWN

pytest_plugins = ["pytester"]

CONFTEST = """
from pathlib import Path

from tests.support import durations

COMMITTED = Path(__file__).parent / "durations.json"

def pytest_addoption(parser):
    durations.add_option(parser)

def pytest_configure(config):
    durations.register(config, COMMITTED)

def pytest_collection_modifyitems(config, items):
    durations.slowest_first(items, durations.expected_seconds(config, COMMITTED))
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


def collected_modules(pytester: pytest.Pytester) -> list[str]:
    result = pytester.runpytest("-n", "0", "--collect-only", "-q")
    modules = [line.split("::")[0] for line in result.stdout.lines if "::" in line]
    return list(dict.fromkeys(modules))


def test_a_fresh_clone_hands_out_modules_slowest_first_from_the_recorded_file(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST)
    sleeps = {"test_a": 0.3, "test_b": 0.0, "test_c": 0.15}
    pytester.makepyfile(
        **{name: f"import time\ndef test_x():\n    time.sleep({s})\n" for name, s in sleeps.items()}
    )
    pytester.runpytest("-n", "0", RECORD_OPTION).assert_outcomes(passed=3)
    recorded = json.loads((pytester.path / "durations.json").read_text())
    assert list(recorded) == ["test_a.py", "test_b.py", "test_c.py"]  # sorted: small diffs
    assert recorded["test_a.py"] >= 0.3 and recorded["test_c.py"] >= 0.15

    # A fresh clone: no cache, the committed file only; a module never measured goes first.
    shutil.rmtree(pytester.path / ".pytest_cache")
    pytester.makepyfile(test_new="def test_x():\n    pass\n")
    assert collected_modules(pytester) == ["test_new.py", "test_a.py", "test_c.py", "test_b.py"]

    # This checkout's own measures, in its cache, win over the committed file.
    cached = {"test_a.py": 0.01, "test_b.py": 9.0, "test_c.py": 1.0, "test_new.py": 0.5}
    cache_file = pytester.path / ".pytest_cache/v" / CACHE_KEY
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(json.dumps(cached))
    assert collected_modules(pytester) == ["test_b.py", "test_c.py", "test_new.py", "test_a.py"]

    # A run without the option leaves the committed file as it was.
    pytester.runpytest("-n", "0").assert_outcomes(passed=4)
    assert json.loads((pytester.path / "durations.json").read_text()) == recorded
