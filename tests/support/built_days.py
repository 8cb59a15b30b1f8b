"""The lake of DAYS the real ingest wrote and the warehouse `dbt build` made of it, made once a
test session and shared by its xdist workers (the first to need it makes it, under a file lock,
while the others wait), then copied into each module's folder at a clone's layout: the modules
that need that warehouse need not pay for the same ingest and build again."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from game_market.lake import Lake
from tests.support.dbt_run import fill, run_dbt
from tests.support.layout import LAKE, WAREHOUSE, in_folder


def session_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder the whole session shares: under xdist, each worker's base folder is in it."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def copy_built_days(factory: pytest.TempPathFactory, sandbox_url: str, into: Path) -> None:
    """The built lake and warehouse of DAYS, copied to ``into`` (LAKE and WAREHOUSE under it).
    Every worker's session sandbox serves the same catalogue, so any of them can make it."""
    made = session_folder(factory) / "built-days"
    with FileLock(f"{made}.lock"):
        if not (made / "built").exists():
            shutil.rmtree(made, ignore_errors=True)
            with pytest.MonkeyPatch.context() as monkeypatch:
                in_folder(made, monkeypatch)
                # The profile's own target (DuckDB), whatever the requesting test set.
                monkeypatch.delenv("DBT_TARGET", raising=False)
                asyncio.run(fill(Lake(str(made / LAKE)), sandbox_url))
                run_dbt(made, "build")
            (made / "built").touch()
    shutil.copytree(made / LAKE, into / LAKE)
    (into / WAREHOUSE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(made / WAREHOUSE, into / WAREHOUSE)
