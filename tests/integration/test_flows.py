"""The Prefect layer under prefect_test_harness, against the sandbox and a local lake."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from prefect import flow
from prefect.states import State

from flows.ingest import ingest_all, ingest_day, ingest_endpoint
from game_market.errors import ConfigError, PipelineError
from game_market.lake import Lake
from game_market.rawg import RawgClient, RequestBudget
from game_market.settings import load_settings
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.prefect import run_details
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats

DAY = date(2026, 1, 12)
pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def env(sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lake = tmp_path / "lake"
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("RAWG_BASE_URL", sandbox_url)
    monkeypatch.setenv("LAKE_URL", str(lake))
    reset_sandbox(sandbox_url)
    return lake


@dataclass(frozen=True)
class Landed:
    """One `ingest_all` of DAY into a lake of its own, and the requests the sandbox served."""

    lake: Path
    state: State
    served: dict[str, int]


@pytest.fixture(scope="module")
def landed(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Landed:
    lake = tmp_path_factory.mktemp("landed") / "lake"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
        monkeypatch.setenv("RAWG_BASE_URL", sandbox_url)
        monkeypatch.setenv("LAKE_URL", str(lake))
        reset_sandbox(sandbox_url)
        state = asyncio.run(ingest_all(date=DAY, detail_budget=10, return_state=True))
        served = sandbox_stats(sandbox_url)["by_endpoint"]
    return Landed(lake, state, served)


def test_ingest_all_lands_every_endpoint_and_reports_requests(landed: Landed) -> None:
    state = landed.state
    assert state.is_completed(), state.message
    reports = {r["endpoint"]: r for r in state.result()}
    lake = Lake(str(landed.lake))
    for endpoint in reports:
        assert lake.is_complete(endpoint, DAY), endpoint

    day_games = lake.read_partition("games", DAY)
    assert day_games.height == reports["games"]["rows"] > 0
    assert (day_games["updated"].dt.date() == DAY).all()
    assert lake.read_partition("genres", DAY).height == 19
    assert reports["developers"]["pages"] == 5 and reports["developers"]["rows"] == 200
    details = lake.read_partition("game_details", DAY)
    assert details.height == 10 and set(details["id"]) <= set(day_games["id"])
    top = day_games.sort(["added", "id"], descending=[True, False]).head(10)["id"]
    assert set(details["id"]) == set(top)  # the most-added games get the detail budget

    for endpoint, report in reports.items():
        assert report["requests"] == landed.served[endpoint], endpoint

    markdown, logs = asyncio.run(run_details(state.state_details.flow_run_id))
    assert (
        "| endpoint | dt | status | rows | pages | requests | retries | bytes | seconds |"
        in markdown
    )
    assert f"RAWG requests used: {sum(r['requests'] for r in reports.values()):,}" in markdown
    assert "rawg.io" in markdown
    assert "games dt=2026-01-12 landed" in logs
    everything = (
        markdown
        + logs
        + "".join(p.read_bytes().decode("latin-1") for p in landed.lake.rglob("*") if p.is_file())
    )
    assert SECRET_KEY not in everything


def test_ingest_endpoint_honours_max_pages(env: Path) -> None:
    result = asyncio.run(ingest_endpoint(endpoint="developers", date=DAY, max_pages=2))
    assert (result["pages"], result["rows"], result["truncated"]) == (2, 80, True)
    assert Lake(str(env)).read_manifest("developers", DAY).truncated
    everything = asyncio.run(ingest_endpoint(endpoint="publishers", date=DAY, max_pages=-1))
    assert (everything["rows"], everything["truncated"], everything["gap"]) == (75, False, 0)


def test_ingest_endpoint_takes_a_date_range(env: Path) -> None:
    """The ingest-endpoint deployment's date range: every day from date through end_date, a
    report each; a range given backwards is one sentence and fetches nothing."""
    first = date(2026, 1, 10)
    reports = asyncio.run(ingest_endpoint(endpoint="games", date=first, end_date=DAY))
    assert [r["dt"] for r in reports] == ["2026-01-10", "2026-01-11", "2026-01-12"]
    lake = Lake(str(env))
    for report in reports:
        day = date.fromisoformat(report["dt"])
        assert lake.read_partition("games", day).height == report["rows"] > 0

    state = asyncio.run(
        ingest_endpoint(endpoint="genres", date=DAY, end_date=first, return_state=True)
    )
    assert state.is_failed()
    assert (
        state.message
        == "end_date 2026-01-10 is before date 2026-01-12: give the earlier date first."
    )
    assert not lake.is_complete("genres", DAY)


def test_missing_key_stops_before_any_request(env: Path, sandbox_url: str, monkeypatch) -> None:
    monkeypatch.delenv("RAWG_API_KEY")
    with pytest.raises(ConfigError) as err:
        asyncio.run(ingest_all(date=DAY))
    assert "RAWG_API_KEY is not set" in str(err.value)
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_a_rejected_key_fails_every_endpoint_with_one_sentence(tmp_path: Path, monkeypatch) -> None:
    config = SandboxConfig(
        games=100, seed=2, days=30, today=SANDBOX_TODAY, valid_keys=frozenset({"ok"})
    )
    with running_sandbox(config) as url:
        monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
        monkeypatch.setenv("RAWG_BASE_URL", url)
        monkeypatch.setenv("LAKE_URL", str(tmp_path / "lake"))
        with pytest.raises(PipelineError) as err:
            asyncio.run(ingest_all(date=DAY))
        served = sandbox_stats(url)["requests"]
    message = str(err.value)
    assert "check RAWG_API_KEY" in message and message.count("check RAWG_API_KEY") == 1
    assert SECRET_KEY not in message
    # At most one refused request per endpoint, no retries, details never tried: a partition
    # whose task starts after the first 401 came back sends nothing.
    assert 1 <= served <= 6


def test_data_already_landed_survives_a_failing_endpoint(env: Path) -> None:
    settings = load_settings()
    lake = Lake.from_settings(settings)

    @flow
    async def budgeted() -> tuple[list, dict]:
        client = RawgClient.from_settings(settings, budget=RequestBudget(9))
        async with client:
            return await ingest_day(client, lake, DAY, run_id="budget-run")

    reports, failures = asyncio.run(budgeted())
    landed = {r.endpoint for r in reports}
    assert failures and landed  # some spent the budget first, some ran out
    for endpoint in landed:
        assert lake.is_complete(endpoint, DAY)
    for endpoint in failures:
        assert not lake.is_complete(endpoint, DAY)
    assert any("request budget" in message for message in failures.values())


def test_only_missing_skips_complete_partitions(
    env: Path, landed: Landed, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKE_URL", str(landed.lake))
    reports = asyncio.run(ingest_all(date=DAY, detail_budget=10, only_missing=True))
    assert {r["status"] for r in reports} == {"skipped"}
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_lake_rows_match_the_sandbox_for_the_day(env: Path, sandbox_url: str) -> None:
    asyncio.run(ingest_endpoint(endpoint="games", date=DAY))
    import httpx

    expected = httpx.get(
        f"{sandbox_url}/games", params={"key": "k", "updated": f"{DAY},{DAY}"}
    ).json()["count"]
    games = Lake(str(env)).read_partition("games", DAY)
    assert games.height == expected == games["id"].n_unique()
    assert games.schema["platforms"] == pl.List(games.schema["platforms"].inner)
