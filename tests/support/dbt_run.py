"""A lake the real ingest wrote, and dbt run on it in its own process, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from game_market.endpoints import of_a_day
from game_market.ingest import ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient
from game_market.settings import DEFAULT_DUCKDB_PATH
from tests.support.sandbox import SECRET_KEY

DAYS = [date(2026, 1, 17), date(2026, 1, 18)]
TRANSFORMS = Path(__file__).resolve().parents[2] / "transforms"


async def fill(lake: Lake, url: str) -> None:
    await fill_days(lake, url, DAYS)


async def fill_days(lake: Lake, url: str, days: list[date]) -> None:
    async with RawgClient(base_url=url, api_key=SECRET_KEY) as client:
        for day in days:
            for endpoint in of_a_day():
                await ingest_partition(client, lake, endpoint, day, run_id=f"run-{day}")


def run_dbt(folder: Path, *command: str) -> None:
    """dbt in its own process, run from ``folder`` as a user runs it from a clone; it keeps no
    DuckDB handle open after. Its target and log folders are the worker's (tests/conftest.py),
    so under the tests' layout (tests/support/layout.py) it reads back their partial parse."""
    # what `make transform` does first: DuckDB does not create the warehouse's folder
    (folder / os.environ.get("DUCKDB_PATH", DEFAULT_DUCKDB_PATH)).parent.mkdir(
        parents=True, exist_ok=True
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *command,
            "--project-dir",
            str(TRANSFORMS),
            "--profiles-dir",
            str(TRANSFORMS),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
