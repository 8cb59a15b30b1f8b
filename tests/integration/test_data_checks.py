"""The data checks after a daily run, on the sandbox, to the on-call person's webhook: a day on
which RAWG serves 5% of its games raises the volume warning (its event, the run's artifact and
state message, and one notification), a normal day raises none. Two `gmp daily` runs over one
lake, reporting to a Prefect server that runs the automations `gmp setup-platform` applied; the
first days of history landed directly."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterStartTime,
)
from prefect.client.schemas.objects import FlowRun

from game_market.checks.volume import MIN_HISTORY_DAYS
from game_market.ingest import ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient
from gmp.server import LocalServer
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.automation_server import delete_automations
from tests.support.cli import isolated_env, run_gmp
from tests.support.layout import LAKE
from tests.support.prefect import run_details, run_events
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY
from tests.support.webhook_receiver import webhook_receiver

THIN = SANDBOX_TODAY - timedelta(days=1)  # RAWG serves 5% of this day's games
NORMAL = THIN - timedelta(days=1)
HISTORY = [NORMAL - timedelta(days=n) for n in range(MIN_HISTORY_DAYS + 1, 0, -1)]
CHECK_EVENTS = "game-market.data-check."
QUIET_S = 8  # past a notification's delivery: long enough for an unexpected one to come


@dataclass
class Runs:
    api: str
    lake: Lake
    normal: FlowRun
    thin: FlowRun
    partial_parse_rewritten: bool  # by the second run's build or checks
    notified_after_normal: list[dict[str, Any]]
    notified_after_thin: list[dict[str, Any]]


async def land_history(url: str, lake: Lake) -> None:
    """The games of the days before NORMAL, as earlier daily runs would have left them."""
    async with RawgClient(base_url=url, api_key=SECRET_KEY) as client:
        for day in HISTORY:
            await ingest_partition(client, lake, "games", day, run_id="history")


def gmp(env: dict[str, str], folder: Path, *args: str) -> None:
    done = run_gmp(*args, env=env, cwd=folder, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


async def daily_run(api: str, day: date, since: datetime) -> FlowRun:
    """The daily run of ``day`` this module made: the server is shared with test_alerts, whose
    deployment runs may have collected the same date, and holds their scheduled runs."""
    async with PrefectClient(api=api) as client:
        runs = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["daily-game-market-update"])),
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)),
        )
    (run,) = [run for run in runs if run.parameters.get("date") == str(day)]
    return run


@pytest.fixture(scope="module")
def runs(alert_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("checks")
    api = alert_server.api_url
    sandbox = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, thin_day=THIN)
    with running_sandbox(sandbox) as url, webhook_receiver() as receiver:
        env = isolated_env(
            folder,
            PREFECT_API_URL=api,
            RAWG_API_KEY=SECRET_KEY,
            RAWG_BASE_URL=url,
            ALERT_WEBHOOK_URL=receiver.url,
        )
        since = datetime.now(UTC)
        gmp(env, folder, "setup-platform")
        lake = Lake(str(folder / LAKE))
        asyncio.run(land_history(url, lake))
        gmp(env, folder, "daily", "--date", str(NORMAL), "--detail-budget", "5")
        time.sleep(QUIET_S)
        after_normal = receiver.received
        partial_parse = Path(os.environ["DBT_TARGET_PATH"]) / "partial_parse.msgpack"
        parsed = partial_parse.stat().st_mtime_ns
        gmp(env, folder, "daily", "--date", str(THIN), "--detail-budget", "5")
        receiver.wait_for(len(after_normal) + 1, timeout=60)
        time.sleep(QUIET_S)
        yield Runs(
            api=api,
            lake=lake,
            normal=asyncio.run(daily_run(api, NORMAL, since)),
            thin=asyncio.run(daily_run(api, THIN, since)),
            partial_parse_rewritten=partial_parse.stat().st_mtime_ns != parsed,
            notified_after_normal=after_normal,
            notified_after_thin=receiver.received[len(after_normal) :],
        )
    asyncio.run(delete_automations(alert_server))


def check_events(runs: Runs, run: FlowRun) -> dict[str, dict]:
    three = run_events(run.id, CHECK_EVENTS, enough=lambda found: len(found) >= 3, api=runs.api)
    events = asyncio.run(three)
    return {event.event: event.payload for event in events}


def test_a_day_with_5_percent_of_the_usual_games_raises_the_volume_warning(runs: Runs) -> None:
    state = runs.thin.state
    # The data built: the run completes, and its state message says what the checks found.
    assert state.is_completed(), state.message
    thin_games = runs.lake.read_manifest("games", THIN).rows
    usual = runs.lake.read_manifest("games", NORMAL).rows
    assert 0 < thin_games <= usual * 0.1
    assert state.message.startswith(f"Data checks: volume warn: Only {thin_games} games updated")
    events = check_events(runs, runs.thin)
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

    markdown, logs = asyncio.run(run_details(runs.thin.id, api=runs.api))
    assert f"# Data checks for {THIN}" in markdown
    assert f"| volume | **warn** | {THIN} | Only {thin_games} games updated" in markdown
    assert f"Data check volume warn for {THIN}: Only {thin_games} games" in logs

    # The person on call is told once, in the check's own words.
    (alert,) = runs.notified_after_thin
    assert alert["subject"] == f"game-market: volume check warn for {THIN}"
    assert f"Day: {THIN}" in alert["body"]
    assert volume["message"] in alert["body"]


def test_a_normal_day_raises_none(runs: Runs) -> None:
    state = runs.normal.state
    assert state.is_completed(), state.message
    assert state.message == "Data checks: all ok."
    assert runs.notified_after_normal == []
    events = check_events(runs, runs.normal)
    assert set(events) == {
        f"{CHECK_EVENTS}{check}.ok" for check in ("freshness", "volume", "completeness")
    }
    freshness = events["game-market.data-check.freshness.ok"]
    assert freshness["day"] == str(NORMAL)
    assert set(freshness["sources"]) >= {"games", "genres", "game_details"}
    assert all(status == "pass" for status in freshness["sources"].values())
    assert events["game-market.data-check.volume.ok"]["history_days"] == len(HISTORY)
    markdown, _ = asyncio.run(run_details(runs.normal.id, api=runs.api))
    assert "Overall: **ok**" in markdown and "**warn**" not in markdown


def test_the_checks_read_dbt_s_project_back_from_the_build_s_partial_parse(runs: Runs) -> None:
    # `dbt source freshness` invoked as the build is: neither makes the other parse again.
    assert runs.thin.state.is_completed()
    assert not runs.partial_parse_rewritten
