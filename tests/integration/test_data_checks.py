"""The data checks after a daily run, on the sandbox: a day on which RAWG serves 5% of its
games raises the volume warning (its event, the run's artifact and state message), a normal
day raises none. Two daily runs over one lake, the first days of history landed directly."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from prefect.states import State

from flows.daily import daily_game_market_update
from game_market.checks.volume import MIN_HISTORY_DAYS
from game_market.ingest import ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.events import run_events
from tests.support.layout import LAKE, in_folder
from tests.support.prefect import run_details
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY

pytestmark = pytest.mark.usefixtures("prefect_harness")

THIN = SANDBOX_TODAY - timedelta(days=1)  # RAWG serves 5% of this day's games
NORMAL = THIN - timedelta(days=1)
HISTORY = [NORMAL - timedelta(days=n) for n in range(MIN_HISTORY_DAYS + 1, 0, -1)]
CHECK_EVENTS = "game-market.data-check."


@dataclass
class Runs:
    lake: Lake
    normal: State
    thin: State
    partial_parse_rewritten: bool  # by the second run's build or checks


async def land_history(url: str, lake: Lake) -> None:
    """The games of the days before NORMAL, as earlier daily runs would have left them."""
    async with RawgClient(base_url=url, api_key=SECRET_KEY) as client:
        for day in HISTORY:
            await ingest_partition(client, lake, "games", day, run_id="history")


def daily(day: date) -> State:
    return asyncio.run(daily_game_market_update(date=day, detail_budget=5, return_state=True))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    sandbox = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, thin_day=THIN)
    with running_sandbox(sandbox) as url, pytest.MonkeyPatch.context() as monkeypatch:
        folder = in_folder(tmp_path_factory.mktemp("checks"), monkeypatch)
        monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
        monkeypatch.setenv("RAWG_BASE_URL", url)
        lake = Lake(str(folder / LAKE))
        asyncio.run(land_history(url, lake))
        normal = daily(NORMAL)
        partial_parse = Path(os.environ["DBT_TARGET_PATH"]) / "partial_parse.msgpack"
        parsed = partial_parse.stat().st_mtime_ns
        thin = daily(THIN)
        yield Runs(lake, normal, thin, partial_parse.stat().st_mtime_ns != parsed)


def check_events(state: State) -> dict[str, dict]:
    events = asyncio.run(run_events(state.state_details.flow_run_id, CHECK_EVENTS, expect=3))
    return {event.event: event.payload for event in events}


def test_a_day_with_5_percent_of_the_usual_games_raises_the_volume_warning(runs: Runs) -> None:
    state = runs.thin
    # The data built: the run completes, and its state message says what the checks found.
    assert state.is_completed(), state.message
    thin_games = runs.lake.read_manifest("games", THIN).rows
    usual = runs.lake.read_manifest("games", NORMAL).rows
    assert 0 < thin_games <= usual * 0.1
    assert state.message.startswith(f"Data checks: volume warn: Only {thin_games} games updated")
    events = check_events(state)
    assert set(events) == {
        "game-market.data-check.freshness.ok",
        "game-market.data-check.volume.warn",
        "game-market.data-check.completeness.ok",
    }
    volume = events["game-market.data-check.volume.warn"]
    assert volume["day"] == str(THIN) and volume["games"] == thin_games
    assert volume["ratio"] < 0.3 and volume["history_days"] == len(HISTORY) + 1
    assert volume["message"].startswith(f"Only {thin_games} games updated on {THIN}, 0.0")
    # RAWG's count agreed with what it served: every game it counted landed
    completeness = events["game-market.data-check.completeness.ok"]
    assert completeness["landed"] == completeness["expected"] == thin_games

    markdown, logs = asyncio.run(run_details(state.state_details.flow_run_id))
    assert f"# Data checks for {THIN}" in markdown
    assert f"| volume | **warn** | {THIN} | Only {thin_games} games updated" in markdown
    assert f"Data check volume warn for {THIN}: Only {thin_games} games" in logs


def test_a_normal_day_raises_none(runs: Runs) -> None:
    state = runs.normal
    assert state.is_completed(), state.message
    assert state.message == "Data checks: all ok."
    events = check_events(state)
    assert set(events) == {
        f"{CHECK_EVENTS}{check}.ok" for check in ("freshness", "volume", "completeness")
    }
    freshness = events["game-market.data-check.freshness.ok"]
    assert freshness["day"] == str(NORMAL)
    assert set(freshness["sources"]) >= {"games", "genres", "game_details"}
    assert all(status == "pass" for status in freshness["sources"].values())
    assert events["game-market.data-check.volume.ok"]["history_days"] == len(HISTORY)
    markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    assert "Overall: **ok**" in markdown and "**warn**" not in markdown


def test_the_checks_read_dbt_s_project_back_from_the_build_s_partial_parse(runs: Runs) -> None:
    # `dbt source freshness` invoked as the build is: neither makes the other parse again.
    assert runs.thin.is_completed()
    assert not runs.partial_parse_rewritten
