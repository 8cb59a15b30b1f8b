"""A RAWG outage in the middle of a paged day is ridden out: for 90 s every answer is a 503, a
dropped connection or a 429 asking for 1 s, and the run then lands exactly what a clean run
lands, having retried through it (RAWG_RETRY_BUDGET_SECONDS, 120 s by default).

One sandbox serves a clean ingest of the day first (the reference lake), then the same ingest
with an outage that starts after the sandbox answered 3 of the day's games pages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.states import State

from flows.ingest import ingest_all
from game_market.endpoints import Endpoint, of_a_day
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.lake_compare import assert_same_lake
from tests.support.layout import LAKE, in_folder
from tests.support.sandbox import (
    SANDBOX_TODAY,
    SECRET_KEY,
    reset_sandbox,
    sandbox_stats,
    start_outage,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = SANDBOX_TODAY - timedelta(days=1)
OUTAGE_S = 90
BACKOFF_MAX_S = 30  # the client's backoff ceiling: how late a request may notice RAWG is back
GAMES_BEFORE = 3  # games pages answered before RAWG goes down


def ingest(root: Path, sandbox: str) -> State:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAWG_API_KEY", SECRET_KEY)
        env.setenv("RAWG_BASE_URL", sandbox)
        in_folder(root, env)
        return asyncio.run(ingest_all(date=DAY, detail_budget=10, return_state=True))


def requests(lake: Lake) -> dict[tuple[str, str], int]:
    """The RAWG requests (retries included) each partition's manifest says it cost."""
    costs = {}
    for endpoint in of_a_day():
        manifest = lake.read_manifest(endpoint, DAY)
        assert manifest is not None, endpoint
        costs[endpoint, DAY.isoformat()] = manifest.requests
    return costs


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    with running_sandbox(SandboxConfig(games=3000, seed=3, days=10, today=SANDBOX_TODAY)) as url:
        yield url


def test_a_90_second_outage_mid_day_is_ridden_out_and_lands_what_a_clean_run_lands(
    sandbox: str, tmp_path: Path
) -> None:
    reset_sandbox(sandbox)
    clean = ingest(tmp_path / "clean", sandbox)
    assert clean.is_completed(), clean.message
    clean_lake = Lake(str(tmp_path / "clean" / LAKE))
    clean_cost = requests(clean_lake)
    assert clean_cost[Endpoint.GAMES, DAY.isoformat()] >= 2 * GAMES_BEFORE  # a paged day

    reset_sandbox(sandbox)
    start_outage(sandbox, OUTAGE_S, after=GAMES_BEFORE, endpoint=Endpoint.GAMES)
    state = ingest(tmp_path / "outage", sandbox)
    ended = time.time()
    served = sandbox_stats(sandbox)
    outage = served["outage"]

    # The run went through the whole outage, every kind of failure met, and finished once
    # RAWG was back: within one backoff ceiling of its end.
    assert state.is_completed(), state.message
    answered = outage["answered"]
    assert outage["started_at"] is not None and answered["held"] == 0, outage
    assert all(answered[kind] for kind in ("503", "reset", "429")), outage
    assert OUTAGE_S <= ended - outage["started_at"] <= OUTAGE_S + BACKOFF_MAX_S + 15
    # It lands exactly what the clean run landed; every attempt is in the manifests' costs.
    lake = Lake(str(tmp_path / "outage" / LAKE))
    assert_same_lake(clean_lake, lake)
    cost = requests(lake)
    assert sum(cost.values()) == served["requests"] + sum(outage["answered"].values())
    assert cost[Endpoint.GAMES, DAY.isoformat()] > clean_cost[Endpoint.GAMES, DAY.isoformat()]
