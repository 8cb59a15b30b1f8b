"""The seconds each test module takes (setup, call and teardown of its tests), as the suite
measures them: printed at the end of a run, ten slowest first, kept in pytest's cache
(``gmp/module-durations``), each run updating the modules it ran, and used to hand out the
slowest modules first.

A fresh clone has no cache: the order then comes from ``tests/durations.json``, which the
suite writes itself when run with ``--record-durations`` (a whole run of ``make test`` on the
machine the figures should describe)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.scheduling import scope_of

CACHE_KEY = "gmp/module-durations"
SHOWN = 10
RECORD_OPTION = "--record-durations"


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def read_committed(path: Path) -> dict[str, float]:
    return json.loads(path.read_text()) if path.is_file() else {}


def expected_seconds(config: pytest.Config, committed: Path) -> dict[str, float]:
    """Each module's last measured seconds: this checkout's cache over the committed file."""
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    return {**read_committed(committed), **(cache.get(CACHE_KEY, {}) if cache else {})}


def slowest_first(items: list[pytest.Item], seconds: dict[str, float]) -> None:
    """Sort ``items`` (in place, stably) so the slowest units of work come first (a module, or
    the modules that share a fixture: tests/support/scheduling.py), as xdist hands
    them out in this order and one left for the end runs alone. A module never measured may be
    slow, and starting it early costs nothing if it is not: it goes first."""
    unit_seconds: dict[str, float] = defaultdict(float)
    for module in {module_of(item.nodeid) for item in items}:
        unit_seconds[scope_of(module)] += seconds.get(module, float("inf"))
    items.sort(key=lambda item: -unit_seconds[scope_of(module_of(item.nodeid))])


class ModuleDurations:
    """A pytest plugin, registered on the process that reports (xdist's controller, or the
    only process), where every worker's reports arrive."""

    def __init__(self, config: pytest.Config, committed: Path) -> None:
        self.config = config
        self.committed = committed
        self.seconds: dict[str, float] = defaultdict(float)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[module_of(report.nodeid)] += report.duration

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        if not self.seconds:
            return
        measured = {module: round(s, 2) for module, s in self.seconds.items()}
        cache = getattr(self.config, "cache", None)
        if cache is not None:
            cache.set(CACHE_KEY, {**cache.get(CACHE_KEY, {}), **measured})
        if self.config.getoption(RECORD_OPTION):
            root = Path(self.config.rootpath)
            known = {**read_committed(self.committed), **measured}
            kept = {m: s for m, s in sorted(known.items()) if (root / m).is_file()}
            self.committed.write_text(json.dumps(kept, indent=1) + "\n")

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        slowest = sorted(self.seconds.items(), key=lambda pair: -pair[1])[:SHOWN]
        if not slowest:
            return
        shown = f"{len(slowest)} of {len(self.seconds)}"
        terminalreporter.section(f"slowest test modules ({shown}), seconds")
        for module, seconds in slowest:
            terminalreporter.write_line(f"{seconds:8.1f}  {module}")


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(
        RECORD_OPTION,
        action="store_true",
        help="write each module's measured seconds to tests/durations.json, the order a "
        "fresh clone's run hands modules out in",
    )


def register(config: pytest.Config, committed: Path) -> None:
    """Add the plugin where the reports arrive: not on an xdist worker."""
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ModuleDurations(config, committed), "gmp-module-durations")
