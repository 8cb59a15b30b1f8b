"""The release-window backfill's plan: months, their cost, and which months a rerun skips."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import orjson
import pytest

from game_market import dates
from game_market.dates import month_end, month_range, parse_month, recent_months
from game_market.endpoints import ENDPOINTS, Kind, of_a_day
from game_market.errors import ConfigError, PipelineError
from game_market.ingest import check_max_pages as check_day_caps
from game_market.ingest import ingest_partition
from game_market.lake import MANIFEST_FILE, Lake
from game_market.rawg import RawgClient
from game_market.releases import (
    DEFAULT_MAX_PAGES,
    RELEASES,
    ReleasePlan,
    check_max_pages,
    check_max_requests,
    is_settled,
    plan_releases,
    release_months,
)
from gmp.main import build_parser
from tests.support.rawg_script import Script, page

TODAY = date(2026, 3, 17)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "today_utc", lambda: TODAY)


def test_the_endpoint_is_declared_once_with_the_games_columns() -> None:
    spec = ENDPOINTS[RELEASES]
    assert (spec.path, spec.kind, spec.default_max_pages) == ("/games", Kind.RELEASES, 10)
    assert spec.schema.columns == ENDPOINTS["games"].schema.columns
    assert DEFAULT_MAX_PAGES == 10
    assert RELEASES not in of_a_day() and "games" in of_a_day()


def test_months_parse_and_end() -> None:
    assert parse_month("2025-02", "--start") == date(2025, 2, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2025, 12, 1)) == date(2025, 12, 31)
    with pytest.raises(PipelineError, match=r"^--start must be a month like 2026-01, not '2025'"):
        parse_month("2025", "--start")
    with pytest.raises(PipelineError, match=r"^--end 2026-04 is after the current month"):
        parse_month("2026-04", "--end")


def test_a_range_of_months_crosses_years_and_names_a_reversed_one() -> None:
    assert month_range(date(2025, 11, 1), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    with pytest.raises(PipelineError, match=r"^--end 2025-01 is before --start 2025-03: give"):
        month_range(date(2025, 3, 1), date(2025, 1, 1))


def test_the_default_is_the_12_months_up_to_and_including_the_current_one() -> None:
    assert recent_months(12) == (date(2025, 4, 1), date(2026, 3, 1))
    months = release_months(None, None, ("--start", "--end"))
    assert (len(months), months[0], months[-1]) == (12, date(2025, 4, 1), date(2026, 3, 1))
    # Only --end: the 12 months up to it; only --start: from it through the current month.
    assert release_months(None, "2025-06", ("--start", "--end"))[0] == date(2024, 7, 1)
    assert release_months("2026-01", None, ("--start", "--end"))[-1] == date(2026, 3, 1)


def test_the_cost_is_an_upper_bound_of_months_times_pages() -> None:
    months = month_range(date(2025, 4, 1), date(2026, 3, 1))
    plan = ReleasePlan(months, months, 10)
    assert plan.max_requests == 120
    sentence = plan.cost_sentence(None)
    assert sentence == (
        "Release backfill 2025-04..2026-03: 12 of 12 months to fetch, up to 10 pages (the top "
        "400 games) each: at most 120 RAWG requests (an upper bound; a month with fewer games "
        "costs less)."
    )
    assert "below it" not in plan.cost_sentence(120)
    capped = plan.cost_sentence(50, "--max-requests")
    assert capped.endswith(
        "--max-requests 50 is below it: the run stops cleanly at the cap, and a rerun fetches "
        "only the months still missing."
    )
    partly = ReleasePlan(months, months[-2:], 2)
    assert partly.max_requests == 4
    assert "2 of 12 months to fetch (10 already landed, skipped)" in partly.cost_sentence(None)


@pytest.mark.parametrize("pages", [0, -1, 251, True])
def test_a_page_cap_outside_1_to_250_is_one_sentence(pages: int) -> None:
    with pytest.raises(PipelineError, match=r"^--max-pages must be a page count from 1 to 250"):
        check_max_pages(pages, "--max-pages")


def test_max_requests_must_be_positive() -> None:
    assert check_max_requests(None) is None and check_max_requests(5) == 5
    with pytest.raises(PipelineError, match=r"^--max-requests must be a positive request count"):
        check_max_requests(0, "--max-requests")


def test_a_day_run_takes_no_release_page_cap() -> None:
    with pytest.raises(ConfigError, match="game_releases"):
        check_day_caps({"game_releases": 3})


def scripted_client(script: Script) -> RawgClient:
    return RawgClient(
        base_url="http://rawg.test/api",
        api_key="k",
        transport=script.transport(),
        max_retries=0,
        retry_budget_s=0,
        max_concurrency=2,
    )


def land(lake: Lake, month: date, script: Script, max_pages: int) -> None:
    async def run() -> None:
        async with scripted_client(script) as client:
            await ingest_partition(client, lake, RELEASES, month, run_id="r", max_pages=max_pages)

    asyncio.run(run())


def test_a_month_asks_for_its_release_window_most_added_first_up_to_the_cap(
    tmp_path: Path,
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    script = Script({n: [page(200, list(range(n * 100, n * 100 + 40)))] for n in range(1, 6)})
    land(lake, date(2024, 2, 1), script, max_pages=2)
    assert sorted(script.pages_asked) == [1, 2]
    assert {(q["dates"][0], q["ordering"][0]) for q in script.seen} == {
        ("2024-02-01,2024-02-29", "-added")
    }
    manifest = lake.read_manifest(RELEASES, date(2024, 2, 1))
    assert manifest is not None and (manifest.rows, manifest.truncated) == (80, True)


def test_a_month_partition_starts_on_the_first_day(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"give the month's first day, 2024-02-01, not"):
        land(Lake(str(tmp_path / "lake")), date(2024, 2, 15), Script({}), max_pages=1)


def landed_on(lake: Lake, month: date, written_at: str) -> None:
    """The month's partition, as if published at ``written_at``."""
    land(lake, month, Script({1: [page(3, [1, 2, 3])]}), max_pages=1)
    path = Path(lake.partition_dir(RELEASES, month)) / MANIFEST_FILE
    manifest = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps({**manifest, "written_at": written_at}))


def test_a_month_landed_after_it_ended_is_settled_and_skipped(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    landed_on(lake, date(2025, 12, 1), "2026-01-01T00:05:00+00:00")
    landed_on(lake, date(2026, 1, 1), "2026-01-20T10:00:00+00:00")  # during the month
    landed_on(lake, date(2026, 3, 1), "2026-03-17T10:00:00+00:00")  # the current month
    assert is_settled(lake, date(2025, 12, 1))
    assert not is_settled(lake, date(2026, 1, 1)) and not is_settled(lake, date(2026, 3, 1))
    assert not is_settled(lake, date(2026, 2, 1))  # not landed

    months = month_range(date(2025, 12, 1), date(2026, 3, 1))
    plan = plan_releases(lake, months, 3)
    assert plan.to_fetch == months[1:]
    assert plan.max_requests == 9
    assert plan_releases(lake, months, 3, only_missing=False).to_fetch == months


def test_the_command_line_defaults() -> None:
    args = build_parser().parse_args(["backfill-releases"])
    assert (args.start, args.end, args.max_pages, args.max_requests) == (None, None, 10, None)
    assert args.only_missing is True
    args = build_parser().parse_args(
        ["backfill-releases", "--start", "2025-01", "--end", "2025-02", "--max-pages", "2"]
    )
    assert (args.start, args.end, args.max_pages) == ("2025-01", "2025-02", 2)
