"""Malformed API items are set aside, never landed and never fatal: paging, one partition and
the ingest artifact, driven through scripted answers on ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import orjson
import polars as pl

from game_market.ingest import ingest_partition
from game_market.lake import Lake
from game_market.lake.quarantine import MISSING_ID, NOT_A_LIST, NOT_AN_OBJECT, QUARANTINE_FILE
from game_market.rawg import RawgClient
from game_market.render.ingest import ingest_markdown
from tests.support.rawg_script import Answer, Script

DAY = date(2026, 1, 19)
BAD_ITEMS = [{"name": "no id"}, {"id": "12", "name": "text id"}, ["not", "an", "object"]]


def games(ids: list[int]) -> list[dict]:
    return [{"id": i, "name": f"Game {i}", "slug": f"game-{i}"} for i in ids]


def answer(count: int, results: object) -> Answer:
    return Answer(body={"count": count, "next": None, "previous": None, "results": results})


def land(script: Script, lake: Lake):
    client = RawgClient(
        base_url="http://rawg.test/api", api_key="k", transport=script.transport(), max_retries=0
    )

    async def run():
        async with client:
            return await ingest_partition(client, lake, "games", DAY, run_id="r1")

    return asyncio.run(run())


def test_bad_items_and_a_page_without_a_list_are_set_aside_and_the_rest_lands(
    tmp_path: Path,
) -> None:
    lake = Lake(str(tmp_path / "lake"))
    script = Script(
        {
            1: [answer(100, [*games(range(1, 38)), *BAD_ITEMS])],
            2: [answer(100, {"detail": "results moved"})],
            3: [answer(100, games(range(81, 101)))],
        }
    )
    report = land(script, lake)
    assert sorted(script.pages_asked) == [1, 2, 3]  # the odd page is not asked for again
    landed = lake.read_partition("games", DAY)["id"].to_list()
    assert landed == [*range(1, 38), *range(81, 101)]
    assert (report.status, report.rows, report.quarantined) == ("landed", 57, 4)
    assert report.quarantine_reasons == {
        MISSING_ID: 1,
        "id is not an integer (str)": 1,
        NOT_AN_OBJECT: 1,
        NOT_A_LIST: 1,
    }
    manifest = lake.read_manifest("games", DAY)
    assert manifest is not None and manifest.quarantined == 4
    assert manifest.quarantine_reasons == report.quarantine_reasons
    # The page's 40 rows never arrived: a gap, not a silent loss; the 3 bad items are not.
    assert report.gap == 100 - 57 - 3
    aside = pl.read_parquet(f"{lake.quarantine_dir('games', DAY)}/{QUARANTINE_FILE}")
    assert aside.select("reason", "_page", "_pos").rows()[-1] == (NOT_A_LIST, 2, None)
    assert orjson.loads(aside["_raw"][-1]) == {"detail": "results moved"}
    assert [orjson.loads(raw) for raw in aside["_raw"][:3]] == BAD_ITEMS
    where = f"{lake.quarantine_dir('games', DAY)}/{QUARANTINE_FILE}"
    noted = [note for note in report.notes if note.startswith("4 set aside, not landed")]
    assert len(noted) == 1 and where in noted[0]

    markdown = ingest_markdown("Ingest", [report], {}, {"games": 3})
    assert "**Quarantined: 4**" in markdown
    assert "4 set aside, not landed" in markdown


def test_a_clean_partition_sets_nothing_aside(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    report = land(Script({1: [answer(3, games([1, 2, 3]))]}), lake)
    assert (report.rows, report.quarantined, report.gap) == (3, 0, 0)
    assert not Path(lake.quarantine_dir("games", DAY)).exists()
    assert "Quarantined" not in ingest_markdown("Ingest", [report], {}, {"games": 1})
