"""Fixtures shared by every test module; helpers live in ``tests.support``.

Every test session gets its own PREFECT_HOME and dbt target and log folders, and no
telemetry (the cache of gmp's database template is shared: see below); so does every
pytest-xdist worker (each imports this file), so modules run side by side without sharing a
Prefect database or dbt's partial parse. A test's kind is its directory: ``tests/unit`` starts
no process and no server, ``tests/integration`` starts real ones (marked ``integration``),
``tests/infra`` checks Terraform and the operator scripts.
"""

from __future__ import annotations

import os
import shutil
import tempfile

# Nothing from a developer's own .env or shell may leak into a test's settings.
for _name in list(os.environ):
    if _name.startswith(("RAWG_", "LAKE_", "AWS_", "DUCKDB_", "DBT_")):
        del os.environ[_name]
_SESSION = tempfile.mkdtemp(prefix="gmp-test-session-")
os.environ["PREFECT_HOME"] = os.path.join(_SESSION, "prefect")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")
# dbt run in-process by the flows writes here, not into transforms/target.
os.environ["DBT_TARGET_PATH"] = os.path.join(_SESSION, "dbt-target")
os.environ["DBT_LOG_PATH"] = os.path.join(_SESSION, "dbt-logs")
# The migrated database template gmp seeds new Prefect homes from (gmp/server.py): not the
# user's cache, but shared by every worker and run, as it only depends on Prefect's version.
os.environ["XDG_CACHE_HOME"] = os.path.join(tempfile.gettempdir(), "gmp-test-cache")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.support import durations  # noqa: E402
from tests.support.scheduling import SharedFixtureScheduling, check_shared_fixtures  # noqa: E402

TESTS = Path(__file__).resolve().parent


# Measured by the suite itself (tests/support/durations.py): the slowest modules are handed
# out first. `--no-loadscope-reorder` keeps that order: xdist otherwise sorts modules by their
# number of tests, which left one-test modules of minutes for the end of a run.
DURATIONS = TESTS / "durations.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    durations.add_option(parser)


def pytest_configure(config: pytest.Config) -> None:
    durations.register(config, DURATIONS)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Modules to workers whole (``--dist loadfile`` in pyproject.toml), those that share a
    fixture together."""
    if config.getvalue("dist") == "loadfile":
        return SharedFixtureScheduling(config, log)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``integration`` marker comes from the directory, so no module can forget it."""
    for item in items:
        if TESTS / "integration" in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)
    check_shared_fixtures(items)
    durations.slowest_first(items, durations.expected_seconds(config, DURATIONS))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A passing session leaves nothing behind in the temp folder (~18 MB a worker); a failing
    one keeps its dbt and Prefect logs, in the folder this file names gmp-test-session-*."""
    if exitstatus == 0:
        shutil.rmtree(_SESSION, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so a stray .env or ./data is never read or written."""
    monkeypatch.chdir(tmp_path)
