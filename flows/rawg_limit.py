"""The ``rawg-api`` global concurrency limit: RAWG requests in flight across every flow run.

Created with the platform (``make start``, ``make start-native``, ``make cloud-pool``), it
bounds the requests of every process together: the fanned-out ECS tasks of a backfill and a
daily run started meanwhile share it. Each process still keeps its own cap
(``RAWG_MAX_CONCURRENCY``). Slots are taken through Prefect's lease API and held while a
process's requests keep coming (``game_market.rawg.shared``): a round trip to the server per
slot taken, not per request. Without the limit (a server it was not created on), a run says
so once and keeps its own cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
from prefect import get_run_logger
from prefect.client.orchestration import PrefectClient, get_client
from prefect.exceptions import MissingContextError

from flows.limits import RAWG_LIMIT
from game_market.rawg import RawgClient
from game_market.rawg.shared import SharedSlots, SlotsBusy, TooManySlots
from game_market.runtime import Runtime

# A lease in use is renewed every RENEW_S; the server frees one not renewed for LEASE_S (the
# slots of a process that died holding them), so it must outlast a renewal period plus the
# longest request (RAWG_TIMEOUT_SECONDS).
RENEW_S = 20.0
LEASE_MARGIN_S = 20.0
_told = threading.Event()


class PrefectSlots:
    """Slots of a Prefect global concurrency limit, a lease per acquire, over one API client
    per event loop (opening a client costs more than the call)."""

    def __init__(self, name: str, lease_s: float) -> None:
        self.name = name
        self.lease_s = max(60.0, lease_s)  # the server's minimum lease
        self.absent_because = f"No {name!r} global concurrency limit on the Prefect server"
        self._clients: dict[asyncio.AbstractEventLoop, PrefectClient] = {}

    async def _client(self) -> PrefectClient:
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            client = get_client()
            await client.__aenter__()
            self._clients[loop] = client
        return self._clients[loop]

    async def acquire(self, slots: int) -> object | None:
        client = await self._client()
        try:
            response = await client.increment_concurrency_slots_with_lease(
                names=[self.name], slots=slots, mode="concurrency", lease_duration=self.lease_s
            )
        except httpx.TransportError as exc:
            # The run goes on as it would without the limit, rather than fail for it.
            self.absent_because = (
                f"The Prefect server did not answer for the {self.name!r} global concurrency "
                f"limit ({type(exc).__name__})"
            )
            return None
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            if status == httpx.codes.LOCKED:
                raise SlotsBusy(float(exc.response.headers.get("Retry-After", 1))) from exc
            if status == httpx.codes.UNPROCESSABLE_ENTITY and slots > 1:
                raise TooManySlots from exc
            raise
        granted: dict[str, Any] = response.json()
        return granted["lease_id"] if granted.get("limits") else None

    async def release(self, handle: object) -> None:
        client = await self._client()
        # A lease the server cannot be told about expires there by itself (lease_s).
        with contextlib.suppress(httpx.TransportError):
            await client.release_concurrency_slots_with_lease(lease_id=handle)

    async def renew(self, handle: object) -> None:
        client = await self._client()
        with contextlib.suppress(httpx.TransportError):
            await client.renew_concurrency_lease(lease_id=handle, lease_duration=self.lease_s)

    async def close(self) -> None:
        """Close this loop's client (a client belongs to the loop that opened it)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.__aexit__(None, None, None)


def say_absent(because: str, per_process: int) -> None:
    if _told.is_set():
        return
    _told.set()
    try:
        logger: Any = get_run_logger()
    except MissingContextError:
        logger = logging.getLogger("game_market.rawg_limit")
    logger.info(
        "%s: RAWG requests are capped per process only (RAWG_MAX_CONCURRENCY=%d); "
        "`make start` or `make start-native` creates the limit.",
        because,
        per_process,
    )


def lease_seconds(timeout_s: float) -> float:
    return RENEW_S + timeout_s + LEASE_MARGIN_S


@contextlib.asynccontextmanager
async def rawg_client(runtime: Runtime, **overrides: Any) -> AsyncIterator[RawgClient]:
    """The run's RAWG client, open for the block, its requests bounded by ``rawg-api`` as well
    as its own cap.

    It is closed shielded from cancellation: a run that times out (or is cancelled) still
    gives its ``rawg-api`` slots back now, rather than when their leases expire.
    """
    settings = runtime.settings
    slots = PrefectSlots(RAWG_LIMIT, lease_s=lease_seconds(settings.rawg_timeout_seconds))
    shared = SharedSlots(
        slots,
        bulk=settings.rawg_max_concurrency,
        renew_s=RENEW_S,
        on_absent=lambda: say_absent(slots.absent_because, settings.rawg_max_concurrency),
    )
    client = runtime.rawg_client(shared=shared, **overrides)
    await client.__aenter__()
    try:
        yield client
    finally:
        with anyio.CancelScope(shield=True):
            await client.__aexit__(None, None, None)
