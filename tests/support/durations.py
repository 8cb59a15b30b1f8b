"""The seconds each test module takes (setup, call and teardown of its tests), as the suite
measures them: printed at the end of a run, ten slowest first, and kept in pytest's cache
(``gmp/module-durations``), each run updating the modules it ran."""

from __future__ import annotations

from collections import defaultdict

import pytest

CACHE_KEY = "gmp/module-durations"
SHOWN = 10


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class ModuleDurations:
    """A pytest plugin, registered on the process that reports (xdist's controller, or the
    only process), where every worker's reports arrive."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seconds: dict[str, float] = defaultdict(float)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[module_of(report.nodeid)] += report.duration

    @pytest.hookimpl
    def pytest_sessionfinish(self) -> None:
        cache = getattr(self.config, "cache", None)  # None with -p no:cacheprovider
        if cache is None or not self.seconds:
            return
        known = cache.get(CACHE_KEY, {})
        known.update({module: round(s, 2) for module, s in self.seconds.items()})
        cache.set(CACHE_KEY, known)

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        slowest = sorted(self.seconds.items(), key=lambda pair: -pair[1])[:SHOWN]
        if not slowest:
            return
        shown = f"{len(slowest)} of {len(self.seconds)}"
        terminalreporter.section(f"slowest test modules ({shown}), seconds")
        for module, seconds in slowest:
            terminalreporter.write_line(f"{seconds:8.1f}  {module}")


def register(config: pytest.Config) -> None:
    """Add the plugin where the reports arrive: not on an xdist worker."""
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ModuleDurations(config), "gmp-module-durations")
