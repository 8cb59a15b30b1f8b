from __future__ import annotations

import asyncio
from datetime import date

import pytest

from game_market.endpoints import ENDPOINTS, Kind, of_a_day, of_kind
from game_market.errors import PipelineError
from game_market.ingest import IngestReport, ingest_day, resolve_max_pages


def test_max_pages_defaults_and_all() -> None:
    assert resolve_max_pages(ENDPOINTS["developers"], None) == 5
    assert resolve_max_pages(ENDPOINTS["games"], None) is None
    assert resolve_max_pages(ENDPOINTS["publishers"], -1) is None
    assert resolve_max_pages(ENDPOINTS["publishers"], 12) == 12
    with pytest.raises(PipelineError, match="max_pages must be -1"):
        resolve_max_pages(ENDPOINTS["games"], -3)


def test_a_day_lands_details_after_their_source_and_keeps_what_landed() -> None:
    calls: list[tuple[str, date, str]] = []

    async def partition(client, lake, endpoint, day, *, run_id, **options) -> IngestReport:
        calls.append((endpoint, day, run_id))
        if endpoint == "genres":
            raise PipelineError("genres answered 500 five times.")
        return IngestReport(endpoint=endpoint, dt=day.isoformat(), rows=1)

    day = date(2026, 1, 1)
    reports, failures = asyncio.run(
        ingest_day(None, None, day, run_id="r1", partition=partition)  # type: ignore[arg-type]
    )
    independent = of_kind(Kind.DAILY) + of_kind(Kind.SNAPSHOT)
    assert [c[0] for c in calls] == [*independent, *of_kind(Kind.DETAILS)]
    assert {c[1:] for c in calls} == {(day, "r1")}
    assert failures == {"genres": "genres answered 500 five times."}
    assert {r.endpoint for r in reports} == set(of_a_day()) - {"genres"}


def test_a_day_skips_details_whose_source_did_not_land() -> None:
    async def partition(client, lake, endpoint, day, *, run_id, **options) -> IngestReport:
        if endpoint == "games":
            raise PipelineError("games: RAWG rejected the key.")
        return IngestReport(endpoint=endpoint, dt=day.isoformat())

    _, failures = asyncio.run(
        ingest_day(None, None, date(2026, 1, 1), run_id="r", snapshots=False, partition=partition)  # type: ignore[arg-type]
    )
    assert failures == {
        "games": "games: RAWG rejected the key.",
        "game_details": "skipped because games did not land.",
    }
