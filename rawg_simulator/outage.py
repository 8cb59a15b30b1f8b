"""An outage on demand: for a set number of seconds every API request fails the way RAWG does
when it is down or shedding load, in turn a 503, a dropped connection (the answer cut off
halfway, then the connection closed) and a 429 asking for 1 s.

``POST /_sandbox/outage?seconds=90`` starts one at once; with ``after=N`` (and
``endpoint=games``) it starts once N more requests (of that endpoint) have been answered, so a
test can put it in the middle of a paged query; ``seconds=0`` ends it. With ``hold=1`` RAWG
hangs instead: every request is held open, unanswered, until the outage ends (then a 503).
Answers during the outage are counted here (``answered``), not in the sandbox's request stats.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import orjson

from rawg_simulator.protocol import Response, json_response

KINDS = ("503", "reset", "429")  # in turn; a held request is counted as "held"
_ANSWERS = {
    "503": json_response(503, {"detail": "Service temporarily unavailable, try again later."}),
    "reset": Response(200, b'{"count": 1, "next": null, "results": []}', complete=False),
    "429": Response(
        429, orjson.dumps({"detail": "Request was throttled."}), headers=((b"retry-after", b"1"),)
    ),
}


class Outage:
    """One outage at a time: pending (waiting for ``after`` answers), on, or over."""

    def __init__(self) -> None:
        self.set(0.0)

    def set(
        self, seconds: float, after: int = 0, endpoint: str | None = None, hold: bool = False
    ) -> None:
        if seconds < 0 or after < 0:
            raise ValueError("seconds and after must be >= 0")
        self.seconds = seconds
        self.hold = hold
        self.pending = after  # answers still to serve before it starts
        self.endpoint = endpoint
        self.started_at: float | None = None  # wall clock, comparable across processes
        self._ends: float | None = None  # monotonic
        self.answered: Counter[str] = Counter()
        if seconds > 0 and after == 0:
            self._start()

    def control(self, query: dict[str, list[str]]) -> Response:
        """``POST /_sandbox/outage?seconds=S[&after=N][&endpoint=E]``."""
        try:
            self.set(
                float(query.get("seconds", ["0"])[-1]),
                int(query.get("after", ["0"])[-1]),
                query.get("endpoint", [None])[-1],
                query.get("hold", ["0"])[-1] == "1",
            )
        except ValueError as exc:
            return json_response(400, {"detail": str(exc)})
        return json_response(200, self.payload())

    async def answer(self) -> Response | None:
        """The outage's answer to the next API request, or None while RAWG is up."""
        if self._ends is None or (left := self._ends - time.monotonic()) <= 0:
            return None
        if self.hold:
            self.answered["held"] += 1
            await asyncio.sleep(left)
            return _ANSWERS["503"]
        kind = KINDS[self.answered.total() % len(KINDS)]
        self.answered[kind] += 1
        return _ANSWERS[kind]

    def served(self, endpoint: str | None) -> None:
        """A request of ``endpoint`` was answered: a pending outage may start."""
        if self.seconds <= 0 or self._ends is not None or endpoint is None:
            return
        if self.endpoint in (None, endpoint):
            self.pending -= 1
            if self.pending <= 0:
                self._start()

    def payload(self) -> dict[str, object]:
        return {
            "seconds": self.seconds,
            "hold": self.hold,
            "pending": self.pending if self._ends is None else 0,
            "started_at": self.started_at,
            "answered": {kind: self.answered[kind] for kind in (*KINDS, "held")},
        }

    def _start(self) -> None:
        self.started_at = time.time()
        self._ends = time.monotonic() + self.seconds
