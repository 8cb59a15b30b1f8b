"""Prefect tasks over the core ingest: retries, naming and logging, nothing more."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task

from game_market.errors import (
    ConfigError,
    LakeUnavailable,
    RawgAuthError,
    RawgQuotaExceeded,
    RawgThrottled,
    RequestBudgetExhausted,
)
from game_market.ingest import DEFAULT_DETAIL_BUDGET, IngestReport, ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient

# Retrying these only spends quota or time: the user has to act first (a lake that cannot be
# written has had its own retries; once it is fixed, the rerun resumes from the page journal).
NOT_RETRYABLE = (
    ConfigError,
    LakeUnavailable,
    RawgAuthError,
    RawgQuotaExceeded,
    RawgThrottled,
    RequestBudgetExhausted,
)


def retry_unless_user_must_act(task: Task, task_run: TaskRun, state: State) -> bool:
    return not isinstance(state.data, NOT_RETRYABLE)


@task(
    name="ingest-partition",
    task_run_name="ingest-{endpoint}-{dt}",
    retries=1,
    retry_delay_seconds=30,
    retry_condition_fn=retry_unless_user_must_act,
    cache_policy=NO_CACHE,
)
async def ingest_partition_task(
    client: RawgClient,
    lake: Lake,
    endpoint: str,
    dt: date,
    run_id: str,
    max_pages: int | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    skip_complete: bool = False,
) -> IngestReport:
    """Land one (endpoint, dt) partition; transient errors were already retried per request."""
    report = await ingest_partition(
        client,
        lake,
        endpoint,
        dt,
        run_id=run_id,
        max_pages=max_pages,
        detail_budget=detail_budget,
        skip_complete=skip_complete,
    )
    logger = get_run_logger()
    logger.info(
        "%s dt=%s %s: %d rows, %d pages, %d requests (%d retries), %.1f s",
        endpoint,
        dt,
        report.status,
        report.rows,
        report.pages,
        report.requests,
        report.retries,
        report.seconds,
    )
    for note in report.notes:
        logger.warning("%s dt=%s: %s", endpoint, dt, note)
    if report.drift:
        logger.warning(
            "%s dt=%s: %d values did not fit the schema (kept in _raw): %s",
            endpoint,
            dt,
            sum(report.drift.values()),
            ", ".join(f"{k} ×{v}" for k, v in sorted(report.drift.items())),
        )
    return report
