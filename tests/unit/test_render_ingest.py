"""The ingest artifact: a table per endpoint, the quota used, failures, notes and drift."""

from __future__ import annotations

from game_market import ATTRIBUTION
from game_market.ingest import IngestReport
from game_market.render.ingest import ingest_markdown


def test_landed_failed_notes_and_drift_in_one_artifact() -> None:
    games = IngestReport(
        endpoint="games",
        dt="2026-01-05",
        rows=1024,
        pages=26,
        requests=27,
        retries=1,
        bytes=2_000_000,
        seconds=3.456,
        notes=["query updated=2026-01-05,2026-01-05 holds 25000 rows: split"],
        drift={"platforms[].released_at: expected date, got int": 2},
    )
    markdown = ingest_markdown(
        "Ingest of every endpoint for 2026-01-05",
        [games],
        {"genres": "RAWG answered 503 for genres page 1 [key=***]"},
        {"games": 27, "genres": 6},
    )
    lines = markdown.splitlines()
    assert lines[0] == "# Ingest of every endpoint for 2026-01-05"
    header = "| endpoint | dt | status | rows | pages | requests | retries | bytes | seconds |"
    assert header in lines
    assert "|---|---|---|---:|---:|---:|---:|---:|---:|" in lines
    assert "| games | 2026-01-05 | landed | 1,024 | 26 | 27 | 1 | 2,000,000 | 3.46 |" in lines
    assert "| genres |  | **failed** |  |  | 6 |  |  |  |" in lines
    assert "**RAWG requests used: 33** (1 retry; free tier: 20,000 a month)." in lines
    # Data from RAWG and error messages is made inert: no link, no emphasis, no table break.
    assert "- genres: RAWG answered 503 for genres page 1 \\[key=\\*\\*\\*\\]" in lines
    assert "- games 2026-01-05: platforms\\[\\].released\\_at: expected date, got int ×2" in lines
    assert lines[-1] == ATTRIBUTION


def test_a_clean_run_has_no_failure_note_or_drift_section() -> None:
    report = IngestReport(endpoint="genres", dt="2026-01-05", rows=19, pages=1, requests=1)
    markdown = ingest_markdown("Ingest genres for 2026-01-05", [report], {}, {"genres": 1})
    assert "## Failures" not in markdown
    assert "## Notes" not in markdown
    assert "## Schema drift" not in markdown
