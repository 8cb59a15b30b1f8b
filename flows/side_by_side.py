"""Partitions fetched side by side on one RAWG client, so its in-flight cap and its request
budget span them all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from game_market.rawg import RawgClient

Item = TypeVar("Item")


async def side_by_side(
    client: RawgClient,
    items: Iterable[Item],
    fetch: Callable[[Item], Awaitable[None]],
    *,
    at_once: int,
    not_started: Callable[[Item, str], None],
) -> None:
    """``fetch`` each item, at most ``at_once`` of them at a time.

    Once RAWG refuses the key, every later request would fail the same: the items still
    waiting for their turn are not started, and ``not_started`` records why.
    """
    slots = asyncio.Semaphore(at_once)

    async def one(item: Item) -> None:
        async with slots:
            if client.refusal is not None:
                not_started(item, f"not started: {client.refusal}")
                return
            await fetch(item)

    await asyncio.gather(*(one(item) for item in items))
