"""One cap on RAWG requests in flight across processes: slots of a shared limit, held while busy.

The client's own cap (``limiter.RequestLimiter``) bounds what one process sends; a shared limit
(Prefect's global concurrency limit ``rawg-api``, ``flows/rawg_limit.py``) bounds every process
together. Taking slots from it is a round trip to the server, too dear for every request, so
a client takes them in leases and keeps them while its requests keep coming:

- a request uses a free slot of a lease the client holds when there is one;
- else the client takes a new lease: as many slots as its own cap (``bulk``) when the limit
  has them free at once (fewer if the limit is smaller), else one slot, waiting for it;
- a lease goes back once all its slots have been free for ``idle_s`` (a timer on the event
  loop that freed the last one), and every lease when the client closes;
- leases expire on the server unless renewed (so a killed process's slots come back by
  themselves): a lease in use is renewed every ``renew_s``.

A client never holds more slots than the limit grants, and a request in flight always holds
one of them, so the requests in flight across processes never exceed the shared limit. A
busy client keeps its slots until it goes idle or closes: others wait their turn then.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol


class SlotsBusy(Exception):
    """The limit has not that many slots free now; ask again in ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"no slot free; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class TooManySlots(Exception):
    """More slots than the whole limit has."""


class SlotSource(Protocol):
    """Where shared slots come from, a lease of ``slots`` at a time."""

    async def acquire(self, slots: int) -> object | None:
        """A lease's handle, or None when there is no such limit (the process's own cap is
        then all there is); raises SlotsBusy or TooManySlots when it cannot grant them now."""
        ...

    async def release(self, handle: object) -> None: ...

    async def renew(self, handle: object) -> None: ...

    async def close(self) -> None:
        """Let go of what the source holds open for this event loop."""
        ...


@dataclass(eq=False)
class _Lease:
    handle: object
    size: int
    renewed_at: float
    in_use: int = 0
    freed_at: float = 0.0


class SharedSlots:
    """Slots of a shared limit for one client, usable from any event loop of the process."""

    def __init__(
        self,
        source: SlotSource,
        *,
        bulk: int = 1,
        idle_s: float = 0.5,
        renew_s: float = 20.0,
        max_wait_s: float = 1.0,
        on_absent: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._bulk = bulk
        self._idle_s = idle_s
        self._renew_s = renew_s
        self._max_wait_s = max_wait_s
        self._on_absent = on_absent
        self._clock = clock
        self._lock = threading.Lock()
        self._leases: list[_Lease] = []
        self._taking: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.absent = False
        self.acquired = 0  # round trips to the source, for the overhead they cost
        self.released = 0

    @property
    def held(self) -> int:
        with self._lock:
            return sum(lease.size for lease in self._leases)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one shared slot for the block (none when the limit does not exist)."""
        lease = None if self.absent else self._take() or await self._new_lease()
        try:
            yield
        finally:
            if lease is not None:
                self._give_back(lease)

    async def close(self) -> None:
        """Return every lease (the requests in flight are over)."""
        with self._lock:
            leases, self._leases = self._leases, []
        await asyncio.gather(*(self._release(lease) for lease in leases), *self._background)
        await self._source.close()

    def _take(self) -> _Lease | None:
        now = self._clock()
        with self._lock:
            lease = next((x for x in self._leases if x.in_use < x.size), None)
            if lease is None:
                return None
            lease.in_use += 1
            renew = now - lease.renewed_at >= self._renew_s
            if renew:
                lease.renewed_at = now
        if renew:
            self._in_background(asyncio.get_running_loop(), self._source.renew(lease.handle))
        return lease

    async def _new_lease(self) -> _Lease | None:
        # One taker per loop: the requests that arrive meanwhile wait here, then use its lease.
        loop = asyncio.get_running_loop()
        async with self._taking.setdefault(loop, asyncio.Lock()):
            lease = self._take()
            if lease is not None or self.absent:
                return lease
            handle, size = await self._acquire()
            if handle is None:
                self._mark_absent()
                return None
            lease = _Lease(handle, size, renewed_at=self._clock(), in_use=1)
            with self._lock:
                self._leases.append(lease)
            return lease

    async def _acquire(self) -> tuple[object | None, int]:
        """A lease of ``bulk`` slots when that many are free (halved while the limit is
        smaller), else of one slot, waiting for it."""
        size = self._bulk
        while True:
            self.acquired += 1
            try:
                return await self._source.acquire(size), size
            except TooManySlots:
                size = max(1, size // 2)
                self._bulk = size
            except SlotsBusy as busy:
                if size > 1:
                    size = 1
                    continue
                await asyncio.sleep(min(busy.retry_after_s, self._max_wait_s))

    def _give_back(self, lease: _Lease) -> None:
        with self._lock:
            lease.in_use -= 1
            if lease.in_use:
                return
            lease.freed_at = self._clock()
        # Given back after idle_s unless a request takes one of its slots first. Should this
        # loop end first (a task's own loop), the lease waits for the next request or close.
        loop = asyncio.get_running_loop()
        loop.call_later(self._idle_s, self._expire, loop, lease)

    def _expire(self, loop: asyncio.AbstractEventLoop, lease: _Lease) -> None:
        with self._lock:
            if lease not in self._leases or lease.in_use:
                return  # gone, or in use again: its next give-back sets a new timer
            remaining = lease.freed_at + self._idle_s - self._clock()
            if remaining <= 0:
                self._leases.remove(lease)
        if remaining > 0:  # freed again since, or the timer came a little early
            loop.call_later(remaining, self._expire, loop, lease)
            return
        self._in_background(loop, self._release(lease))

    def _in_background(
        self, loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, None]
    ) -> None:
        task = loop.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _release(self, lease: _Lease) -> None:
        self.released += 1
        await asyncio.shield(self._source.release(lease.handle))

    def _mark_absent(self) -> None:
        with self._lock:
            first = not self.absent
            self.absent = True
        if first and self._on_absent is not None:
            self._on_absent()
