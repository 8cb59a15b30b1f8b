"""The backfill's artifact (every date, done or remaining) and its sentence for what remains."""

from __future__ import annotations

import datetime as dt

from game_market import ATTRIBUTION
from game_market.backfill import BUDGET_SPENT, BackfillPlan, DayOutcome
from game_market.render.markdown import strong, table


def backfill_markdown(plan: BackfillPlan, start: dt.date, end: dt.date) -> str:
    rows = []
    for day in plan.days:
        o = plan.outcomes.get(day, DayOutcome(day, problem="not started"))
        status = "done" if o.done else strong("remaining")
        rows.append([day, status, f"{o.requests:,}", f"{o.rows:,}", o.skipped, o.problem or ""])
    headers = ["date", "status", "requests", "rows landed", "partitions skipped", "problem"]
    lines = [
        f"# Backfill {start} .. {end}",
        "",
        f"**{len(plan.done)} of {len(plan.days)} dates done**; {len(plan.remaining)} remain.",
        "",
        table(headers, rows, align="llrrrl"),
        "",
        f"RAWG requests used: {plan.requests:,}.",
        "",
        ATTRIBUTION,
    ]
    return "\n".join(lines)


def summarize_remaining(plan: BackfillPlan, max_requests: int | None) -> str:
    remaining = plan.remaining
    shown = ", ".join(str(d) for d in remaining[:5]) + (" ..." if len(remaining) > 5 else "")
    problems = [plan.outcomes[d].problem or "" for d in remaining if d in plan.outcomes]
    if max_requests is not None and any(BUDGET_SPENT in p for p in problems):
        cause = f"the request budget of {max_requests:,} ran out"
    elif len(set(problems)) == 1:
        cause = problems[0].rstrip(".")
    else:
        cause = "see the run's artifact for each date's problem"
    return (
        f"{len(plan.done)} of {len(plan.days)} dates done; {len(remaining)} remain ({shown}): "
        f"{cause}. Rerun the same backfill (only_missing) to fetch just what is missing."
    )
