"""Every page of a RAWG list query: page 1, then a crew of fetchers for the rest.

Page 1 tells how many rows the query holds. Pages 2..N are fetched concurrently by a fixed
crew, one fetcher per in-flight slot, feeding a bounded queue, so memory stays flat however
many pages a query has. A ``/games`` query larger than RAWG's 500-page window is split into
narrower queries first (see :mod:`game_market.rawg.windows`), and the rows none of them
matches (no release date) are read from the head of the query ordered by ``-released``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import msgspec

from game_market.errors import RawgRequestFailed
from game_market.quarantine import NOT_A_LIST
from game_market.rawg.budget import RequestStats, Reservation
from game_market.rawg.retries import MalformedBody
from game_market.rawg.windows import (
    describe_range,
    last_page,
    split_query,
    undated_first,
    undated_lead,
)

if TYPE_CHECKING:
    from game_market.rawg.client import RawgClient

# Yields to the event loop after a page arrives, so its fetcher sends the next request
# before the caller spends CPU on the batch.
HANDOFF_YIELDS = 4
MAX_BATCH_PAGES = 4


@dataclass
class Page:
    number: int
    raw_items: list[bytes]  # each item's JSON as RAWG sent it
    count: int
    # What the page held instead of a ``results`` list, for the quarantine: (reason, JSON).
    rejected: tuple[str, bytes] | None = None
    query: str = ""  # the query it is a page of (``query_key``)
    resumed: bool = False  # served from an earlier attempt's journal, not asked for again


# Pages an earlier attempt fetched: (query_key, page number) -> (count, items).
StagedPages = Mapping[tuple[str, int], tuple[int, list[bytes]]]


def query_key(path: str, params: Mapping[str, Any]) -> str:
    """A query as a string, whatever page of it is asked for."""
    kept = sorted((name, str(value)) for name, value in params.items() if name != "page")
    return f"{path}?{urlencode(kept)}"


class _Page(msgspec.Struct):
    count: int
    results: list[msgspec.Raw]


# A page is read as its items' raw JSON: the whole body is validated, but its items are not
# built into Python values, which the normalizer reads faster from their bytes. A page of the
# usual shape takes one pass over the body (~0.2 ms of CPU less a RAWG-sized page than the
# keys first, then the results); any other is read key by key, to say what is wrong.
_PAGE = msgspec.json.Decoder(_Page)
_ENVELOPE = msgspec.json.Decoder(dict[str, msgspec.Raw])
_RESULTS = msgspec.json.Decoder(list[msgspec.Raw])
_COUNT = msgspec.json.Decoder(int)


def page_envelope(content: bytes) -> dict[str, Any]:
    """The body's keys: ``count`` and ``results`` decoded when the page has the usual shape,
    else every key as its raw JSON."""
    try:
        page = _PAGE.decode(content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    else:
        return {"count": page.count, "results": page.results}
    try:
        return _ENVELOPE.decode(content)
    except msgspec.ValidationError:
        raise MalformedBody("JSON is not an object") from None
    except msgspec.DecodeError:
        raise MalformedBody("invalid JSON") from None


@dataclass
class QueryPlan:
    """How a query was answered: its reported size, and notes on what the window hid."""

    expected: int | None = None
    notes: list[str] = field(default_factory=list)
    # The requests a client that wastes none needs for what RAWG reported: every page the
    # window (and a page cap) lets it read, at least one per query, plus the first page of
    # each query found too big to page, which no client learns about any cheaper. Rows no
    # narrower query can reach cost nothing here, since no request can fetch them, but the
    # first page of the ``-released`` query that looks for them counts: only it shows
    # whether they come first, and then the pages they fill up to the first dated item.
    min_requests: int = 0
    # Rows RAWG counted that no request can fetch: past the 500-page window of a query that
    # cannot be cut narrower, or with no release date where the ordering does not lead with them.
    unreachable: int = 0


async def iter_pages(
    client: RawgClient,
    path: str,
    params: Mapping[str, Any],
    *,
    endpoint: str,
    stats: RequestStats,
    plan: QueryPlan,
    max_pages: int | None = None,
    split: bool = False,
    staged: StagedPages | None = None,
) -> AsyncIterator[list[Page]]:
    """Every page of a list query, in batches of the pages that are ready together.

    A caller that falls behind gets bigger batches, which it can process with less overhead
    per page. With ``split`` a query larger than the window is cut into narrower ``updated``
    / ``dates`` ranges so no row is silently lost; rows no narrower query matches are read
    from the head of the ``-released`` ordering when RAWG shows them there, and any it does
    not are reported in ``plan.notes``. Pages 2..N found in ``staged`` are served from it,
    not asked for (each query's page 1 always is: it tells the query's size now).
    """
    base = {**params, "page_size": client.page_size}
    first = await fetch_page(client, path, base, 1, endpoint=endpoint, stats=stats)
    plan.min_requests += 1
    if first is None:
        plan.expected = plan.expected if plan.expected is not None else 0
        return
    if plan.expected is None:
        plan.expected = first.count
    capped = max_pages is not None and max_pages >= 0
    too_big = first.count > client.window_pages * client.page_size
    narrower = split_query(base) if split and not capped and too_big else None
    if narrower is not None:
        stats.split_probes += 1
        plan.notes.append(f"{describe_range(base)} holds {first.count} rows: split")
        covered = 0
        for sub in narrower:
            sub_plan = QueryPlan()
            async for batch in iter_pages(
                client,
                path,
                sub,
                endpoint=endpoint,
                stats=stats,
                plan=sub_plan,
                split=True,
                staged=staged,
            ):
                yield batch
            covered += sub_plan.expected or 0
            plan.notes.extend(sub_plan.notes)
            plan.min_requests += sub_plan.min_requests
            plan.unreachable += sub_plan.unreachable
        # Rows no narrower query matches (RAWG games with no release date).
        unmatched = max(0, first.count - covered)
        if unmatched:
            async for batch in _undated(client, path, base, unmatched, endpoint, stats, plan):
                yield batch
        return
    stats.pages += 1
    yield [first]
    async for batch in _rest(
        client, path, base, first, endpoint, stats, plan, max_pages, staged or {}
    ):
        yield batch


async def _undated(
    client: RawgClient,
    path: str,
    base: dict[str, Any],
    unmatched: int,
    endpoint: str,
    stats: RequestStats,
    plan: QueryPlan,
) -> AsyncIterator[list[Page]]:
    """The ``unmatched`` rows of ``base`` that no release-date range holds: no release date.

    Ordered by ``-released`` they fill the first pages where nulls sort first, which RAWG
    does not document: page 1 must open with ``released: null`` or they are reported as
    before, and the first dated item ends the paging. Only the pages they can fill are read,
    within the window, and only their undated items are passed on: the dated ones came with
    their ranges, and a row seen twice makes the partition rewrite itself at publish.
    """
    query = undated_first(base)
    wanted = last_page(unmatched, client.page_size, client.window_pages, None)
    first = await fetch_page(client, path, query, 1, endpoint=endpoint, stats=stats)
    plan.min_requests += 1
    reached = undated_lead(first.raw_items) if first is not None else 0
    if first is not None and reached:
        stats.pages += 1
        yield [replace(first, raw_items=first.raw_items[:reached])]
        end = wanted if reached == len(first.raw_items) else 1
        arrived: set[int] = set()
        pages = _rest(client, path, query, first, endpoint, stats, QueryPlan(), end, {})
        async with aclosing(pages):
            async for batch in pages:
                undated: list[Page] = []
                for page in batch:
                    arrived.add(page.number)
                    lead = undated_lead(page.raw_items)
                    reached += lead
                    if lead < len(page.raw_items):
                        end = min(end, page.number)
                    if lead:
                        undated.append(replace(page, raw_items=page.raw_items[:lead]))
                if undated:
                    yield undated
                if arrived.issuperset(range(2, end + 1)):
                    break
        plan.min_requests += end - 1
        plan.notes.append(
            f"{describe_range(base)}: {reached} rows with no release date reached through "
            f"ordering={query['ordering']}"
        )
    if unmatched > reached:
        plan.unreachable += unmatched - reached
        plan.notes.append(
            f"{describe_range(base)}: {unmatched - reached} rows match no narrower query "
            "(no release date) and cannot be fetched past the 500-page window"
        )


async def _rest(
    client: RawgClient,
    path: str,
    base: dict[str, Any],
    first: Page,
    endpoint: str,
    stats: RequestStats,
    plan: QueryPlan,
    max_pages: int | None,
    staged: StagedPages,
) -> AsyncIterator[list[Page]]:
    """Pages 2..N: a fixed crew of fetchers, one per slot, feeding a bounded queue.

    The crew never waits for the caller's work on a page unless the caller falls a queue
    behind.
    """

    def target_for(count: int) -> int:
        return last_page(count, client.page_size, client.window_pages, max_pages)

    target = target_for(first.count)
    plan.min_requests += max(0, target - 1)
    if math.ceil(first.count / client.page_size) > client.window_pages:
        hidden = first.count - client.window_pages * client.page_size
        plan.unreachable += hidden
        plan.notes.append(f"{describe_range(base)}: {hidden} rows beyond the 500-page window")
    what = f"{endpoint} {describe_range(base)}"
    reservation = client.budget.reserve(target - 1, what)
    results: asyncio.Queue[Page | BaseException | None] = asyncio.Queue(
        maxsize=client.max_concurrency * 2
    )
    next_page = 2
    query = query_key(path, base)

    async def fetch_pages() -> None:
        nonlocal next_page
        while next_page <= target:
            number = next_page
            next_page += 1
            if (query, number) in staged:
                count, items = staged[(query, number)]
                stats.resumed += 1
                plan.min_requests -= 1  # paid for by the attempt that fetched it
                resumed = Page(number, items, count, query=query, resumed=True)
                await results.put(resumed)
                continue
            try:
                page = await fetch_page(
                    client,
                    path,
                    base,
                    number,
                    endpoint=endpoint,
                    stats=stats,
                    reservation=reservation,
                )
            except Exception as exc:  # handed to the caller, who raises it
                await results.put(exc)
                return
            await results.put(page)

    crew: list[asyncio.Task[None]] = []

    def hire() -> None:
        crew[:] = [task for task in crew if not task.done()]
        wanted = min(client.max_concurrency, target - next_page + 1) - len(crew)
        crew.extend(asyncio.ensure_future(fetch_pages()) for _ in range(max(0, wanted)))

    received = 0
    try:
        hire()
        while received < target - 1:
            outcomes = [await results.get()]
            for _ in range(HANDOFF_YIELDS):
                await asyncio.sleep(0)
            while not results.empty() and len(outcomes) < MAX_BATCH_PAGES:
                outcomes.append(results.get_nowait())
            received += len(outcomes)
            batch: list[Page] = []
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    next_page = target + 1  # no new page is asked for
                    arrived = await _arrived(crew, results)
                    stats.pages += len(arrived)
                    # What already arrived is handed over (and journaled) before failing.
                    if batch or arrived:
                        yield batch + arrived
                    raise outcome
                if outcome is None:
                    continue
                stats.pages += 1
                # A catalogue that grows while we page would leave rows behind.
                grown = target_for(outcome.count)
                if grown > target:
                    reservation.add(grown - target, what)
                    plan.min_requests += grown - target
                    target = grown
                    hire()
                batch.append(outcome)
            if batch:
                yield batch
    finally:
        for task in crew:
            task.cancel()
        if crew:
            await asyncio.gather(*crew, return_exceptions=True)
        reservation.close()


async def _arrived(
    crew: list[asyncio.Task[None]], results: asyncio.Queue[Page | BaseException | None]
) -> list[Page]:
    """The pages the crew's requests in flight bring, once the crew has stopped."""
    pages: list[Page] = []
    while not results.empty() or not all(task.done() for task in crew):
        try:
            outcome = await asyncio.wait_for(results.get(), timeout=0.05)
        except TimeoutError:
            continue
        if isinstance(outcome, Page):
            pages.append(outcome)
    return pages


