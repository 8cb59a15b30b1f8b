"""The release backfill's artifact (every month, done or remaining) and its sentence for what
remains."""

from __future__ import annotations

from game_market import ATTRIBUTION
from game_market.releases import ReleaseRun
from game_market.render.markdown import strong, table


def release_markdown(run: ReleaseRun) -> str:
    months = run.plan.months
    rows = []
    for month in months:
        o = run.outcome(month)
        status = o.status if o.status in ("landed", "skipped") else strong("remaining")
        problem = "" if o.done else o.status
        more = "yes" if o.truncated else ""
        rows.append([f"{month:%Y-%m}", status, f"{o.requests:,}", f"{o.rows:,}", more, problem])
    headers = ["month", "status", "requests", "games landed", "more beyond the cap", "problem"]
    return "\n".join(
        [
            f"# Release backfill {months[0]:%Y-%m} .. {months[-1]:%Y-%m}",
            "",
            run.plan.cost_sentence(None),
            "",
            f"**{len(months) - len(run.remaining)} of {len(months)} months done**.",
            "",
            table(headers, rows, align="llrrll"),
            "",
            f"RAWG requests used: {run.requests:,}.",
            "",
            ATTRIBUTION,
        ]
    )


def remaining_sentence(run: ReleaseRun, max_requests: int | None) -> str:
    remaining = run.remaining
    problems = {run.outcome(m).status for m in remaining}
    if max_requests is not None and any("budget" in p for p in problems):
        cause = f"the request budget of {max_requests:,} ran out"
    elif len(problems) == 1:
        cause = problems.pop().rstrip(".")
    else:
        cause = "see the run's artifact for each month's problem"
    shown = ", ".join(f"{m:%Y-%m}" for m in remaining)
    return (
        f"Release backfill incomplete: {len(remaining)} of {len(run.plan.months)} months remain "
        f"({shown}): {cause}. Rerun the same release backfill to fetch just the months missing."
    )
