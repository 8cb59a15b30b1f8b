"""Reading the events a flow run emitted back from the Prefect server's events API."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.events import Event
from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter


async def run_events(
    flow_run_id: UUID, prefix: str, *, expect: int, wait_s: float = 30, api: str | None = None
) -> list:
    """The events named ``prefix...`` related to the run, once ``expect`` of them arrived (the
    client sends events in the background) or ``wait_s`` passed; from the server at ``api``
    (default: the test process's)."""
    event_filter = EventFilter(
        event=EventNameFilter(prefix=[prefix]),
        related=EventRelatedFilter(id=[f"prefect.flow-run.{flow_run_id}"]),
    )
    deadline = time.monotonic() + wait_s
    async with PrefectClient(api=api) if api else get_client() as client:
        while True:
            page = await client.read_events(filter=event_filter, limit=50)
            events: list[Event] = list(page.events)
            if len(events) >= expect or time.monotonic() > deadline:
                return sorted(events, key=lambda e: e.occurred)
            await asyncio.sleep(0.5)