async def fetch_page(
    client: RawgClient,
    path: str,
    params: dict[str, Any],
    number: int,
    *,
    endpoint: str,
    stats: RequestStats,
    reservation: Reservation | None = None,
) -> Page | None:
    """One page of a list query; None past the last page (404)."""
    params = {**params, "page": number}
    key = query_key(path, params)
    body = await client.get_json(
        path,
        params,
        endpoint=endpoint,
        page=number,
        stats=stats,
        reservation=reservation,
        decode=page_envelope,
    )
    if body is None:
        return None
    if isinstance(body.get("results"), list):
        return Page(number, list(map(bytes, body["results"])), body["count"], query=key)
    try:
        count = _COUNT.decode(body["count"])
    except (KeyError, msgspec.ValidationError):
        raise RawgRequestFailed(
            f"RAWG's answer for {endpoint} page {number} has no row count "
            f"at {client.display_url(path, params)}; the API shape changed: report it with "
            "this message.",
            endpoint=endpoint,
            page=number,
            status="unexpected shape",
        ) from None
    results = bytes(body.get("results", b"null"))
    try:
        items = _RESULTS.decode(results)
    except msgspec.ValidationError:
        # Valid JSON of the wrong shape: asking again would cost quota for the same answer.
        rejected = (NOT_A_LIST, results)
        return Page(number, [], count, rejected=rejected, query=key)
    return Page(number, list(map(bytes, items)), count, query=key)
