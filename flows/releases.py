"""The release-window backfill: months of releases, most-added first, then one dbt build.

The market sections of the report (releases by month, rating bands, platform share) count the
games released in the months they show. The daily feed (games updated on a day) brings those
in only over months; ``/games?dates=FIRST,LAST&ordering=-added`` gives the most-added games
released in a month at once, 40 a request, so a year costs 12 times the page cap.
"""

from __future__ import annotations

import datetime as dt
import logging

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from prefect.states import Completed, State

from flows import timeouts
from flows.context import current_run_id, failed, runtime_scope
from flows.rawg_limit import rawg_client
from flows.side_by_side import side_by_side
from flows.transform import transform
from game_market.endpoints import of_a_day
from game_market.errors import PipelineError
from game_market.lake import Lake
from game_market.rawg import RequestBudget
from game_market.releases import (
    DEFAULT_MAX_PAGES,
    RELEASES,
    MonthOutcome,
    ReleaseRun,
    check_max_requests,
    plan_releases,
    release_months,
)
from game_market.render.releases import release_markdown, remaining_sentence
from game_market.runtime import Runtime
from game_market.warehouse import Target
from tasks.ingest import ingest_partition_task

MONTHS_SIDE_BY_SIDE = 4
progress = logging.getLogger("game_market.progress")


async def fetch_months(run: ReleaseRun, runtime: Runtime, max_requests: int | None) -> None:
    """The months to fetch side by side on one client, so the budget spans them all."""
    budget = RequestBudget(max_requests)
    run_id = current_run_id()
    async with rawg_client(runtime, budget=budget) as client:

        async def fetch(month: dt.date) -> None:
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

        await side_by_side(
            client,
            run.plan.to_fetch,
            fetch,
            at_once=MONTHS_SIDE_BY_SIDE,
            not_started=run.not_started,
        )
    run.requests = sum(client.usage.values())
    run.refusal = client.refusal


def end_state(
    run: ReleaseRun, built: State | None, unbuilt: str | None, max_requests: int | None
) -> dict | State:
    """Failed, naming the months that remain and a failed build; else completed with what
    landed (and why no build, when the lake cannot be built from yet)."""
    problems = [remaining_sentence(run, max_requests)] if run.remaining else []
    if built is not None and built.is_failed():
        problems.append(built.message or "dbt build failed.")
    if problems:
        return failed(PipelineError(" ".join(problems)))
    months = run.plan.months
    result = {
        "months_done": [f"{m:%Y-%m}" for m in months],
        "months_fetched": [f"{m:%Y-%m}" for m in run.plan.to_fetch],
        "requests": run.requests,
        "rows": sum(o.rows for o in run.outcomes.values()),
        "built": built is not None,
    }
    message = f"{len(months)} months of releases landed." + (f" {unbuilt}" if unbuilt else "")
    get_run_logger().info(message)
    return Completed(message=message, data=result)


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
    return end_state(run, built, unbuilt, max_requests)


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
