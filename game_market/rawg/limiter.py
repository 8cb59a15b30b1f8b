"""A cap on RAWG requests in flight that holds across event loops and threads.

Prefect may run async tasks on the flow's event loop or on worker threads with loops of
their own, so an ``asyncio.Semaphore`` (bound to one loop) cannot cap one run's requests.
This limiter hands slots across loops and threads. It belongs to whoever holds it: a client
makes its own, and an entry point that wants its clients to share one cap hands them one
(``Runtime.rawg_limiter``); nothing here is global to the process.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from types import TracebackType


class RequestLimiter:
    """An async semaphore usable from any event loop in any thread of the process."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._lock = threading.Lock()
        self._limit = limit
        self._in_use = 0
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def limit(self) -> int:
        return self._limit

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_use < self._limit and not self._waiters:
                self._in_use += 1
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            with self._lock:
                try:
                    self._waiters.remove((loop, waiter))
                    granted = False
                except ValueError:
                    granted = True
            if granted:
                self.release()
            raise

    def release(self) -> None:
        with self._lock:
            if not self._grant_next_locked():
                self._in_use -= 1

    def _grant_next_locked(self) -> bool:
        """Pass a held slot to the oldest live waiter; False when nobody can take it."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        while self._waiters:
            loop, waiter = self._waiters.popleft()
            if loop is running:
                loop.call_soon(_wake, waiter)  # no self-pipe write when no thread is crossed
                return True
            try:
                loop.call_soon_threadsafe(_wake, waiter)
            except RuntimeError:
                continue  # that waiter's loop is closed; nobody will ever await it
            return True
        return False

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
