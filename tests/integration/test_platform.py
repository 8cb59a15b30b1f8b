"""The platform end to end, with real processes: `make start-native`'s script, the local
deployments from prefect.yaml, `prefect deployment run` as docs/operations.md shows, a process
worker, the S3 stand-in as the lake and the sandbox as RAWG (the session's ``native_platform``,
shared with the browser tests). The runs happen once, in ``runs``; each test reads what they
left."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import duckdb
import pytest

from tests.support.platform import (
    BACKFILL,
    DAILY,
    OFFLINE_KEY,
    NativePlatform,
)
from tests.support.prefect import run_details
from tests.support.sandbox import reset_sandbox, sandbox_stats


@dataclass(frozen=True)
class Runs:
    """The module's deployment runs, each final, and what the sandbox counted."""

    days: list[dt.date]  # the backfill's, the last the daily run's too
    daily: UUID
    backfill: UUID
    rerun: UUID
    rerun_requests: int
    fanned_days: list[dt.date]
    fanned: UUID


@pytest.fixture(scope="module")
def runs(native_platform: NativePlatform) -> Runs:
    platform = native_platform
    days = [platform.day(n) for n in (12, 11, 10, 9)]
    reset_sandbox(platform.sandbox_url)
    # Both at once, over a date they share: each partition of that day is one run's whole,
    # and their dbt builds take turns on the one DuckDB file (the dbt-build limit).
    daily = platform.deployment_run(DAILY, f"date={days[-1]}")
    backfill = platform.deployment_run(BACKFILL, f"start_date={days[0]}", f"end_date={days[-1]}")
    for run in (daily, backfill):
        platform.final_run(run)

    reset_sandbox(platform.sandbox_url)
    rerun = platform.deployment_run(BACKFILL, f"start_date={days[0]}", f"end_date={days[-1]}")
    platform.final_run(rerun)
    rerun_requests = sandbox_stats(platform.sandbox_url)["requests"]

    fanned_days = [platform.day(15), platform.day(14)]
    fanned = platform.deployment_run(
        BACKFILL,
        f"start_date={fanned_days[0]}",
        f"end_date={fanned_days[-1]}",
        "fan_out=deployments",
        'max_pages={"developers": 1}',  # passed on to the day that takes the reference lists
    )
    platform.final_run(fanned)

    return Runs(days, daily, backfill, rerun, rerun_requests, fanned_days, fanned)


def test_the_platform_schedules_the_daily_run_and_sets_its_limits(
    native_platform: NativePlatform,
) -> None:
    assert native_platform.daily_schedule() == ("0 3 * * *", "UTC")
    limits = native_platform.limits()
    assert (limits["dbt-build"], limits["rawg-api"]) == (1, 8)


def test_a_daily_run_and_a_backfill_at_once_land_each_day_whole(
    native_platform: NativePlatform, runs: Runs
) -> None:
    platform = native_platform
    for run in (runs.daily, runs.backfill):
        state, message = platform.outcome(run)
        assert state == "COMPLETED", message
    keys = platform.lake_keys()
    for day in runs.days:
        assert f"lake/raw/games/dt={day}/data.parquet" in keys, day
        assert f"lake/raw/game_details/dt={day}/_manifest.json" in keys, day
    shared = runs.days[-1]
    for endpoint in ("games", "game_details"):
        manifest = platform.manifest(endpoint, shared)
        assert platform.run_ids(endpoint, shared) == {manifest["run_id"]}, endpoint
    with duckdb.connect(str(platform.warehouse), read_only=True) as db:
        days = db.execute(
            "select count(distinct dt) from fct_game_daily_snapshots where dt between ? and ?",
            [runs.days[0], runs.days[-1]],
        ).fetchall()
        assert days == [(len(runs.days),)]
        assert db.execute("select count(*) from agg_releases_monthly").fetchall()[0][0] > 0


def test_a_backfill_run_again_fetches_nothing(native_platform: NativePlatform, runs: Runs) -> None:
    assert native_platform.outcome(runs.rerun)[0] == "COMPLETED"
    assert runs.rerun_requests == 0  # only_missing: nothing refetched


def test_a_fanned_out_backfill_runs_each_day_as_a_deployment_run(
    native_platform: NativePlatform, runs: Runs
) -> None:
    platform = native_platform
    assert platform.outcome(runs.fanned)[0] == "COMPLETED"
    assert sorted(platform.child_runs(runs.fanned)) == [
        (f"ingest-all-{day}", "COMPLETED") for day in runs.fanned_days
    ]
    keys = platform.lake_keys()
    for day in runs.fanned_days:
        assert f"lake/raw/games/dt={day}/data.parquet" in keys, day
    assert platform.manifest("developers", runs.fanned_days[-1])["pages"] == 1


# One of each way a run's input is refused, each with the sentence it ends in: a parameter the
# deployment's schema rejects, one the flow's own checks reject, and a setting in the run's
# environment. The other checks of each kind run in-process, in test_market_flows.py's
# bad-input tests.
BAD_RUNS = [  # (deployment, parameters, the run's environment, what its one sentence says)
    (DAILY, {"date": "2026-02-30"}, None, "date: Input should be a valid date"),
    (
        BACKFILL,
        {"start_date": "2026-01-10", "end_date": "2026-01-05"},
        None,
        "end_date 2026-01-05 is before start_date 2026-01-10: give the earlier date first.",
    ),
    (
        DAILY,
        {"date": "2026-01-14"},
        {"LAKE_URL": "ftp://nowhere/lake"},
        "uses unsupported scheme 'ftp'; use a folder or s3://",
    ),
]


def test_bad_input_through_deployment_run_is_one_sentence_before_any_side_effect(
    native_platform: NativePlatform,
) -> None:
    platform = native_platform
    reset_sandbox(platform.sandbox_url)
    keys = set(platform.lake_keys())
    created = [
        (platform.create_run(name, params, env), expected)
        for name, params, env, expected in BAD_RUNS
    ]
    for run, expected in created:
        state, message = platform.outcome(run)
        assert state == "FAILED" and expected in (message or ""), message
        assert "Traceback" not in message
    assert sandbox_stats(platform.sandbox_url)["requests"] == 0
    assert set(platform.lake_keys()) == keys


def test_the_platform_writes_no_key(native_platform: NativePlatform, runs: Runs) -> None:
    """After the module's runs, which the worker gave the key to: not in the platform's logs
    (the worker's holds its runs' output), the run's logs in the API, or any lake object. The
    sandbox's log is RAWG's side, which is sent the key."""
    platform, key = native_platform, OFFLINE_KEY.encode()
    files = [p for p in platform.run_dir.rglob("*") if p.is_file() and p.name != "sandbox.log"]
    assert {"server.log", "worker.log"} <= {path.name for path in files}
    leaks = [str(path) for path in files if key in path.read_bytes()]
    leaks += [k for k in platform.lake_keys() if key in platform.lake_object(k)]
    for run in (runs.daily, runs.backfill, runs.fanned):
        markdown, logged = asyncio.run(run_details(run, api=platform.api))
        leaks += [f"run {run}" for text in (markdown, logged) if OFFLINE_KEY in text]
    assert not leaks
