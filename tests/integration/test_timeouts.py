"""A hung RAWG or a hung build ends the run as TimedOut within its flow's timeout, frees the
global concurrency slots it held, and keeps what had landed.

A real Prefect server with the platform's limits (`rawg-api`, `dbt-build`). RAWG: a backfill of
two days, one at a time, against a sandbox that holds every request open (unanswered) once it
has answered the first day's games and the first page of the second's. The build: the dbt
subflow, in a process of its own, on a project whose one model blocks for a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from flows.backfill import game_market_backfill
from flows.limits import BUILD_LIMIT, RAWG_LIMIT
from game_market.endpoints import Endpoint, Kind, of_kind
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.layout import LAKE, in_folder
from tests.support.sandbox import KEY, SANDBOX_TODAY, SECRET_KEY, sandbox_stats, start_outage

pytestmark = pytest.mark.usefixtures("prefect_harness")

HUNG_PROJECT = Path(__file__).resolve().parents[1] / "support" / "hung_dbt"
DAYS = [SANDBOX_TODAY - timedelta(days=2), SANDBOX_TODAY - timedelta(days=1)]
FLOW_TIMEOUT_S = 45
EPILOGUE_S = 10  # after the timeout: the cancelled tasks unwind, the final state is set


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    with running_sandbox(SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY)) as url:
        yield url


async def set_limits(limits: dict[str, int] | None) -> dict[str, int]:
    """The platform's limits on the server (None: none); their active slots."""
    async with get_client() as client:
        for name in (RAWG_LIMIT, BUILD_LIMIT):
            with contextlib.suppress(ObjectNotFound):
                await client.delete_global_concurrency_limit_by_name(name)
            if limits is not None:
                await client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=limits[name])
                )
        return {} if limits is None else await active_slots()


async def active_slots() -> dict[str, int]:
    async with get_client() as client:
        return {
            name: (await client.read_global_concurrency_limit_by_name(name)).active_slots
            for name in (RAWG_LIMIT, BUILD_LIMIT)
        }


@pytest.fixture
def platform_limits() -> Iterator[None]:
    assert asyncio.run(set_limits({RAWG_LIMIT: 8, BUILD_LIMIT: 1})) == {
        RAWG_LIMIT: 0,
        BUILD_LIMIT: 0,
    }
    yield
    asyncio.run(set_limits(None))


def games_pages(sandbox: str, day: str) -> int:
    params = {"key": KEY, "updated": f"{day},{day}", "page_size": 40}
    return math.ceil(httpx.get(f"{sandbox}/games", params=params).json()["count"] / 40)


def test_a_hung_rawg_times_out_frees_its_slots_and_keeps_what_landed(
    sandbox: str, tmp_path: Path, platform_limits: None
) -> None:
    first = games_pages(sandbox, str(DAYS[0]))
    start_outage(sandbox, 600, after=first + 1, endpoint=Endpoint.GAMES, hold=True)
    backfill = game_market_backfill.with_options(timeout_seconds=FLOW_TIMEOUT_S)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAWG_API_KEY", SECRET_KEY)
        env.setenv("RAWG_BASE_URL", sandbox)
        env.setenv("RAWG_TIMEOUT_SECONDS", "5")
        in_folder(tmp_path, env)
        started = time.monotonic()
        state = asyncio.run(
            backfill(
                start_date=DAYS[0],
                end_date=DAYS[1],
                max_concurrent_days=1,
                detail_budget=5,
                return_state=True,
            )
        )
    took = time.monotonic() - started

    assert state.name == "TimedOut", (state.name, state.message)
    assert f"exceeded timeout of {FLOW_TIMEOUT_S}" in (state.message or "")
    assert took <= FLOW_TIMEOUT_S + EPILOGUE_S
    assert sandbox_stats(sandbox)["outage"]["answered"]["held"] > 0  # RAWG did hang
    assert asyncio.run(active_slots()) == {RAWG_LIMIT: 0, BUILD_LIMIT: 0}
    # The first day and the reference lists landed whole; the second day's games did not.
    lake = Lake(str(tmp_path / LAKE))
    for endpoint in of_kind(Kind.DAILY) + of_kind(Kind.DETAILS):
        assert lake.is_complete(endpoint, DAYS[0]), endpoint
    for endpoint in of_kind(Kind.SNAPSHOT):
        assert lake.is_complete(endpoint, DAYS[1]), endpoint
    assert not lake.is_complete(Endpoint.GAMES, DAYS[1])


# In a process of its own: the timeout abandons dbt's node thread to its hung model, and dbt
# keeps process-wide state (its adapters, its target folder) that the next build in a test
# worker would meet. The process prints the run's state and how long the flow call took.
HUNG_BUILD = f"""
import sys, time
from pathlib import Path
import flows.transform
flows.transform.TRANSFORMS_DIR = Path({str(HUNG_PROJECT)!r})
started = time.monotonic()
state = flows.transform.transform.with_options(timeout_seconds=int(sys.argv[1]))(
    return_state=True
)
print(state.name, time.monotonic() - started, state.message, sep="\\n")
"""


def test_a_hung_build_times_out_and_frees_the_build_slot(
    tmp_path: Path, platform_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_timeout_s = 30  # dbt starts in ~10 s on a busy machine; the model blocks 60 s
    in_folder(tmp_path, monkeypatch)
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(
        [sys.executable, "-c", HUNG_BUILD, str(build_timeout_s)],
        env=env,
        capture_output=True,
        text=True,
        timeout=build_timeout_s + 60,
    )
    assert len(done.stdout.splitlines()) >= 3, done.stdout[-3000:] + done.stderr[-3000:]
    name, took, message = done.stdout.splitlines()[-3:]

    assert name == "TimedOut", (name, message, done.stderr[-3000:])
    assert float(took) <= build_timeout_s + EPILOGUE_S
    assert asyncio.run(active_slots()) == {RAWG_LIMIT: 0, BUILD_LIMIT: 0}
