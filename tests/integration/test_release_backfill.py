"""The release-window backfill on a sandbox with enough releases a month: months land capped,
a rerun asks nothing, a refetch lands the same games, a budget below the cost stops cleanly,
and once a day has landed the build puts the released games in the marts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from prefect.settings import PREFECT_API_URL

from flows.releases import release_backfill
from game_market.lake import Lake
from game_market.releases import RELEASES
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.cli import isolated_env, run_gmp
from tests.support.dbt_run import fill_days
from tests.support.layout import LAKE, WAREHOUSE, in_folder
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats

pytestmark = pytest.mark.usefixtures("prefect_harness")

MONTHS = [date(2025, 11, 1), date(2025, 12, 1)]  # each with over 100 releases in the sandbox
DAY = date(2026, 1, 19)


@pytest.fixture(scope="module")
def releases_url() -> Iterator[str]:
    # 30,000 games: 117 and 138 released in the two months, so 2 pages of 40 cap each.
    config = SandboxConfig(games=30_000, seed=11, days=60, today=SANDBOX_TODAY)
    with running_sandbox(config) as url:
        yield url


@pytest.fixture
def env(releases_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    in_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("RAWG_BASE_URL", releases_url)
    reset_sandbox(releases_url)
    return tmp_path


def backfill(**options):
    options = {"start_month": "2025-11", "end_month": "2025-12", "max_pages": 2, **options}
    return asyncio.run(release_backfill(**options, return_state=True))


def landed_ids(lake: Lake) -> dict[date, list[int]]:
    return {m: sorted(lake.read_partition(RELEASES, m)["id"].to_list()) for m in MONTHS}


def test_months_land_capped_a_rerun_asks_nothing_and_the_marts_see_them(
    env: Path, releases_url: str
) -> None:
    state = backfill()
    assert state.is_completed(), state.message
    result = state.result()
    assert result["months_fetched"] == ["2025-11", "2025-12"] and not result["built"]
    assert "No warehouse build yet" in state.message  # a fresh lake: no day to build with
    assert result["requests"] == sandbox_stats(releases_url)["requests"] == 4
    lake = Lake(str(env / LAKE))
    first = landed_ids(lake)
    for month in MONTHS:
        manifest = lake.read_manifest(RELEASES, month)
        assert (manifest.rows, manifest.pages, manifest.truncated) == (80, 2, True), month
        released = lake.read_partition(RELEASES, month)
        assert released["released"].dt.month().unique().to_list() == [month.month]
        added = released.sort(["_page", "_pos"])["added"].to_list()
        assert added == sorted(added, reverse=True)  # most added first

    reset_sandbox(releases_url)
    again = backfill()
    assert again.is_completed(), again.message
    assert again.result()["months_fetched"] == []
    assert sandbox_stats(releases_url)["requests"] == 0  # both months settled: skipped

    refetched = backfill(only_missing=False)
    assert refetched.is_completed(), refetched.message
    assert landed_ids(lake) == first  # the same games land again

    asyncio.run(fill_days(lake, releases_url, [DAY]))
    built = backfill()
    assert built.is_completed(), built.message
    assert built.result()["built"]
    with duckdb.connect(str(env / WAREHOUSE), read_only=True) as db:
        staged, in_dim = db.execute(
            "select count(*), count(games.game_id) from stg_rawg__game_releases as releases "
            "left join dim_games as games on releases.game_id = games.game_id"
        ).fetchall()[0]
        by_month = db.execute(
            "select count(*) from dim_games where release_month in "
            "('2025-11-01', '2025-12-01') group by release_month order by release_month"
        ).fetchall()
    assert staged == in_dim == 160
    assert len(by_month) == 2 and all(count >= 80 for (count,) in by_month)


def test_a_budget_below_the_cost_is_said_first_and_stops_cleanly_at_the_cap(
    env: Path, releases_url: str
) -> None:
    process_env = isolated_env(
        env,
        RAWG_API_KEY=SECRET_KEY,
        RAWG_BASE_URL=releases_url,
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
    )
    args = ["--start", "2025-11", "--end", "2025-12", "--max-pages", "2", "--max-requests", "3"]
    result = run_gmp("backfill-releases", *args, env=process_env, cwd=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(
        "Release backfill 2025-11..2025-12: 2 of 2 months to fetch, up to 2 pages (the top 80 "
        "games) each: at most 4 RAWG requests (an upper bound; a month with fewer games costs "
        "less). --max-requests 3 is below it: the run stops cleanly at the cap"
    )
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: Release backfill incomplete: ")
    assert "the request budget of 3 ran out" in error and "Traceback" not in result.stderr
    assert sandbox_stats(releases_url)["requests"] <= 3

    reset_sandbox(releases_url)
    rerun = run_gmp("backfill-releases", *args[:-2], env=process_env, cwd=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "1 of 2 months to fetch (1 already landed, skipped)" in rerun.stdout
    assert sandbox_stats(releases_url)["requests"] <= 2
