"""A day past the 500-page window lands whole, the games with no release date too.

The real sandbox serves a 1,500-game day with a window of 8 pages of 10 (RAWG's 500 pages of
40 scaled down), so the client splits the day by release date; the 44 games with no release
date match no range. The sandbox sorts nulls as PostgreSQL does (first in ``-released``),
and the partition holds every id of the sandbox's own catalog for the day. With nulls sorted
last, they are reported as unreachable and the rest still lands.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from game_market.ingest import IngestReport, ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient
from rawg_simulator import SandboxConfig, running_sandbox
from rawg_simulator.catalog import Catalog
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY

DAY = SANDBOX_TODAY - timedelta(days=1)
WINDOW_PAGES, PAGE_SIZE = 8, 10
SPLIT = f"query updated={DAY},{DAY}"


def sandbox(nulls_first_descending: bool) -> SandboxConfig:
    return SandboxConfig(
        games=1500,
        seed=11,
        days=1,
        today=SANDBOX_TODAY,
        max_pages_per_query=WINDOW_PAGES,
        nulls_first_descending=nulls_first_descending,
    )


def the_day(config: SandboxConfig) -> tuple[set[int], set[int]]:
    """The sandbox's own catalog for DAY: every id updated that day, and the undated ones."""
    catalog = Catalog(config)
    indexes, _ = catalog.timeline.updated_between(DAY, DAY)
    ids, released = catalog.columns.ids, catalog.columns.released
    return {ids[i] for i in indexes}, {ids[i] for i in indexes if not released[i]}


def ingest(config: SandboxConfig, lake: Lake) -> IngestReport:
    async def run(url: str) -> IngestReport:
        client = RawgClient(
            base_url=url, api_key=SECRET_KEY, window_pages=WINDOW_PAGES, page_size=PAGE_SIZE
        )
        async with client:
            return await ingest_partition(client, lake, "games", DAY, run_id="window-nulls")

    with running_sandbox(config) as url:
        return asyncio.run(run(url))


def landed_ids(lake: Lake) -> list[int]:
    return lake.read_partition("games", DAY, columns=["id"])["id"].to_list()


def test_every_row_of_a_day_past_the_window_lands(tmp_path: Path) -> None:
    config = sandbox(nulls_first_descending=True)
    lake = Lake(str(tmp_path))
    report = ingest(config, lake)
    every, undated = the_day(config)
    assert len(undated) == 44 and len(every) > WINDOW_PAGES * PAGE_SIZE
    landed = landed_ids(lake)
    assert len(landed) == len(set(landed)) and set(landed) == every  # one row per id, all
    assert report.expected_rows == report.rows == len(every) and report.gap == 0
    assert report.unreachable == 0
    assert f"{SPLIT} holds {len(every)} rows: split" in report.notes
    assert f"{SPLIT}: 44 rows with no release date reached through ordering=-released" in (
        report.notes
    )
    assert not any("cannot be fetched" in note for note in report.notes)
    # the 5 pages the 44 nulls fill (the last one ends in dated rows), nothing more
    assert report.requests == report.min_requests


def test_nulls_sorted_last_are_reported_and_the_rest_lands(tmp_path: Path) -> None:
    config = sandbox(nulls_first_descending=False)
    lake = Lake(str(tmp_path))
    report = ingest(config, lake)
    every, undated = the_day(config)
    assert report.status == "landed" and set(landed_ids(lake)) == every - undated
    assert report.gap == len(undated) == 44
    # the manifest says why they are missing: the completeness check names them unreachable
    assert report.unreachable == lake.read_manifest("games", DAY).unreachable == 44
    assert (
        f"{SPLIT}: 44 rows match no narrower query (no release date) and cannot be fetched "
        "past the 500-page window"
    ) in report.notes
    assert not any("reached through" in note for note in report.notes)
    assert report.requests == report.min_requests  # the one page that showed a date first
