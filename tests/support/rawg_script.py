"""Scripted RAWG answers for exact client scenarios ("429 once, then 200"), in process.

A :class:`Script` answers per page number and records every request it saw; its
:meth:`Script.transport` plays it through ``httpx.MockTransport``, so unit tests drive the
real client with no socket. :class:`WindowedGames` is a tiny ``/games`` that filters by
release date and serves at most a few pages per query, for the window-split scenarios.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs

import httpx
import orjson

from game_market.rawg import Page


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    # Raised instead of answering (a timeout, a refused connection); MockTransport only.
    error: httpx.TransportError | None = None

    def content(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


def items_of(page: Page) -> list[dict]:
    """A fetched page's items as Python values (the client keeps them as JSON bytes)."""
    return [orjson.loads(raw) for raw in page.raw_items]


def page(count: int, ids: list[int]) -> Answer:
    return Answer(
        body={
            "count": count,
            "next": None,
            "previous": None,
            "results": [{"id": i, "name": f"Game {i}"} for i in ids],
        }
    )


@dataclass
class Script:
    """Answers per page number; the last answer for a page repeats forever."""

    pages: dict[int, list[Answer]]
    seen: list[dict[str, list[str]]] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0

    @property
    def pages_asked(self) -> list[int]:
        return [int(query.get("page", ["1"])[0]) for query in self.seen]

    def answer(self, query: dict[str, list[str]]) -> Answer:
        self.seen.append(query)
        number = int(query.get("page", ["1"])[0])
        queue = self.pages.get(number) or [Answer(404, {"detail": "Invalid page."})]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            answer = self.answer(parse_qs(request.url.query.decode()))
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                await asyncio.sleep(answer.delay_s)
            finally:
                self.in_flight -= 1
            if answer.error is not None:
                raise answer.error
            return httpx.Response(answer.status, headers=answer.headers, content=answer.content())

        return httpx.MockTransport(handle)


@dataclass
class WindowedGames:
    """``/games`` over ``released`` dates (None: undated), at most ``window_pages`` per query.

    Like RAWG, ``count`` is every matching row even when the window hides some, ``dates`` is
    an inclusive range that undated games never match, and a page past the end is a 404.
    """

    released: dict[int, date | None]
    window_pages: int
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            number, size = int(params["page"]), int(params["page_size"])
            self.seen.append((params.get("updated", ""), params.get("dates", ""), number))
            matching = sorted(self._matching(params.get("dates")))
            rows = matching[(number - 1) * size : number * size]
            if number > self.window_pages or not rows:
                return httpx.Response(404, json={"detail": "Invalid page."})
            results = [{"id": i, "released": _iso(self.released[i])} for i in rows]
            return httpx.Response(200, json={"count": len(matching), "results": results})

        return httpx.MockTransport(handle)

    def _matching(self, dates: str | None) -> list[int]:
        if dates is None:
            return list(self.released)
        start, end = (date.fromisoformat(part) for part in dates.split(","))
        return [i for i, day in self.released.items() if day is not None and start <= day <= end]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
