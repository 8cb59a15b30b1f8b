"""Partitions side by side on one client: at most so many at once, none started after a refusal."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from flows.side_by_side import side_by_side
from game_market.errors import RawgAuthError


def test_at_most_at_once_items_are_in_flight() -> None:
    client: Any = SimpleNamespace(refusal=None)
    in_flight, most, done = 0, 0, []

    async def fetch(item: int) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        done.append(item)

    asyncio.run(side_by_side(client, range(10), fetch, at_once=3, not_started=print))
    assert sorted(done) == list(range(10))
    assert most == 3


def test_items_waiting_when_rawg_refuses_the_key_are_not_started() -> None:
    client: Any = SimpleNamespace(refusal=None)
    fetched: list[int] = []
    not_started: dict[int, str] = {}

    async def fetch(item: int) -> None:
        fetched.append(item)
        if item == 1:
            client.refusal = RawgAuthError("RAWG refused the key: set RAWG_API_KEY.")

    asyncio.run(
        side_by_side(client, range(5), fetch, at_once=1, not_started=not_started.__setitem__)
    )
    assert fetched == [0, 1]
    assert not_started == dict.fromkeys(
        [2, 3, 4], "not started: RAWG refused the key: set RAWG_API_KEY."
    )
