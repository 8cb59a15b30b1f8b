"""The flows users schedule: backfill, daily update and the dbt subflow, on the sandbox."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.runtime import flow_run as runtime_flow_run

from flows.backfill import game_market_backfill
from flows.daily import daily_game_market_update
from flows.transform import transform
from game_market.errors import PipelineError
from game_market.lake import Lake
from tests.support.built_days import copy_built_days
from tests.support.dbt_run import run_dbt
from tests.support.layout import LAKE, WAREHOUSE, in_folder
from tests.support.prefect import run_details, task_runs
from tests.support.sandbox import SECRET_KEY, reset_sandbox, sandbox_stats

pytestmark = pytest.mark.usefixtures("prefect_harness")

START, END = date(2026, 1, 15), date(2026, 1, 19)
DAYS = [date(2026, 1, d) for d in range(15, 20)]


@pytest.fixture
def env(sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in its own folder, the lake and warehouse at a clone's defaults under it."""
    in_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("RAWG_BASE_URL", sandbox_url)
    reset_sandbox(sandbox_url)
    return tmp_path


def backfill(**options):
    options = {"start_date": START, "end_date": END, "detail_budget": 10, **options}
    return asyncio.run(game_market_backfill(**options, return_state=True))


async def child_runs(parent_id) -> list:
    async with get_client() as client:
        return await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id])
            )
        )


async def subflow_names(parent_id) -> list[str]:
    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id])
            )
        )
    return [run.name for run in runs]


