"""Ingestion flows: one endpoint for one date, or every endpoint for one date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from prefect.states import State

from flows import timeouts
from flows.context import current_run_id, failed, runtime_scope
from flows.rawg_limit import rawg_client
from game_market.dates import check_not_future, date_range
from game_market.endpoints import Endpoint
from game_market.errors import PipelineError
from game_market.ingest import DEFAULT_DETAIL_BUDGET, IngestReport, check_max_pages
from game_market.ingest import ingest_day as core_ingest_day
from game_market.lake import Lake
from game_market.rawg import RawgClient, RequestBudget
from game_market.render.ingest import ingest_markdown
from game_market.runtime import Runtime
from tasks.ingest import ingest_partition_task


@flow(
    name="ingest-endpoint",
    flow_run_name="ingest-{endpoint}-{date}",
    timeout_seconds=timeouts.INGEST_S,
)
async def ingest_endpoint(
    endpoint: Endpoint,
    date: dt.date,
    end_date: dt.date | None = None,
    max_pages: int | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
) -> dict | list[dict] | State:
    """Land one endpoint's partition for one date, or for every date of a range; no dbt build.

    Args:
        endpoint: The RAWG endpoint to fetch: games (the games RAWG updated that day),
            game_details (the day's most-added games, one request each), or a reference list
            (genres, platforms, parent_platforms, developers, publishers).
        date: The day to collect (YYYY-MM-DD), or the first day of the range.
        end_date: The last day of the range (YYYY-MM-DD, inclusive); empty: `date` alone.
        max_pages: Page cap a day; empty: the endpoint's default (every page of games, 5 of
            developers and publishers); -1: every page. A page is one RAWG request of 40 rows.
        detail_budget: At most this many /games/{id} requests a day (game_details only).

    Returns:
        The day's report, or for a range a list with one report a day.
    """
    try:
        days = date_range(date, end_date, ("date", "end_date"))
        if end_date is not None:
            check_not_future(end_date, "end_date")
        with runtime_scope() as runtime:
            async with rawg_client(runtime) as client:
                reports = [
                    await ingest_partition_task(
                        client,
                        runtime.lake,
                        endpoint,
                        day,
                        current_run_id(),
                        max_pages=max_pages,
                        detail_budget=detail_budget,
                    )
                    for day in days
                ]
    except PipelineError as exc:
        return failed(exc)
    span = f"{date}" if end_date is None else f"{date}..{end_date}"
    await acreate_markdown_artifact(
        ingest_markdown(f"Ingest {endpoint} for {span}", reports, {}, client.usage),
        key=f"ingest-{endpoint.replace('_', '-')}-{span.replace('..', '-to-')}",
        description=f"RAWG ingest of {endpoint} for {span}",
    )
    if end_date is None:
        return reports[0].to_dict()
    return [report.to_dict() for report in reports]


async def ingest_day(
    client: RawgClient, lake: Lake, date: dt.date, **options: Any
) -> tuple[list[IngestReport], dict[Endpoint, str]]:
    """The core's day (``game_market.ingest.ingest_day``), each partition a Prefect task run
    with its retries."""
    return await core_ingest_day(client, lake, date, partition=ingest_partition_task, **options)


async def ingest_every_endpoint(
    runtime: Runtime, date: dt.date, budget: RequestBudget, **options: Any
) -> tuple[list[IngestReport], dict[Endpoint, str], int]:
    """The day's partitions of every endpoint, the ``ingest-all-<date>`` artifact, and the
    RAWG requests used; ``options`` go to the core's ``ingest_day``."""
    async with rawg_client(runtime, budget=budget) as client:
        reports, failures = await ingest_day(
            client, runtime.lake, date, run_id=current_run_id(), **options
        )
    await acreate_markdown_artifact(
        ingest_markdown(f"Ingest of every endpoint for {date}", reports, failures, client.usage),
        key=f"ingest-all-{date}",
        description=f"RAWG ingest for {date}",
    )
    return reports, failures, sum(client.usage.values())


def failure_message(date: dt.date, failures: dict[Endpoint, str]) -> str:
    """One line per distinct cause, naming the endpoints it hit."""
    causes: dict[str, list[str]] = {}
    for endpoint, message in failures.items():
        causes.setdefault(message, []).append(endpoint)
    parts = [f"{', '.join(endpoints)}: {message}" for message, endpoints in causes.items()]
    return f"Ingest for {date} failed. " + " ".join(parts)


@flow(name="ingest-all", flow_run_name="ingest-all-{date}", timeout_seconds=timeouts.INGEST_S)
async def ingest_all(
    date: dt.date,
    max_pages: dict[str, int] | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    only_missing: bool = False,
    snapshots: bool = True,
    max_requests: int | None = None,
) -> list[dict] | State:
    """Every endpoint for one date: games updated that day, snapshots, and game details.

    Also the target of the backfill's fan-out (deployment `ingest-all/ingest-day`), hence
    ``snapshots`` and ``max_requests``.

    Args:
        date: The day to collect (YYYY-MM-DD): the games RAWG updated that day.
        max_pages: Page caps by endpoint, e.g. {"games": -1, "developers": 20}; -1 is every
            page. Endpoints not named keep their default: every page of games, 5 pages (200
            rows) of developers and of publishers, every page of genres, platforms and
            parent_platforms. A page is one RAWG request of 40 rows.
        detail_budget: At most this many /games/{id} detail requests (the day's most-added
            games).
        only_missing: Skip partitions already complete in the lake (costs no request).
        snapshots: Also take the reference lists (genres, platforms, developers, publishers).
        max_requests: Stop cleanly after this many RAWG requests (empty: no limit).
    """
    try:
        caps = check_max_pages(max_pages)
        with runtime_scope() as runtime:
            reports, failures, used = await ingest_every_endpoint(
                runtime,
                date,
                RequestBudget(max_requests),
                max_pages=caps,
                detail_budget=detail_budget,
                skip_complete=only_missing,
                snapshots=snapshots,
            )
    except PipelineError as exc:
        return failed(exc)
    get_run_logger().info("Ingest for %s used %d RAWG requests", date, used)
    if failures:
        return failed(PipelineError(failure_message(date, failures)))
    return [r.to_dict() for r in reports]
