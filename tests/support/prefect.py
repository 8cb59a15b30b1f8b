"""Reading what a flow run left in the Prefect API: its artifacts, log lines, task runs and
events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.objects import TaskRun
from prefect.events import Event
from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter
from prefect.logging.handlers import APILogHandler


def api_client(api: str | None) -> PrefectClient:
    """A client of the server at ``api``; None: the test process's (the harness's)."""
    return PrefectClient(api=api) if api else get_client()


async def run_details(flow_run_id: UUID, api: str | None = None) -> tuple[str, str]:
    """The run's artifacts' markdown and its log lines, from the server at ``api`` (default:
    the test process's, its log lines sent first)."""
    if api is None:
        await APILogHandler.aflush()
    async with api_client(api) as client:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        logs: list[str] = []
        while True:  # the API answers in pages (200 lines by default)
            page = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                offset=len(logs),
            )
            logs += [log.message for log in page]
            if not page:
                break
    markdown = "\n".join(str(a.data) for a in artifacts)
    return markdown, "\n".join(logs)


async def task_runs(flow_run_id: UUID) -> list[TaskRun]:
    """The task runs of a flow run, as the API has recorded them so far."""
    async with get_client() as client:
        return await client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))
        )


async def settled_task_runs(flow_run_id: UUID, count: int, timeout_s: float = 60) -> list[TaskRun]:
    """The flow run's ``count`` task runs once each has a final state: the API records a task
    run from the events its run sends, a moment after the run ended."""
    deadline = time.monotonic() + timeout_s
    while True:
        runs = await task_runs(flow_run_id)
        settled = len(runs) == count and all(run.state and run.state.is_final() for run in runs)
        if settled or time.monotonic() > deadline:
            return runs
        await asyncio.sleep(0.5)


async def run_events(
    flow_run_id: UUID,
    prefix: str,
    *,
    enough: Callable[[list[Event]], bool],
    timeout_s: float = 60,
    api: str | None = None,
) -> list[Event]:
    """The events named ``prefix...`` related to the flow run, oldest first, once ``enough``
    of them arrived (a run's client sends its events in the background, so they reach the API
    a moment later) or ``timeout_s`` passed; from the server at ``api`` (default: the test
    process's)."""
    event_filter = EventFilter(
        event=EventNameFilter(prefix=[prefix]),
        related=EventRelatedFilter(id=[f"prefect.flow-run.{flow_run_id}"]),
    )
    deadline = time.monotonic() + timeout_s
    async with api_client(api) as client:
        while True:
            events = list((await client.read_events(filter=event_filter, limit=50)).events)
            if enough(events) or time.monotonic() > deadline:
                return sorted(events, key=lambda e: e.occurred)
            await asyncio.sleep(0.5)


async def asset_events(flow_run_id: UUID, assets: int) -> list[Event]:
    """The `prefect.asset.*` events of a flow run's task runs, once ``assets`` distinct assets
    were materialized."""

    def materialized(events: list[Event]) -> bool:
        return len({e.resource.id for e in events if ".materialization." in e.event}) >= assets

    return await run_events(flow_run_id, "prefect.asset.", enough=materialized)
