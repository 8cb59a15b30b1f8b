"""Page-level resume: a partition that fails after some pages serves them from its journal on
the next attempt and asks RAWG only for the rest (and each query's first page)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from game_market.errors import RawgRequestFailed
from game_market.ingest import IngestReport, ingest_partition
from game_market.lake import Lake, PageJournal
from game_market.lake.journal import JOURNAL_FILE, journal_dir
from game_market.rawg import RawgClient
from tests.support.rawg_script import Answer, Script

DAY = date(2026, 1, 19)
PAGES = 12
COUNT = PAGES * 40


def page(number: int) -> Answer:
    ids = range((number - 1) * 40 + 1, number * 40 + 1)
    results = [{"id": i, "name": f"Game {i}", "slug": f"game-{i}"} for i in ids]
    return Answer(body={"count": COUNT, "next": None, "previous": None, "results": results})


def attempt(script: Script, lake: Lake) -> IngestReport:
    client = RawgClient(
        base_url="http://rawg.test/api",
        api_key="k",
        transport=script.transport(),
        max_retries=0,
        retry_budget_s=0,
        max_concurrency=2,
    )

    async def run() -> IngestReport:
        async with client:
            return await ingest_partition(client, lake, "games", DAY, run_id="r")

    return asyncio.run(run())


def test_a_failed_partition_resumes_from_the_pages_it_had(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    failing = 9  # its first answer is a 500; the attempt fails there, with no retry left
    script = Script({n: [page(n)] for n in range(1, PAGES + 1)})
    script.pages[failing] = [Answer(500, {"detail": "boom"}), page(failing)]
    with pytest.raises(RawgRequestFailed):
        attempt(script, lake)
    first_asked = set(script.pages_asked)
    assert (journal_dir(lake.url, "games", DAY.isoformat()) / JOURNAL_FILE).is_file()
    assert not lake.is_complete("games", DAY)

    script.seen.clear()
    report = attempt(script, lake)
    second_asked = set(script.pages_asked)
    # Page 1 again (the query's size now), then only what the first attempt did not get:
    # pages in flight when it failed were waited for and kept too.
    journaled = first_asked - {failing}
    assert second_asked == {1} | (set(range(1, PAGES + 1)) - journaled)
    assert len(journaled) > PAGES // 2
    assert report.resumed_pages == len(journaled - {1}) > 0
    assert report.requests == len(second_asked)
    assert (report.rows, report.gap) == (COUNT, 0)
    assert lake.read_partition("games", DAY)["id"].n_unique() == COUNT
    assert any(f"{report.resumed_pages} requests saved" in note for note in report.notes)
    assert not journal_dir(lake.url, "games", DAY.isoformat()).exists()  # published: gone


def test_a_record_cut_short_by_a_crash_is_dropped(tmp_path: Path) -> None:
    with PageJournal.kept(str(tmp_path), "games", "2026-01-19") as journal:
        journal.append("/games?x", 2, 80, [b'{"id":1}', b'{"id":2}'])
    assert not journal.directory.exists()  # the block ended normally: published, deleted

    with pytest.raises(RuntimeError), PageJournal.kept(str(tmp_path), "games", "d") as journal:
        journal.append("/games?x", 2, 80, [b'{"id":1}', b'{"id":2}'])
        journal.append("/games?x", 3, 80, [b'{"id":3}'])
        raise RuntimeError("killed")
    path = journal.directory / JOURNAL_FILE
    path.write_bytes(path.read_bytes()[:-3])  # the last item cut short
    with PageJournal.kept(str(tmp_path), "games", "d") as again:
        assert again.pages == {("/games?x", 2): (80, [b'{"id":1}', b'{"id":2}'])}
