"""Every page of a RAWG list query: page 1, then a crew of fetchers for the rest.

``ListPaginator`` is the strategy ``RawgClient.iter_pages`` calls, as dlt's REST client calls
its paginators: the client hands it the query (``ListQuery``: its parameters, the page size
and window, how many requests may be in flight, and a way to ask for one page), and the
paginator decides which pages to ask for. Page 1 tells how many rows the query holds. Pages
2..N are fetched concurrently by a fixed crew, one fetcher per in-flight slot, feeding a
bounded queue, so memory stays flat however many pages a query has. A ``/games`` query larger
than RAWG's 500-page window is split into narrower queries first (see
:mod:`game_market.rawg.windows`), and the rows none of them matches (no release date) are read
from the head of the query ordered by ``-released``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlencode

import msgspec

from game_market.errors import RawgRequestFailed
from game_market.lake import NOT_A_LIST
from game_market.rawg.budget import Reservation
from game_market.rawg.retries import MalformedBody
from game_market.rawg.windows import (
    describe_range,
    last_page,
    split_query,
    undated_first,
    undated_lead,
)

if TYPE_CHECKING:
    from game_market.rawg.client import ListQuery

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
# usual shape takes one pass over the body, cheaper than reading its keys first and then the
# results; any other is read key by key, to say what is wrong.
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


@dataclass
class ListPaginator:
    """Every page of a list query, in batches of the pages that are ready together.

    A caller that falls behind gets bigger batches, which it can process with less overhead
    per page. With ``split`` a query larger than the window is cut into narrower ``updated``
    / ``dates`` ranges so no row is silently lost; rows no narrower query matches are read
    from the head of the ``-released`` ordering when RAWG shows them there, and any it does
    not are reported in ``plan.notes``. Pages 2..N found in ``staged`` are served from it,
    not asked for (each query's page 1 always is: it tells the query's size now). ``plan``
    tells, once the pages are read, how the query was answered.
    """

    max_pages: int | None = None
    split: bool = False
    staged: StagedPages = field(default_factory=dict)
    plan: QueryPlan = field(default_factory=QueryPlan)

    def pages(self, query: ListQuery) -> AsyncIterator[list[Page]]:
        return self._paginate(query, self.plan)

    async def _paginate(self, query: ListQuery, plan: QueryPlan) -> AsyncIterator[list[Page]]:
        first = await fetch_page(query, 1)
        plan.min_requests += 1
        if first is None:
            plan.expected = plan.expected if plan.expected is not None else 0
            return
        if plan.expected is None:
            plan.expected = first.count
        capped = self.max_pages is not None and self.max_pages >= 0
        too_big = first.count > query.window_pages * query.page_size
        narrower = split_query(query.params) if self.split and not capped and too_big else None
        if narrower is not None:
            async for batch in self._split(query, first.count, narrower, plan):
                yield batch
            return
        query.stats.pages += 1
        yield [first]
        async for batch in _rest(query, first, plan, self.max_pages, self.staged):
            yield batch

    async def _split(
        self, query: ListQuery, count: int, narrower: list[dict[str, Any]], plan: QueryPlan
    ) -> AsyncIterator[list[Page]]:
        """The ``count`` rows of a query too big for the window, through ``narrower`` ones."""
        query.stats.split_probes += 1
        plan.notes.append(f"{describe_range(query.params)} holds {count} rows: split")
        covered = 0
        for params in narrower:
            sub_plan = QueryPlan()
            async for batch in self._paginate(query.narrowed(params), sub_plan):
                yield batch
            covered += sub_plan.expected or 0
            plan.notes.extend(sub_plan.notes)
            plan.min_requests += sub_plan.min_requests
            plan.unreachable += sub_plan.unreachable
        # Rows no narrower query matches (RAWG games with no release date).
        unmatched = max(0, count - covered)
        if unmatched:
            async for batch in _undated(query, unmatched, plan):
                yield batch


async def _undated(query: ListQuery, unmatched: int, plan: QueryPlan) -> AsyncIterator[list[Page]]:
    """The ``unmatched`` rows of ``query`` that no release-date range holds: no release date.

    Ordered by ``-released`` they fill the first pages where nulls sort first, which RAWG
    does not document: page 1 must open with ``released: null`` or they are reported as
    before, and the first dated item ends the paging. Only the pages they can fill are read,
    within the window, and only their undated items are passed on: the dated ones came with
    their ranges, and a row seen twice makes the partition rewrite itself at publish.
    """
    ordered = query.narrowed(undated_first(query.params))
    wanted = last_page(unmatched, query.page_size, query.window_pages, None)
    first = await fetch_page(ordered, 1)
    plan.min_requests += 1
    reached = undated_lead(first.raw_items) if first is not None else 0
    if first is not None and reached:
        query.stats.pages += 1
        yield [replace(first, raw_items=first.raw_items[:reached])]
        end = wanted if reached == len(first.raw_items) else 1
        arrived: set[int] = set()
        pages = _rest(ordered, first, QueryPlan(), end, {})
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
            f"{describe_range(query.params)}: {reached} rows with no release date reached "
            f"through ordering={ordered.params['ordering']}"
        )
    if unmatched > reached:
        plan.unreachable += unmatched - reached
        plan.notes.append(
            f"{describe_range(query.params)}: {unmatched - reached} rows match no narrower query "
            "(no release date) and cannot be fetched past the 500-page window"
        )


# What a fetcher hands the caller: a page, None past the last page, or the error it met.
Outcome: TypeAlias = "Page | BaseException | None"


class _Crew:
    """Fetchers of a query's pages 2..``target``, one per request in flight, feeding a bounded
    queue: they never wait for the caller's work on a page unless it falls a queue behind."""

    def __init__(
        self,
        query: ListQuery,
        target: int,
        reservation: Reservation,
        plan: QueryPlan,
        staged: StagedPages,
    ) -> None:
        self.query = query
        self.target = target
        self.reservation = reservation
        self.plan = plan
        self.staged = staged
        self.key = query_key(query.path, query.params)
        self.results: asyncio.Queue[Outcome] = asyncio.Queue(maxsize=query.in_flight * 2)
        self.next_page = 2
        self.tasks: list[asyncio.Task[None]] = []

    def hire(self) -> None:
        """As many fetchers as slots in flight, or pages left to ask for if fewer."""
        self.tasks[:] = [task for task in self.tasks if not task.done()]
        wanted = min(self.query.in_flight, self.target - self.next_page + 1) - len(self.tasks)
        self.tasks.extend(asyncio.ensure_future(self._fetch()) for _ in range(max(0, wanted)))

    def grow(self, target: int, what: str) -> None:
        """A catalogue that grows while we page would leave rows behind: page it to ``target``."""
        if target > self.target:
            self.reservation.add(target - self.target, what)
            self.plan.min_requests += target - self.target
            self.target = target
            self.hire()

    async def take(self) -> list[Outcome]:
        """What the fetchers brought: at least one outcome, at most ``MAX_BATCH_PAGES``."""
        outcomes = [await self.results.get()]
        for _ in range(HANDOFF_YIELDS):
            await asyncio.sleep(0)
        while not self.results.empty() and len(outcomes) < MAX_BATCH_PAGES:
            outcomes.append(self.results.get_nowait())
        return outcomes

    async def stop(self) -> list[Page]:
        """Ask for no new page; the pages the requests in flight bring, once they are done."""
        self.next_page = self.target + 1
        pages: list[Page] = []
        while not self.results.empty() or not all(task.done() for task in self.tasks):
            try:
                outcome = await asyncio.wait_for(self.results.get(), timeout=0.05)
            except TimeoutError:
                continue
            if isinstance(outcome, Page):
                pages.append(outcome)
        return pages

    async def dismiss(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        self.reservation.close()

    async def _fetch(self) -> None:
        while self.next_page <= self.target:
            number = self.next_page
            self.next_page += 1
            if (self.key, number) in self.staged:
                count, items = self.staged[(self.key, number)]
                self.query.stats.resumed += 1
                self.plan.min_requests -= 1  # paid for by the attempt that fetched it
                await self.results.put(Page(number, items, count, query=self.key, resumed=True))
                continue
            try:
                page = await fetch_page(self.query, number, reservation=self.reservation)
            except Exception as exc:  # handed to the caller, who raises it
                await self.results.put(exc)
                return
            await self.results.put(page)


async def _rest(
    query: ListQuery, first: Page, plan: QueryPlan, max_pages: int | None, staged: StagedPages
) -> AsyncIterator[list[Page]]:
    """Pages 2..N, fetched by a crew, in batches of the pages that arrived together."""

    def target_for(count: int) -> int:
        return last_page(count, query.page_size, query.window_pages, max_pages)

    target = target_for(first.count)
    plan.min_requests += max(0, target - 1)
    if math.ceil(first.count / query.page_size) > query.window_pages:
        hidden = first.count - query.window_pages * query.page_size
        plan.unreachable += hidden
        where = describe_range(query.params)
        plan.notes.append(f"{where}: {hidden} rows beyond the 500-page window")
    what = f"{query.endpoint} {describe_range(query.params)}"
    crew = _Crew(query, target, query.reserve(target - 1, what), plan, staged)
    received = 0
    try:
        crew.hire()
        while received < crew.target - 1:
            outcomes = await crew.take()
            received += len(outcomes)
            batch: list[Page] = []
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    arrived = await crew.stop()
                    query.stats.pages += len(arrived)
                    # What already arrived is handed over (and journaled) before failing.
                    if batch or arrived:
                        yield batch + arrived
                    raise outcome
                if outcome is None:
                    continue
                query.stats.pages += 1
                crew.grow(target_for(outcome.count), what)
                batch.append(outcome)
            if batch:
                yield batch
    finally:
        await crew.dismiss()


async def fetch_page(
    query: ListQuery, number: int, *, reservation: Reservation | None = None
) -> Page | None:
    """One page of a list query; None past the last page (404)."""
    key = query_key(query.path, query.params)
    body = await query.get_page(number, decode=page_envelope, reservation=reservation)
    if body is None:
        return None
    if isinstance(body.get("results"), list):
        return Page(number, list(map(bytes, body["results"])), body["count"], query=key)
    try:
        count = _COUNT.decode(body["count"])
    except (KeyError, msgspec.ValidationError):
        raise RawgRequestFailed(
            f"RAWG's answer for {query.endpoint} page {number} has no row count "
            f"at {query.display_url(number)}; the API shape changed: report it with "
            "this message.",
            endpoint=query.endpoint,
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
