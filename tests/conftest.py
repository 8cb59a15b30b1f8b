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

TESTS = Path(__file__).resolve().parent


# The modules that take minutes (full dbt builds, a whole platform), slowest first, so that
# none is left running alone at the end of a parallel run: `--dist loadfile` hands out
# modules in collection order when `--no-loadscope-reorder` stops xdist sorting them by their
# number of tests (which put the one-test modules of minutes last). Order: the seconds each
# took in a clean clone's `.ci/run` on 2 cores (setup, call and teardown of its tests).
SLOWEST_FIRST = (
    "test_platform.py",
    "test_ui_runs.py",
    "test_prefect_deploy.py",
    "test_transforms.py",
    "test_alerts.py",
    "test_crash_recovery.py",
    "test_secret_hygiene.py",
    "test_market_flows.py",
    "test_readme_commands.py",
    "test_snowflake_flows.py",
    "test_chaos.py",
    "test_concurrent_runs.py",
    "test_snowflake_target.py",
    "test_bench_transform.py",
    "test_data_checks.py",
    "test_quota.py",
    "test_outage.py",
    "test_timeouts.py",
    "test_unavailable.py",
    "test_quarantine_cli.py",
    "test_bench_load.py",
    "test_demo.py",
    "test_ecs_worker.py",
    "test_dbt_node_tasks.py",
    "test_report_marts.py",
    "test_page_resume.py",
    "test_cli_process.py",
    "test_rawg_limit.py",
    "test_local_server.py",
    "test_setup_platform.py",
    "test_cloud_pool.py",
    "test_build_slot.py",
    "test_sandbox.py",
)


def pytest_configure(config: pytest.Config) -> None:
    durations.register(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``integration`` marker comes from the directory, so no module can forget it."""
    for item in items:
        if TESTS / "integration" in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)
    rank = {name: n for n, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(item.path).name, len(rank)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A passing session leaves nothing behind in the temp folder (~18 MB a worker); a failing
    one keeps its dbt and Prefect logs, in the folder this file names gmp-test-session-*."""
    if exitstatus == 0:
        shutil.rmtree(_SESSION, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so a stray .env or ./data is never read or written."""
    monkeypatch.chdir(tmp_path)
