"""The daily update: yesterday's games and reference lists into the lake, then one dbt build."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from prefect.runtime import flow_run
from prefect.states import Completed, State

from flows import timeouts
from flows.checks import check_data
from flows.context import failed, runtime_scope
from flows.ingest import failure_message, ingest_every_endpoint
from flows.transform import BuildOptions
from flows.warehouse import warehouse_for
from game_market.dates import check_not_future
from game_market.endpoints import Endpoint
from game_market.errors import PipelineError
from game_market.ingest import DEFAULT_DETAIL_BUDGET, check_max_pages
from game_market.rawg import RequestBudget
from game_market.render.report_markdown import render_markdown
from game_market.report import ReportDayMissing, build_report
from game_market.runtime import Runtime
from game_market.warehouse import Target


def day_before_scheduled_start() -> dt.date:
    """The day a scheduled run collects: the UTC day before it was scheduled to start.

    Read at run time, so a late or retried run still collects its own day, and a manual run
    (scheduled now) collects yesterday.
    """
    scheduled = flow_run.scheduled_start_time
    return scheduled.astimezone(dt.UTC).date() - dt.timedelta(days=1)


async def publish_market_summary(runtime: Runtime, target: Target, day: dt.date) -> None:
    try:
        report = build_report(warehouse_for(target, runtime.settings), day)
    except ReportDayMissing as exc:
        # No games landed for the day (its ingest failed): the run's failure says why.
        get_run_logger().warning("No market summary for %s: %s", day, exc)
        return
    await acreate_markdown_artifact(
        render_markdown(report),
        key=f"market-summary-{day}",
        description=f"Game market summary for {day} (data: RAWG, rawg.io)",
    )


def nothing_landed(day: dt.date, failures: dict[Endpoint, str]) -> PipelineError:
    """Every endpoint failed (a refused key, RAWG down): a build would only make the last
    build's tables again, so the run fails before it."""
    return PipelineError(
        failure_message(day, failures) + " Nothing landed, so the warehouse was not built."
    )


@flow(name="daily-game-market-update", timeout_seconds=timeouts.DAILY_S)
async def daily_game_market_update(
    date: dt.date | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    max_requests: int | None = None,
    target: Target = "duckdb",
    max_pages: dict[str, int] | None = None,
    full_refresh: bool = False,
    node_tasks: bool = False,
) -> dict | State:
    """Ingest every endpoint for `date` (default: the day before the scheduled start), build.

    Args:
        date: The day to collect (YYYY-MM-DD). Empty: the UTC day before the run's scheduled
            start, so a late or retried scheduled run still collects its own day.
        detail_budget: At most this many /games/{id} detail requests (the day's most-added
            games).
        max_requests: Stop cleanly after this many RAWG requests (empty: no limit).
        target: The warehouse dbt builds: duckdb (local file) or snowflake.
        max_pages: Page caps by endpoint, e.g. {"games": -1, "developers": 20}; -1 is every
            page. Endpoints not named keep their default: every page of games, 5 pages (200
            rows) of developers and of publishers. A page is one RAWG request of 40 rows.
        full_refresh: Rebuild the incremental models from the whole lake (dbt --full-refresh)
            instead of adding the new days.
        node_tasks: Show each dbt node of the build as a Prefect task run, with the asset
            lineage Prefect Cloud draws from them (prefect-dbt's runner); the build takes
            longer.
    """
    day = date or day_before_scheduled_start()
    logger = get_run_logger()
    try:
        check_not_future(day, "date")
        caps = check_max_pages(max_pages)
        with runtime_scope() as runtime:
            reports, failures, used = await ingest_every_endpoint(
                runtime,
                day,
                RequestBudget(max_requests),
                detail_budget=detail_budget,
                max_pages=caps,
            )
            if not reports:
                return failed(nothing_landed(day, failures))
            logger.info("Ingest for %s used %d RAWG requests; building the warehouse", day, used)
            built = BuildOptions(target, full_refresh, node_tasks).run()
            if built.is_failed():
                return failed(PipelineError(built.message or "dbt build failed."))
            checked = await check_data(runtime, target, [day])
            await publish_market_summary(runtime, target, day)
    except PipelineError as exc:
        return failed(exc)
    if failures:
        return failed(
            PipelineError(
                failure_message(day, failures) + " The warehouse was built from what landed."
            )
        )
    rows = {r.endpoint: r.rows for r in reports}
    return Completed(message=checked, data={"date": str(day), "requests": used, "rows": rows})
