"""Fixtures shared by every test module; helpers live in ``tests.support``.

Every test session gets its own PREFECT_HOME and no telemetry, and a test's kind is its
directory: ``tests/unit`` starts no process and no server, ``tests/integration`` starts real
ones (marked ``integration``), ``tests/infra`` checks Terraform and the operator scripts.
"""

from __future__ import annotations

import os
import tempfile

_PREFECT_HOME = tempfile.mkdtemp(prefix="gmp-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")
# Nothing from a developer's own .env or shell may leak into a test's settings.
for _name in list(os.environ):
    if _name.startswith(("RAWG_", "LAKE_", "AWS_", "DUCKDB_")):
        del os.environ[_name]

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``integration`` marker comes from the directory, so no module can forget it."""
    for item in items:
        if TESTS / "integration" in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so a stray .env or ./data is never read or written."""
    monkeypatch.chdir(tmp_path)
