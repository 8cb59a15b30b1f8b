"""The release-window backfill: months of releases, most-added first, then one dbt build.

The market sections of the report (releases by month, rating bands, platform share) count the
games released in the months they show. The daily feed (games updated on a day) brings those
in only over months; ``/games?dates=FIRST,LAST&ordering=-added`` gives the most-added games
released in a month at once, 40 a request, so a year costs 12 times the page cap.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from prefect.states import Completed, State

from flows import timeouts
from flows.context import current_run_id, failed, runtime_scope
from flows.rawg_limit import rawg_client
from flows.transform import transform
from game_market import ATTRIBUTION
from game_market.endpoints import of_a_day
from game_market.errors import PipelineError
from game_market.lake import Lake
from game_market.rawg import RequestBudget
from game_market.releases import (
    DEFAULT_MAX_PAGES,
    RELEASES,
    ReleasePlan,
    check_max_requests,
    plan_releases,
    release_months,
)
from game_market.render.markdown import strong, table
from game_market.runtime import Runtime
from game_market.warehouse import Target
from tasks.ingest import ingest_partition_task

MONTHS_SIDE_BY_SIDE = 4
progress = logging.getLogger("game_market.progress")


@dataclass
class MonthOutcome:
    month: dt.date
    requests: int = 0
    rows: int = 0
    truncated: bool = False  # the month has more games than the page cap reached
    status: str = "not started"  # landed, skipped (settled), or why it is not done

    @property
    def done(self) -> bool:
        return self.status in ("landed", "skipped")


@dataclass
class ReleaseRun:
    plan: ReleasePlan
    outcomes: dict[dt.date, MonthOutcome] = field(default_factory=dict)
    requests: int = 0
    refusal: PipelineError | None = None  # RAWG refused the key: the run stopped

    def outcome(self, month: dt.date) -> MonthOutcome:
        if month not in self.plan.to_fetch:
            return MonthOutcome(month, status="skipped")
        return self.outcomes.get(month, MonthOutcome(month))

    @property
    def remaining(self) -> list[dt.date]:
        return [m for m in self.plan.months if not self.outcome(m).done]


async def fetch_months(run: ReleaseRun, runtime: Runtime, max_requests: int | None) -> None:
    """The months to fetch side by side on one client, so the budget spans them all."""
    budget = RequestBudget(max_requests)
    slots = asyncio.Semaphore(MONTHS_SIDE_BY_SIDE)
    run_id = current_run_id()
    async with rawg_client(runtime, budget=budget) as client:

        async def one(month: dt.date) -> None:
            async with slots:
                if client.refusal is not None:
                    run.outcomes[month] = MonthOutcome(
                        month, status=f"not started: {client.refusal}"
                    )
                    return
                try:
                    report = await ingest_partition_task(
                        client, runtime.lake, RELEASES, month, run_id, max_pages=run.plan.max_pages
                    )
                except PipelineError as exc:
                    run.outcomes[month] = MonthOutcome(month, status=str(exc))
                    return
                run.outcomes[month] = MonthOutcome(
                    month, report.requests, report.rows, report.truncated, "landed"
                )
                progress.info(
                    "%s: %s games, %s requests", f"{month:%Y-%m}", report.rows, report.requests
                )

        await asyncio.gather(*(one(month) for month in run.plan.to_fetch))
    run.requests = sum(client.usage.values())
    run.refusal = client.refusal


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


@flow(
    name="release-backfill",
    flow_run_name="release-backfill-{start_month}-{end_month}",
    timeout_seconds=timeouts.BACKFILL_S,
)
async def release_backfill(
    start_month: str | None = None,
    end_month: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    only_missing: bool = True,
    max_requests: int | None = None,
    target: Target = "duckdb",
) -> dict | State:
    """Land the most-added games released in each month from start_month through end_month,
    then build the warehouse once.

    One request gives 40 games of a month, most added first; a month costs at most max_pages
    requests (fewer when it has fewer games), so the run's cost is at most months times max_pages,
    logged before it starts. A month landed after it ended is kept by a rerun; the current
    month is fetched again, since more of its games come out.

    Args:
        start_month: The first month (YYYY-MM); empty: 11 months before end_month, so 12 in all.
        end_month: The last month (YYYY-MM), not after the current one; empty: the current
            UTC month.
        max_pages: Pages of 40 games a month, most added first: 10 takes the top 400 games of
            each month (120 requests a year).
        only_missing: Skip the months already landed after they ended (no request); off,
            every month is fetched again.
        max_requests: Stop cleanly after this many RAWG requests in all (empty: no limit);
            a rerun fetches the months still missing.
        target: The warehouse dbt builds: duckdb (local file) or snowflake.
    """
    try:
        check_max_requests(max_requests)
        months = release_months(start_month, end_month, ("start_month", "end_month"))
        with runtime_scope() as runtime:
            plan = plan_releases(runtime.lake, months, max_pages, only_missing=only_missing)
            get_run_logger().info(plan.cost_sentence(max_requests))
            run = ReleaseRun(plan)
            await fetch_months(run, runtime, max_requests)
            await acreate_markdown_artifact(
                release_markdown(run),
                key=f"release-backfill-{months[0]:%Y-%m}-{months[-1]:%Y-%m}",
                description="Release backfill: months done and remaining",
            )
            if run.refusal is not None:
                # No build: the rerun that fetches the rest builds once, with every month.
                return failed(type(run.refusal)(f"Release backfill stopped: {run.refusal}"))
            unbuilt = unbuildable_because(runtime.lake)
            built = None if unbuilt else transform(target=target, return_state=True)
    except PipelineError as exc:
        return failed(exc)
    problems = [remaining_sentence(run, max_requests)] if run.remaining else []
    if built is not None and built.is_failed():
        problems.append(built.message or "dbt build failed.")
    if problems:
        return failed(PipelineError(" ".join(problems)))
    result = {
        "months_done": [f"{m:%Y-%m}" for m in months],
        "months_fetched": [f"{m:%Y-%m}" for m in plan.to_fetch],
        "requests": run.requests,
        "rows": sum(o.rows for o in run.outcomes.values()),
        "built": built is not None,
    }
    message = f"{len(months)} months of releases landed." + (f" {unbuilt}" if unbuilt else "")
    get_run_logger().info(message)
    return Completed(message=message, data=result)


def unbuildable_because(lake: Lake) -> str | None:
    """Why no warehouse can be built from the lake yet: the release backfill is a fresh key's
    first run, before any day has landed the games updated on it and the reference lists."""
    missing = [str(endpoint) for endpoint in of_a_day() if not lake.partitions(endpoint)]
    if not missing:
        return None
    return (
        f"No warehouse build yet: the lake has no {', '.join(missing)} partition; run a backfill "
        "of days next (gmp backfill), whose build takes these months in."
    )
