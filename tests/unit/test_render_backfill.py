"""The backfill's artifact and its sentence for the dates that remain."""

from __future__ import annotations

import datetime as dt

import pytest

from game_market import ATTRIBUTION
from game_market.backfill import BackfillPlan, DayOutcome
from game_market.render.backfill import backfill_markdown, summarize_remaining

DAYS = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(7)]


def plan_of(*outcomes: DayOutcome, requests: int = 0) -> BackfillPlan:
    plan = BackfillPlan(DAYS, requests=requests)
    plan.outcomes.update({o.day: o for o in outcomes})
    return plan


def test_every_date_is_a_row_done_or_remaining_with_its_problem() -> None:
    plan = plan_of(
        DayOutcome(DAYS[0], requests=1234, rows=40_000, skipped=2),
        DayOutcome(DAYS[1], problem="games: RAWG answered 503 [key=***]"),
        requests=1240,
    )
    lines = backfill_markdown(plan, DAYS[0], DAYS[-1]).splitlines()
    assert lines[0] == "# Backfill 2026-01-01 .. 2026-01-07"
    assert "**1 of 7 dates done**; 6 remain." in lines
    assert "| date | status | requests | rows landed | partitions skipped | problem |" in lines
    assert "|---|---|---:|---:|---:|---|" in lines
    assert "| 2026-01-01 | done | 1,234 | 40,000 | 2 |  |" in lines
    # The problem is data: made inert, so no bracket turns into a link.
    assert (
        "| 2026-01-02 | **remaining** | 0 | 0 | 0 | games: RAWG answered 503 \\[key=\\*\\*\\*\\] |"
        in lines
    )
    assert "| 2026-01-03 | **remaining** | 0 | 0 | 0 | not started |" in lines
    assert "RAWG requests used: 1,240." in lines
    assert lines[-1] == ATTRIBUTION


@pytest.mark.parametrize(
    ("max_requests", "cause"),
    [
        (500, "the request budget of 500 ran out"),
        # Without a cap of the user's, the days' own sentence says why.
        (None, "not started: request budget spent"),
    ],
)
def test_a_spent_budget_is_named_as_the_cause(max_requests: int | None, cause: str) -> None:
    plan = plan_of(
        DayOutcome(DAYS[0]),
        *(DayOutcome(d, problem="not started: request budget spent") for d in DAYS[1:]),
    )
    assert summarize_remaining(plan, max_requests) == (
        "1 of 7 dates done; 6 remain (2026-01-02, 2026-01-03, 2026-01-04, 2026-01-05, "
        f"2026-01-06 ...): {cause}. Rerun the same backfill (only_missing) to fetch just what "
        "is missing."
    )


def test_one_problem_shared_by_every_date_is_the_cause_and_several_point_to_the_artifact() -> None:
    same = plan_of(*(DayOutcome(d, problem="games: RAWG is down.") for d in DAYS[:3]))
    assert ": games: RAWG is down. Rerun" in summarize_remaining(same, None)
    mixed = plan_of(DayOutcome(DAYS[0], problem="a"), DayOutcome(DAYS[1], problem="b"))
    assert ": see the run's artifact for each date's problem. " in summarize_remaining(mixed, 9)


def test_up_to_five_remaining_dates_are_named_in_full() -> None:
    plan = plan_of(
        *(DayOutcome(d) for d in DAYS[:2]), *(DayOutcome(d, problem="x") for d in DAYS[2:])
    )
    assert "5 remain (2026-01-03, 2026-01-04, 2026-01-05, 2026-01-06, 2026-01-07): x." in (
        summarize_remaining(plan, None)
    )
