"""The backfill: a range of days into the lake, days side by side, then one dbt build."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
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
from flows.transform import transform
from game_market import ATTRIBUTION
from game_market.dates import check_long_range, check_not_future, date_range
from game_market.endpoints import Endpoint, Kind, of_kind
from game_market.errors import PipelineError, RawgRefused
from game_market.ingest import DEFAULT_DETAIL_BUDGET, check_max_pages
from game_market.lake import Lake
from game_market.rawg import RawgClient, RequestBudget
from game_market.render.markdown import strong, table
from game_market.runtime import Runtime
from game_market.warehouse import Target
from tasks.ingest import ingest_partition_task

INGEST_DAY_DEPLOYMENT = "ingest-all/ingest-day"
# Milestones for people watching a terminal (`gmp demo`); the run logger has the details.
progress = logging.getLogger("game_market.progress")
BUDGET_SPENT = "request budget"  # how RequestBudgetExhausted messages name the cause


@dataclass
class DayOutcome:
    day: dt.date
    requests: int = 0
    rows: int = 0
    skipped: int = 0  # partitions already complete
    problem: str | None = None  # why the day is not done

    @property
    def done(self) -> bool:
        return self.problem is None


@dataclass
class BackfillPlan:
    days: list[dt.date]
    outcomes: dict[dt.date, DayOutcome] = field(default_factory=dict)
    requests: int = 0  # the whole run's, failed partitions and reference lists included
    refusal: RawgRefused | None = None  # RAWG refused the key (spent quota): the run stopped

    @property
    def done(self) -> list[dt.date]:
        return [d for d in self.days if d in self.outcomes and self.outcomes[d].done]

    @property
    def remaining(self) -> list[dt.date]:
        return [d for d in self.days if d not in self.done]


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


async def ingest_inline(
    plan: BackfillPlan,
    runtime: Runtime,
    *,
    only_missing: bool,
    max_concurrent_days: int,
    max_requests: int | None,
    detail_budget: int,
    max_pages: dict[Endpoint, int],
) -> None:
    """Days side by side on one client, so the in-flight cap and the budget span them all."""
    lake = runtime.lake
    budget = RequestBudget(max_requests)
    slots = asyncio.Semaphore(max_concurrent_days)
    run_id = current_run_id()
    async with rawg_client(runtime, budget=budget) as client:

        async def one(day: dt.date) -> None:
            async with slots:
                if client.refusal is not None:
                    plan.outcomes[day] = DayOutcome(day, problem=f"not started: {client.refusal}")
                    return
                if budget.remaining == 0:
                    problem = f"not started: {BUDGET_SPENT} spent"
                    plan.outcomes[day] = DayOutcome(day, problem=problem)
                    return
                reports, failures = await ingest_day(
                    client,
                    lake,
                    day,
                    run_id=run_id,
                    detail_budget=detail_budget,
                    skip_complete=only_missing,
                    snapshots=False,
                    max_pages=max_pages,
                )
                if day in snapshot_failures:
                    failures = {**snapshot_failures.pop(day), **failures}
                plan.outcomes[day] = DayOutcome(
                    day,
                    requests=sum(r.requests for r in reports),
                    rows=sum(r.rows for r in reports if r.status == "landed"),
                    skipped=sum(r.status == "skipped" for r in reports),
                    problem="; ".join(f"{e}: {m}" for e, m in failures.items()) or None,
                )
                outcome = plan.outcomes[day]
                progress.info(
                    "[%d/%d] %s %s: %s rows, %s requests%s",
                    len(plan.outcomes),
                    len(plan.days),
                    day,
                    "done" if outcome.done else "NOT done",
                    f"{outcome.rows:,}",
                    f"{outcome.requests:,}",
                    f" ({outcome.skipped} partitions already complete)" if outcome.skipped else "",
                )

        # Reference lists first: a few requests, and without them no mart can be built.
        snapshot_failures = {
            plan.days[-1]: await ingest_snapshots(
                client,
                lake,
                plan.days[-1],
                run_id,
                skip_complete=only_missing,
                max_pages=max_pages,
            )
        }
        await asyncio.gather(*(one(day) for day in plan.days))
    plan.requests = sum(client.usage.values())
    plan.refusal = client.refusal


async def ingest_fanned_out(
    plan: BackfillPlan,
    *,
    deployment: str,
    only_missing: bool,
    max_concurrent_days: int,
    max_requests: int | None,
    detail_budget: int,
    max_pages: dict[Endpoint, int],
) -> None:
    """Each day as its own deployment run (in the cloud, its own ECS task).

    Runs cannot share one budget, so a cap is split evenly: each day may spend its share.
    The idempotency key makes a retried backfill reuse its day runs instead of repeating them.
    """
    slots = asyncio.Semaphore(max_concurrent_days)
    share = None if max_requests is None else max(1, max_requests // len(plan.days))
    parent = current_run_id()

    async def one(day: dt.date) -> None:
        async with slots:
            run = await run_deployment(
                name=deployment,
                parameters={
                    "date": day.isoformat(),
                    "only_missing": only_missing,
                    "detail_budget": detail_budget,
                    "snapshots": day == plan.days[-1],
                    "max_requests": share,
                    "max_pages": {str(endpoint): cap for endpoint, cap in max_pages.items()},
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
    try:
        days = check_parameters(
            start_date, end_date, max_concurrent_days, max_requests, confirm_long_range
        )
        caps = check_max_pages(max_pages)
        with runtime_scope() as runtime:
            plan = BackfillPlan(days)
            options = {
                "only_missing": only_missing,
                "max_concurrent_days": max_concurrent_days,
                "max_requests": max_requests,
                "detail_budget": detail_budget,
                "max_pages": caps,
            }
            if fan_out == "deployments":
                await ingest_fanned_out(plan, deployment=fan_out_deployment, **options)
            else:
                await ingest_inline(plan, runtime, **options)
            await acreate_markdown_artifact(
                backfill_markdown(plan, start_date, end_date),
                key=f"backfill-{start_date}-{end_date}",
                description=f"Backfill {start_date}..{end_date}: dates done and remaining",
            )
            get_run_logger().info("Backfill: %d of %d dates done", len(plan.done), len(days))
            if plan.refusal is not None:
                # No build: the rerun that fetches the rest builds once, with every date.
                done = f"{len(plan.done)} of {len(days)} dates done"
                return failed(type(plan.refusal)(f"Backfill stopped with {done}: {plan.refusal}"))
            built = transform(
                target=target,
                full_refresh=full_refresh,
                node_tasks=node_tasks,
                return_state=True,
            )
            checked = "" if built.is_failed() else await check_data(runtime, target, plan.done)
    except PipelineError as exc:
        return failed(exc)
    problems = []
    if plan.remaining:
        problems.append("Backfill incomplete: " + summarize_remaining(plan, max_requests))
    if built.is_failed():
        problems.append(built.message or "dbt build failed.")
    if problems:
        return failed(PipelineError(" ".join(problems)))
    result = {"dates_done": [str(d) for d in plan.done], "requests": plan.requests}
    return Completed(message=checked, data=result)