def scalar(warehouse: Path, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as db:
        return db.execute(sql).fetchall()[0][0]


def test_backfill_lands_every_day_builds_once_and_a_rerun_costs_nothing(
    env: Path, sandbox_url: str
) -> None:
    # every page of developers, raised from its default 5: still taken once, for the end date
    state = backfill(max_concurrent_days=2, max_pages={"developers": -1})
    assert state.is_completed(), state.message
    result = state.result()
    assert result["dates_done"] == [str(d) for d in DAYS]
    assert result["requests"] == sandbox_stats(sandbox_url)["requests"] > 0

    lake = Lake(str(env / LAKE))
    for day in DAYS:
        assert lake.is_complete("games", day) and lake.is_complete("game_details", day), day
    # reference lists are the current listing whatever the date: taken once, for the end date
    assert lake.partitions("genres") == [END] == lake.partitions("developers")
    developers = lake.read_manifest("developers", END)
    assert developers.pages > 5 and not developers.truncated
    assert developers.rows == developers.expected_rows
    assert sandbox_stats(sandbox_url)["by_endpoint"]["developers"] == developers.requests

    names = asyncio.run(subflow_names(state.state_details.flow_run_id))
    assert names.count("dbt-build-duckdb") == 1  # one build for the whole range
    warehouse = env / WAREHOUSE
    snapshot_days = scalar(warehouse, "select count(distinct dt) from fct_game_daily_snapshots")
    assert snapshot_days == len(DAYS)

    markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    assert "**5 of 5 dates done**; 0 remain." in markdown and "rawg.io" in markdown
    # the data checks of every date the backfill built, the lake's freshness once
    assert f"# Data checks for {START}..{END}" in markdown
    assert markdown.count("| volume | ok |") == markdown.count("| completeness | ok |") == 5
    assert markdown.count("| freshness | ok |") == 1
    assert state.message == "Data checks: all ok."

    reset_sandbox(sandbox_url)
    again = backfill()
    assert again.is_completed(), again.message
    assert sandbox_stats(sandbox_url)["requests"] == 0  # only_missing: nothing refetched


def test_a_spent_budget_stops_cleanly_and_the_rerun_resumes(env: Path, sandbox_url: str) -> None:
    state = backfill(max_requests=30, max_concurrent_days=1)
    assert state.is_failed()
    message = state.message
    assert message.startswith("Backfill incomplete: ")
    assert "the request budget of 30 ran out" in message and "Rerun the same backfill" in message
    assert sandbox_stats(sandbox_url)["requests"] <= 30
    markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    assert "**remaining**" in markdown and "| done |" in markdown

    lake = Lake(str(env / LAKE))
    landed = {
        (endpoint, day): lake.read_manifest(endpoint, day).run_id
        for endpoint in ("games", "game_details", "genres")
        for day in lake.partitions(endpoint)
    }
    assert landed  # something landed before the budget ran out, and it is kept
    rerun = backfill()
    assert rerun.is_completed(), rerun.message
    for (endpoint, day), run_id in landed.items():
        assert lake.read_manifest(endpoint, day).run_id == run_id  # not fetched again


def test_an_unknown_endpoint_in_max_pages_fails_in_one_sentence_before_any_request(
    env: Path, sandbox_url: str
) -> None:
    state = asyncio.run(
        daily_game_market_update(date=date(2026, 1, 18), max_pages={"gamez": 3}, return_state=True)
    )
    assert state.is_failed()
    assert state.message == (
        "max_pages names 'gamez', which is not a list endpoint: use games, genres, platforms, "
        "parent_platforms, developers, publishers (game_details takes detail_budget)."
    )
    assert sandbox_stats(sandbox_url)["requests"] == 0


@pytest.mark.parametrize(
    ("options", "settings", "expected"),
    [
        ({"date": date(2099, 1, 1)}, {}, "date 2099-01-01 is in the future"),
        ({"max_pages": {"games": -3}}, {}, "max_pages for games must be -1 (every page)"),
        ({}, {"RAWG_MAX_CONCURRENCY": "many"}, "RAWG_MAX_CONCURRENCY (got 'many') is invalid"),
    ],
    ids=["future date", "page cap", "setting"],
)
def test_bad_input_to_the_daily_flow_is_one_sentence_before_any_request(
    options: dict,
    settings: dict[str, str],
    expected: str,
    env: Path,
    sandbox_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As a deployment's run meets them (test_platform.py runs one of each kind on a worker)."""
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    options = {"date": date(2026, 1, 18), **options}
    state = asyncio.run(daily_game_market_update(**options, return_state=True))
    assert state.is_failed()
    assert expected in (state.message or "") and "Traceback" not in (state.message or "")
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_bad_dates_fail_in_one_sentence_before_any_request(env: Path, sandbox_url: str) -> None:
    state = backfill(start_date=END, end_date=START)
    assert state.is_failed()
    assert state.message == (
        "end_date 2026-01-15 is before start_date 2026-01-19: give the earlier date first."
    )
    four_years = backfill(start_date=date(2022, 1, 19), end_date=END)
    assert four_years.is_failed()
    assert four_years.message == (
        "2022-01-19..2026-01-19 is 1,462 days, over 3 years: at ~120 RAWG requests a day that "
        "is ~175,440 requests, against 20,000 a month on the free tier; pass "
        "confirm_long_range=true (gmp: --confirm-long-range) to run it."
    )
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_a_failing_dbt_test_fails_the_subflow_naming_the_nodes(
    env: Path, sandbox_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy_built_days(tmp_path_factory, sandbox_url, env)
    # A calendar that starts after the data breaks the relationships into dim_date.
    state = transform(vars={"calendar_start": "2030-01-01"}, return_state=True)
    assert state.is_failed()
    assert state.message.startswith("dbt build failed on ")
    assert "test relationships_fct_game_daily_snapshots_dt__date_day__ref_dim_date_" in (
        state.message
    )
    with pytest.raises(PipelineError):
        state.result()
    markdown, logs = asyncio.run(run_details(state.state_details.flow_run_id))
    # The artifact lists every node, the failing ones first; dbt's lines are the run's log.
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    assert f"{len(rows)} nodes (" in markdown and len(rows) > 150
    assert rows[0].startswith("| test | relationships\\_") and "**fail**" in rows[0]
    assert "Done. PASS=" in logs
    # node_tasks is off by default: no task run per node (tests/integration/test_dbt_node_tasks.py)
    assert asyncio.run(task_runs(state.state_details.flow_run_id)) == []


def test_a_second_build_reads_the_project_back_from_its_partial_parse(
    env: Path, sandbox_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy_built_days(tmp_path_factory, sandbox_url, env)
    # The first build at this layout parses the project if the last one of this worker's was
    # at another.
    assert transform(return_state=True).is_completed()
    target = Path(os.environ["DBT_TARGET_PATH"])
    partial_parse = target / "partial_parse.msgpack"
    written = partial_parse.stat().st_mtime_ns
    # The dbt CLI as `make transform` runs it renders the flows' profile: it parses nothing.
    run_dbt(env, "parse")
    assert partial_parse.stat().st_mtime_ns == written
    for artifact in ("manifest.json", "run_results.json"):  # other builds of this worker's
        (target / artifact).unlink(missing_ok=True)
    dbt_log = Path(os.environ["DBT_LOG_PATH"]) / "dbt.log"
    logged = dbt_log.stat().st_size
    assert transform(return_state=True).is_completed()
    # dbt rewrites the file only when it had to parse the project again.
    assert partial_parse.stat().st_mtime_ns == written
    # The subflow's defaults (flows.transform.BUILD_DEFAULTS): no JSON artifacts, an info log.
    assert not (target / "manifest.json").exists() and not (target / "run_results.json").exists()
    with dbt_log.open("rb") as log:
        log.seek(logged)
        lines = log.read().decode().splitlines()
    assert any("[info ]" in line and "Completed successfully" in line for line in lines)
    assert not [line for line in lines if "[debug]" in line]


def test_daily_collects_the_day_before_its_scheduled_start(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What prefect.runtime reports for a run the 03:00 UTC schedule created on 2026-01-19.
    scheduled = datetime(2026, 1, 19, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(runtime_flow_run, "scheduled_start_time", scheduled, raising=False)
    # The seed's run options too: page caps by endpoint and a full refresh of the build.
    state = asyncio.run(
        daily_game_market_update(
            detail_budget=5,
            max_pages={"developers": 1, "games": -1},
            full_refresh=True,
            return_state=True,
        )
    )
    assert state.is_completed(), state.message
    assert state.result()["date"] == "2026-01-18"
    lake = Lake(str(env / LAKE))
    assert lake.partitions("games") == [date(2026, 1, 18)] == lake.partitions("genres")
    developers = lake.read_manifest("developers", date(2026, 1, 18))
    assert (developers.pages, developers.truncated) == (1, True)
    publishers = lake.read_manifest("publishers", date(2026, 1, 18))
    assert publishers.pages > 1 and not publishers.truncated  # not named: its default (5)
    builds = asyncio.run(child_runs(state.state_details.flow_run_id))
    assert [(run.name, run.parameters["full_refresh"]) for run in builds] == [
        ("dbt-build-duckdb", True)
    ]

    markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    assert "Game market report for 2026-01-18" in markdown
    assert "rawg.io" in markdown
    warehouse = env / WAREHOUSE
    assert scalar(warehouse, "select count(*) from dim_games") > 0
