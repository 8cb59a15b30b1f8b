"""The backfill: a range of days into the lake, days side by side, then one dbt build."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from prefect.deployments import run_deployment
from prefect.states import Completed, State

from flows import timeouts
from flows.checks import check_data
from flows.context import current_run_id, failed, runtime_scope
from flows.ingest import ingest_day
from flows.rawg_limit import rawg_client
from flows.side_by_side import side_by_side
from flows.transform import BuildOptions
from game_market.backfill import BUDGET_SPENT, BackfillPlan, DayOutcome
from game_market.dates import check_long_range, check_not_future, date_range
from game_market.endpoints import Endpoint, Kind, of_kind
from game_market.errors import PipelineError
from game_market.ingest import DEFAULT_DETAIL_BUDGET, check_max_pages
from game_market.lake import Lake
from game_market.rawg import RawgClient, RequestBudget
from game_market.render.backfill import backfill_markdown, summarize_remaining
from game_market.runtime import Runtime
from game_market.warehouse import Target
from tasks.ingest import ingest_partition_task

INGEST_DAY_DEPLOYMENT = "ingest-all/ingest-day"
# Milestones for people watching a terminal (`gmp demo`); the run logger has the details.
progress = logging.getLogger("game_market.progress")


@dataclass(frozen=True)
class DayOptions:
    """How each day is collected, in this run or in a deployment run of its own."""

    only_missing: bool
    max_concurrent_days: int
    max_requests: int | None
    detail_budget: int
    max_pages: dict[str, int] | None  # as given: check_max_pages makes them caps by endpoint


def check_parameters(
    start_date: dt.date,
    end_date: dt.date,
    max_concurrent_days: int,
    max_requests: int | None,
    confirm_long_range: bool = False,
) -> list[dt.date]:
    check_not_future(end_date, "end_date")
    days = date_range(start_date, end_date, ("start_date", "end_date"))
    check_long_range(days, confirm_long_range)
    if max_concurrent_days < 1:
        raise PipelineError(f"max_concurrent_days must be at least 1, not {max_concurrent_days}.")
    if max_requests is not None and max_requests < 1:
        raise PipelineError(
            f"max_requests must be a positive request count (or empty for no cap), "
            f"not {max_requests}."
        )
    return days


async def ingest_snapshots(
    client: RawgClient,
    lake: Lake,
    day: dt.date,
    run_id: str,
    *,
    skip_complete: bool,
    max_pages: dict[Endpoint, int],
) -> dict[str, str]:
    """The reference lists for ``day``; returns the failures by endpoint."""
    failures: dict[str, str] = {}
    for endpoint in of_kind(Kind.SNAPSHOT):
        try:
            await ingest_partition_task(
                client,
                lake,
                endpoint,
                day,
                run_id,
                max_pages=max_pages.get(endpoint),
                skip_complete=skip_complete,
            )
        except PipelineError as exc:
            failures[endpoint] = str(exc)
    return failures


@dataclass
class InlineDays:
    """What the days of an inline backfill share: one client, whose budget spans them all, and
    the reference lists' failures, which the last day (the one they were taken for) reports."""

    plan: BackfillPlan
    client: RawgClient
    lake: Lake
    budget: RequestBudget
    run_id: str
    options: DayOptions
    caps: dict[Endpoint, int]
    snapshot_failures: dict[str, str]

    async def ingest(self, day: dt.date) -> None:
        if self.budget.remaining == 0:
            self.plan.not_started(day, f"not started: {BUDGET_SPENT} spent")
            return
        reports, failures = await ingest_day(
            self.client,
            self.lake,
            day,
            run_id=self.run_id,
            detail_budget=self.options.detail_budget,
            skip_complete=self.options.only_missing,
            snapshots=False,
            max_pages=self.caps,
        )
        if day == self.plan.days[-1]:
            failures = {**self.snapshot_failures, **failures}
        outcome = DayOutcome(
            day,
            requests=sum(r.requests for r in reports),
            rows=sum(r.rows for r in reports if r.status == "landed"),
            skipped=sum(r.status == "skipped" for r in reports),
            problem="; ".join(f"{e}: {m}" for e, m in failures.items()) or None,
        )
        self.plan.outcomes[day] = outcome
        progress.info(
            "[%d/%d] %s %s: %s rows, %s requests%s",
            len(self.plan.outcomes),
            len(self.plan.days),
            day,
            "done" if outcome.done else "NOT done",
            f"{outcome.rows:,}",
            f"{outcome.requests:,}",
            f" ({outcome.skipped} partitions already complete)" if outcome.skipped else "",
        )


