"""How pytest-xdist hands tests to workers: a module at a time (its module fixtures start
once), except the modules that share a fixture too heavy to start twice, which go to one worker
together. (xdist's own ``--dist loadgroup`` would do it from a marker, but it marks
a test by rewriting an attribute pytest 9 no longer reads.)"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling

# A fixture started once for several modules -> those modules, run by one worker.
SHARED_FIXTURES = {
    "native_platform": ("tests/integration/test_platform.py", "tests/integration/test_ui_runs.py"),
}


def scope_of(module: str) -> str:
    """The unit of work ``module`` belongs to: its shared fixture's, else its own."""
    for fixture, modules in SHARED_FIXTURES.items():
        if module in modules:
            return fixture
    return module


class SharedFixtureScheduling(LoadFileScheduling):
    """``--dist loadfile``, where the modules of one shared fixture are one unit."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(super()._split_scope(nodeid))


def check_shared_fixtures(items: list[pytest.Item]) -> None:
    """A module that uses a shared fixture and is not listed with it would start another
    (on another worker)."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        for fixture, modules in SHARED_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()) and module not in modules:
                raise pytest.UsageError(
                    f"{module} uses the shared fixture {fixture}: add it to "
                    f"SHARED_FIXTURES in tests/support/scheduling.py, so it runs on the "
                    f"worker that starts {fixture} rather than starting another"
                )
