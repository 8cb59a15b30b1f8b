"""The `rawg-api` global concurrency limit bounds RAWG requests across processes.

Three `gmp ingest-all` processes at once, each allowed 8 requests in flight, report to one
real Prefect server whose `rawg-api` limit is 4; one sandbox (50 ms a request) answers them
all and records the most requests it had in flight at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.rawg_limit import RAWG_LIMIT, PrefectSlots
from game_market.endpoints import of_a_day
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, free_port, running_sandbox
from tests.support.cli import isolated_env
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = date(2026, 1, 12)


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[str]:
    config = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, latency_ms=50)
    with running_sandbox(config) as url:
        yield url


async def set_limit(limit: int | None) -> None:
    async with get_client() as client:
        with contextlib.suppress(ObjectNotFound):
            await client.delete_global_concurrency_limit_by_name("rawg-api")
        if limit is not None:
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name="rawg-api", limit=limit)
            )


def ingest_all_at_once(tmp_path: Path, sandbox_url: str, processes: int) -> list[str]:
    """`gmp ingest-all` for DAY in ``processes`` processes started together; their stderr."""
    env = isolated_env(
        tmp_path,
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
        RAWG_API_KEY=SECRET_KEY,
        RAWG_BASE_URL=sandbox_url,
        RAWG_MAX_CONCURRENCY="8",
        PREFECT_LOGGING_LEVEL="INFO",
    )
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "gmp", "ingest-all", "--date", str(DAY)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**env, "LAKE_URL": str(tmp_path / f"lake-{n}")},
        )
        for n in range(processes)
    ]
    errors = [process.communicate(timeout=300)[1] for process in started]
    assert [process.returncode for process in started] == [0] * processes, errors
    return errors


def landed_ids(lake: Lake) -> dict[str, int]:
    counts = {}
    for endpoint in of_a_day():
        manifest = lake.read_manifest(endpoint, DAY)
        assert (manifest.gap == 0 and not manifest.truncated) or endpoint in (
            "developers",
            "publishers",
        ), manifest
        counts[endpoint] = manifest.rows
    return counts


def test_three_processes_never_exceed_the_shared_limit_and_land_every_row(
    tmp_path: Path, slow_sandbox: str
) -> None:
    asyncio.run(set_limit(4))
    reset_sandbox(slow_sandbox)
    try:
        errors = ingest_all_at_once(tmp_path, slow_sandbox, processes=3)
    finally:
        asyncio.run(set_limit(None))  # the Prefect server is the session's

    stats = sandbox_stats(slow_sandbox)
    assert 2 <= stats["max_in_flight"] <= 4, stats["max_in_flight"]
    lakes = [landed_ids(Lake(str(tmp_path / f"lake-{n}"))) for n in range(3)]
    assert lakes[0]["games"] > 0 and lakes[0] == lakes[1] == lakes[2]
    assert not any("global concurrency limit" in e for e in errors)


def test_without_the_limit_each_process_keeps_its_own_cap_and_says_so_once(
    tmp_path: Path, slow_sandbox: str
) -> None:
    asyncio.run(set_limit(None))
    reset_sandbox(slow_sandbox)

    errors = ingest_all_at_once(tmp_path, slow_sandbox, processes=2)

    assert sandbox_stats(slow_sandbox)["max_in_flight"] > 4  # 8 each: nothing shared bounds them
    for error in errors:
        assert error.count("No 'rawg-api' global concurrency limit on the Prefect server") == 1


def test_an_unreachable_server_leaves_the_process_cap_and_says_why() -> None:
    slots = PrefectSlots(RAWG_LIMIT, lease_s=70)

    async def acquire() -> object | None:
        with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{free_port()}/api"}):
            try:
                return await slots.acquire(8)
            finally:
                await slots.close()

    assert asyncio.run(acquire()) is None
    assert slots.absent_because == (
        "The Prefect server did not answer for the 'rawg-api' global concurrency limit "
        "(ConnectError)"
    )