async def ingest_inline(
    plan: BackfillPlan, runtime: Runtime, options: DayOptions, caps: dict[Endpoint, int]
) -> None:
    """Days side by side on one client, so the in-flight cap and the budget span them all."""
    lake = runtime.lake
    budget = RequestBudget(options.max_requests)
    run_id = current_run_id()
    async with rawg_client(runtime, budget=budget) as client:
        # Reference lists first: a few requests, and without them no mart can be built.
        snapshot_failures = await ingest_snapshots(
            client,
            lake,
            plan.days[-1],
            run_id,
            skip_complete=options.only_missing,
            max_pages=caps,
        )
        days = InlineDays(plan, client, lake, budget, run_id, options, caps, snapshot_failures)
        await side_by_side(
            client,
            plan.days,
            days.ingest,
            at_once=options.max_concurrent_days,
            not_started=plan.not_started,
        )
    plan.requests = sum(client.usage.values())
    plan.refusal = client.refusal


async def ingest_fanned_out(
    plan: BackfillPlan, deployment: str, options: DayOptions, caps: dict[Endpoint, int]
) -> None:
    """Each day as its own deployment run (in the cloud, its own ECS task).

    Runs cannot share one budget, so a cap is split evenly: each day may spend its share.
    The idempotency key makes a retried backfill reuse its day runs instead of repeating them.
    """
    slots = asyncio.Semaphore(options.max_concurrent_days)
    max_requests = options.max_requests
    share = None if max_requests is None else max(1, max_requests // len(plan.days))
    parent = current_run_id()

    async def one(day: dt.date) -> None:
        async with slots:
            run = await run_deployment(
                name=deployment,
                parameters={
                    "date": day.isoformat(),
                    "only_missing": options.only_missing,
                    "detail_budget": options.detail_budget,
                    "snapshots": day == plan.days[-1],
                    "max_requests": share,
                    "max_pages": {str(endpoint): cap for endpoint, cap in caps.items()},
                },
                idempotency_key=f"backfill-{parent}-{day}",
                timeout=None,
                poll_interval=2,
            )
            state = run.state
            ok = state is not None and state.is_completed()
            problem = None if ok else (state.message if state else None) or "did not complete"
            plan.outcomes[day] = DayOutcome(day, problem=problem)

    await asyncio.gather(*(one(day) for day in plan.days))


async def run_backfill(
    start: dt.date,
    end: dt.date,
    confirm_long_range: bool,
    options: DayOptions,
    build: BuildOptions,
    fanned_out_to: str | None,
) -> dict | State:
    """The backfill flow's run, its parameters checked first; a PipelineError on the way ends
    it failed, in the error's sentence."""
    try:
        days = check_parameters(
            start, end, options.max_concurrent_days, options.max_requests, confirm_long_range
        )
        caps = check_max_pages(options.max_pages)
        with runtime_scope() as runtime:
            plan = BackfillPlan(days)
            if fanned_out_to is None:
                await ingest_inline(plan, runtime, options, caps)
            else:
                await ingest_fanned_out(plan, fanned_out_to, options, caps)
            await acreate_markdown_artifact(
                backfill_markdown(plan, start, end),
                key=f"backfill-{start}-{end}",
                description=f"Backfill {start}..{end}: dates done and remaining",
            )
            get_run_logger().info("Backfill: %d of %d dates done", len(plan.done), len(days))
            if plan.refusal is not None:
                # No build: the rerun that fetches the rest builds once, with every date.
                done = f"{len(plan.done)} of {len(days)} dates done"
                return failed(type(plan.refusal)(f"Backfill stopped with {done}: {plan.refusal}"))
            built = build.run()
            checked = (
                "" if built.is_failed() else await check_data(runtime, build.target, plan.done)
            )
    except PipelineError as exc:
        return failed(exc)
    return end_state(plan, built, checked, options.max_requests)


def end_state(
    plan: BackfillPlan, built: State, checked: str, max_requests: int | None
) -> dict | State:
    """Failed, naming the dates that remain and a failed build; else completed with the
    data checks' sentence."""
    problems = []
    if plan.remaining:
        problems.append("Backfill incomplete: " + summarize_remaining(plan, max_requests))
    if built.is_failed():
        problems.append(built.message or "dbt build failed.")
    if problems:
        return failed(PipelineError(" ".join(problems)))
    result = {"dates_done": [str(d) for d in plan.done], "requests": plan.requests}
    return Completed(message=checked, data=result)


@flow(
    name="game-market-backfill",
    flow_run_name="backfill-{start_date}-{end_date}",
    timeout_seconds=timeouts.BACKFILL_S,
)
async def game_market_backfill(
    start_date: dt.date,
    end_date: dt.date,
    only_missing: bool = True,
    max_concurrent_days: int = 4,
    max_requests: int | None = None,
    fan_out: Literal["inline", "deployments"] = "inline",
    fan_out_deployment: str = INGEST_DAY_DEPLOYMENT,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    target: Target = "duckdb",
    max_pages: dict[str, int] | None = None,
    full_refresh: bool = False,
    node_tasks: bool = False,
    confirm_long_range: bool = False,
) -> dict | State:
    """Ingest every date in [start_date, end_date], then build the warehouse once.

    Reference lists are taken once, for end_date. With only_missing, complete partitions
    are skipped, so a rerun after a spent budget resumes where the last one stopped. When
    RAWG refuses the key (a spent quota), the run stops without building, failed with the
    client's sentence; partitions already landed stay for the rerun.

    Args:
        start_date: The first day to collect (YYYY-MM-DD).
        end_date: The last day to collect (YYYY-MM-DD), not in the future.
        only_missing: Skip partitions already complete in the lake (costs no request), so a
            rerun resumes where the last one stopped.
        max_concurrent_days: Days collected side by side.
        max_requests: Stop cleanly after this many RAWG requests in all (empty: no limit).
        fan_out: inline (every day in this run) or deployments (each day its own run of
            fan_out_deployment: in the cloud, its own ECS task).
        fan_out_deployment: The deployment a fanned-out day runs.
        detail_budget: At most this many /games/{id} detail requests a day.
        target: The warehouse dbt builds: duckdb (local file) or snowflake.
        max_pages: Page caps by endpoint, e.g. {"games": -1, "developers": 20}; -1 is every
            page. Endpoints not named keep their default: every page of games, 5 pages (200
            rows) of developers and of publishers. Reference lists (developers, publishers,
            genres, platforms) are taken once, for end_date, whatever their cap.
        full_refresh: Rebuild the incremental models from the whole lake (dbt --full-refresh)
            instead of adding the new days.
        node_tasks: Show each dbt node of the build as a Prefect task run, with the asset
            lineage Prefect Cloud draws from them (prefect-dbt's runner); the build takes
            longer.
        confirm_long_range: Needed for a range over 3 years, which spends many months of
            the free tier's requests.
    """
    options = DayOptions(only_missing, max_concurrent_days, max_requests, detail_budget, max_pages)
    build = BuildOptions(target, full_refresh, node_tasks)
    fanned_out_to = fan_out_deployment if fan_out == "deployments" else None
    return await run_backfill(
        start_date, end_date, confirm_long_range, options, build, fanned_out_to
    )
