"""Where a test's lake and warehouse live: the layout a user's clone has, relative to the folder
the test runs in (``in_folder``), with LAKE_URL and DUCKDB_PATH left unset as a user leaves them.

dbt keeps its partial parse only while the profile renders the same, and DuckDB's path is part
of the profile: tests that each named their own absolute warehouse path parsed the whole
project for every build (~5 s on 2 cores). Under one relative layout, the builds of an xdist
worker share its target folder's partial parse (tests/conftest.py), as a user's builds do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from game_market.settings import DEFAULT_DUCKDB_PATH, Settings

LAKE = Path(Settings.model_fields["lake_url"].default)
WAREHOUSE = Path(DEFAULT_DUCKDB_PATH)


def in_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the rest of the test in ``folder``, its lake and warehouse at the defaults under it."""
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("LAKE_URL", raising=False)
    monkeypatch.delenv("DUCKDB_PATH", raising=False)
    return folder
