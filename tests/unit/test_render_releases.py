"""The release backfill's artifact and its sentence for the months that remain."""

from __future__ import annotations

import datetime as dt

from game_market import ATTRIBUTION
from game_market.releases import MonthOutcome, ReleasePlan, ReleaseRun
from game_market.render.releases import release_markdown, remaining_sentence

MONTHS = [dt.date(2025, m, 1) for m in range(1, 5)]


def run_of(*outcomes: MonthOutcome, to_fetch: list[dt.date] = MONTHS) -> ReleaseRun:
    run = ReleaseRun(ReleasePlan(MONTHS, to_fetch, max_pages=10), requests=13)
    run.outcomes.update({o.month: o for o in outcomes})
    return run


def test_every_month_is_a_row_settled_landed_or_remaining() -> None:
    run = run_of(
        MonthOutcome(MONTHS[1], requests=10, rows=400, truncated=True, status="landed"),
        MonthOutcome(MONTHS[2], status="RAWG answered 503 for game_releases page 3."),
        to_fetch=MONTHS[1:],
    )
    lines = release_markdown(run).splitlines()
    assert lines[0] == "# Release backfill 2025-01 .. 2025-04"
    assert lines[2] == run.plan.cost_sentence(None)
    assert "**2 of 4 months done**." in lines
    header = "| month | status | requests | games landed | more beyond the cap | problem |"
    assert header in lines
    assert "|---|---|---:|---:|---|---|" in lines
    assert "| 2025-01 | skipped | 0 | 0 |  |  |" in lines
    assert "| 2025-02 | landed | 10 | 400 | yes |  |" in lines
    assert (
        "| 2025-03 | **remaining** | 0 | 0 |  | RAWG answered 503 for game\\_releases page 3. |"
        in lines
    )
    assert "| 2025-04 | **remaining** | 0 | 0 |  | not started |" in lines
    assert "RAWG requests used: 13." in lines
    assert lines[-1] == ATTRIBUTION


def test_the_remaining_months_and_their_cause() -> None:
    spent = run_of(
        MonthOutcome(MONTHS[0], status="landed"),
        *(MonthOutcome(m, status="RAWG request budget of 20 spent.") for m in MONTHS[1:]),
    )
    assert remaining_sentence(spent, 20) == (
        "Release backfill incomplete: 3 of 4 months remain (2025-02, 2025-03, 2025-04): the "
        "request budget of 20 ran out. Rerun the same release backfill to fetch just the months "
        "missing."
    )
    assert ": RAWG request budget of 20 spent. Rerun" in remaining_sentence(spent, None)
    mixed = run_of(MonthOutcome(MONTHS[0], status="a"), MonthOutcome(MONTHS[1], status="b"))
    assert ": see the run's artifact for each month's problem. " in remaining_sentence(mixed, None)
