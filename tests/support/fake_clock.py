"""A clock for the RAWG client's retries that moves only when slept on: minutes of retrying
in a unit test take no real time."""

from __future__ import annotations

import asyncio


class FakeClock:
    """``now`` starts at 0; ``sleep`` moves it on and only yields to the event loop.

    Time is kept in whole nanoseconds, so waits of whole seconds taken in 0.2 s steps add up
    exactly; every sleep moves it on by at least one, so a wait always ends."""

    def __init__(self) -> None:
        self._ns = 0

    def now(self) -> float:
        return self._ns / 1e9

    async def sleep(self, seconds: float) -> None:
        self._ns += max(1, round(seconds * 1e9))
        await asyncio.sleep(0)
