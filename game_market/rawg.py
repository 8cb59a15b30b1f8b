"""Async RAWG API client: concurrent pagination, retries, window splitting, key redaction.

The key travels as the ``key`` query parameter, as RAWG requires, but it never appears in
a message we build: URLs are shown with ``key=***`` and httpx's own request log lines are
redacted at the source by a logging filter.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
import orjson

from game_market import __version__
from game_market.errors import (
    RawgAuthError,
    RawgError,
    RawgQuotaExceeded,
    RawgRequestFailed,
    RequestBudgetExhausted,
)
from game_market.limiter import ProcessLimiter, process_limiter
from game_market.settings import Settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 40  # RAWG's maximum page_size
WINDOW_PAGES = 500  # RAWG serves at most 500 pages of one query
EARLIEST_RELEASE = date(1900, 1, 1)
LATEST_RELEASE = date(2099, 12, 31)
MAX_RETRY_AFTER_S = 120.0
HANDOFF_YIELDS = 4
MAX_BATCH_PAGES = 4

_KEY_IN_TEXT = re.compile(r"(?i)(key=)[^&\s\"'#]+")


def redact(text: str) -> str:
    """Replace every ``key=...`` value in a text with ``key=***``."""
    return _KEY_IN_TEXT.sub(r"\1***", text)


class _RedactKeyFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


for _name in ("httpx", "httpcore", "aiohttp"):
    logging.getLogger(_name).addFilter(_RedactKeyFilter())


@dataclass
class RequestStats:
    """What a piece of work cost in RAWG requests; every HTTP attempt counts against quota."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    bytes: int = 0
    split_probes: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


class RequestBudget:
    """A cap on requests shared by everything in a run (``max_requests``).

    A query reserves the pages it still needs once page 1 has told it how many, so work
    stops between pages instead of discarding pages already in flight.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.reserved = 0

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used - self.reserved)

    def reserve(self, count: int, what: str) -> Reservation:
        reservation = Reservation(self)
        reservation.add(count, what)
        return reservation

    def spend(self, what: str) -> None:
        if self.remaining == 0:
            raise RequestBudgetExhausted(
                f"The request budget of {self.limit} is spent before {what}; "
                "rerun with a larger max_requests to fetch the rest."
            )
        self.used += 1


class Reservation:
    """Requests set aside for one query's remaining pages; unused ones go back on close."""

    def __init__(self, budget: RequestBudget) -> None:
        self.budget = budget
        self.left = 0

    def add(self, count: int, what: str) -> None:
        remaining = self.budget.remaining
        if remaining is not None and count > remaining:
            raise RequestBudgetExhausted(
                f"{what} needs {count} more requests but only {remaining} of the request "
                f"budget of {self.budget.limit} remain; rerun with a larger max_requests."
            )
        self.budget.reserved += count
        self.left += count

    def spend(self, what: str) -> None:
        if self.left == 0:
            self.budget.spend(what)
            return
        self.left -= 1
        self.budget.reserved -= 1
        self.budget.used += 1

    def close(self) -> None:
        self.budget.reserved -= self.left
        self.left = 0


@dataclass
class Page:
    number: int
    items: list[dict[str, Any]]
    count: int
    bytes: int


@dataclass
class QueryPlan:
    """How a query was answered: its reported size and what the 500-page window hid."""

    expected: int | None = None
    subqueries: int = 0
    unreachable: int = 0
    notes: list[str] = field(default_factory=list)


class RawgClient:
    """One per run; the in-flight cap is shared by every client in the process."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        max_concurrency: int = 8,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        page_size: int = PAGE_SIZE,
        window_pages: int = WINDOW_PAGES,
        budget: RequestBudget | None = None,
        limiter: ProcessLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.page_size = page_size
        self.window_pages = window_pages
        self.budget = budget or RequestBudget(None)
        self._limiter = limiter or process_limiter(max_concurrency)
        self._http: httpx.AsyncClient | None = None
        # Every attempt this client sent, per endpoint: what the run cost in quota.
        self.usage: Counter[str] = Counter()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RawgClient:
        options: dict[str, Any] = {
            "base_url": settings.rawg_base_url,
            "api_key": settings.api_key(),
            "max_concurrency": settings.rawg_max_concurrency,
            "timeout_s": settings.rawg_timeout_seconds,
            "max_retries": settings.rawg_max_retries,
        }
        options.update(overrides)
        return cls(**options)

    async def __aenter__(self) -> RawgClient:
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout_s),
            transport=AiohttpTransport(),
            headers={"User-Agent": f"game-market-pipeline/{__version__}"},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def display_url(self, path: str, params: Mapping[str, Any]) -> str:
        """The URL as it may be shown anywhere: the key is always ``***``."""
        query = urlencode({**params, "key": "***"}, safe="*,")
        return f"{self.base_url}{path}?{query}"

    async def get_json(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        endpoint: str,
        page: int | None,
        stats: RequestStats,
        reservation: Reservation | None = None,
    ) -> tuple[dict[str, Any] | None, int]:
        """GET one resource with retries; ``None`` for a 404 (past the last page, or gone)."""
        if self._http is None:
            raise RuntimeError("RawgClient must be used as `async with RawgClient(...)`")
        where = f"{endpoint} page {page}" if page is not None else endpoint
        last_status = "no answer"
        for attempt in range(self.max_retries + 1):
            if attempt:
                stats.retries += 1
            if attempt == 0 and reservation is not None:
                reservation.spend(where)
            else:
                self.budget.spend(where)
            stats.requests += 1
            self.usage[endpoint] += 1
            async with self._limiter:
                sent = await self._send(path, params)
            # Parsing happens after the slot is freed, so the next request is already on its way.
            outcome = sent if isinstance(sent, _Outcome) else _interpret(sent)
            last_status = outcome.status
            stats.statuses[outcome.status] += 1
            if outcome.body is not None:
                stats.bytes += outcome.size
                return outcome.body, outcome.size
            if outcome.status == "404":
                return None, 0
            if outcome.status == "401":
                raise RawgAuthError(
                    f"RAWG rejected the API key ({outcome.detail}): "
                    "check RAWG_API_KEY in .env or the environment."
                )
            if outcome.fatal:
                raise RawgRequestFailed(
                    f"RAWG answered {outcome.status} ({outcome.detail}) for {where} at "
                    f"{self.display_url(path, params)}; this is not retryable, check the "
                    "request parameters.",
                    endpoint=endpoint,
                    page=page,
                    status=outcome.status,
                )
            if attempt < self.max_retries:
                await asyncio.sleep(self._delay(attempt, outcome.retry_after))
        url = self.display_url(path, params)
        if last_status == "429":
            raise RawgQuotaExceeded(
                f"RAWG kept throttling {where} (429) after {self.max_retries} retries at {url}; "
                "the monthly quota may be spent: check your usage at rawg.io and retry later."
            )
        raise RawgRequestFailed(
            f"Giving up on {where} after {self.max_retries} retries (last: {last_status}) at "
            f"{url}; check RAWG_BASE_URL and the network, then rerun.",
            endpoint=endpoint,
            page=page,
            status=last_status,
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)

    async def _send(self, path: str, params: Mapping[str, Any]) -> httpx.Response | _Outcome:
        assert self._http is not None
        try:
            return await self._http.get(path, params={**params, "key": self._key})
        except httpx.TimeoutException:
            return _Outcome(status="timeout", detail="timed out")
        except httpx.TransportError as exc:
            return _Outcome(
                status="connection error", detail=redact(str(exc)) or type(exc).__name__
            )

    async def iter_pages(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        endpoint: str,
        stats: RequestStats,
        plan: QueryPlan,
        max_pages: int | None = None,
        split: bool = False,
    ) -> AsyncIterator[list[Page]]:
        """Every page of a list query, in batches of the pages that are ready together.

        Pages after the first are fetched concurrently. A caller that falls behind gets
        bigger batches, which it can process with less overhead per page. With ``split``
        (``/games`` only) a query larger than RAWG's 500-page window is cut into narrower
        ``updated``/``dates`` ranges so no row is silently lost.
        """
        base = {**params, "page_size": self.page_size}
        first = await self._page(path, base, 1, endpoint=endpoint, stats=stats)
        if first is None:
            plan.expected = plan.expected if plan.expected is not None else 0
            return
        if plan.expected is None:
            plan.expected = first.count
        window_rows = self.window_pages * self.page_size
        capped = max_pages is not None and max_pages >= 0
        if split and not capped and first.count > window_rows:
            narrower = _split(base)
            if narrower is not None:
                stats.split_probes += 1
                plan.notes.append(f"{_describe_range(base)} holds {first.count} rows: split")
                covered = 0
                for sub in narrower:
                    plan.subqueries += 1
                    sub_plan = QueryPlan()
                    async for batch in self.iter_pages(
                        path, sub, endpoint=endpoint, stats=stats, plan=sub_plan, split=True
                    ):
                        yield batch
                    covered += sub_plan.expected or 0
                    plan.subqueries += sub_plan.subqueries
                    plan.unreachable += sub_plan.unreachable
                    plan.notes.extend(sub_plan.notes)
                # Rows no narrower query matches (RAWG games with no release date).
                unmatched = max(0, first.count - covered)
                if unmatched:
                    plan.unreachable += unmatched
                    plan.notes.append(
                        f"{_describe_range(base)}: {unmatched} rows match no narrower query "
                        "(no release date) and cannot be fetched past the 500-page window"
                    )
                return
        stats.pages += 1
        yield [first]
        async for batch in self._rest(path, base, first, endpoint, stats, plan, max_pages):
            yield batch

    async def _rest(
        self,
        path: str,
        base: dict[str, Any],
        first: Page,
        endpoint: str,
        stats: RequestStats,
        plan: QueryPlan,
        max_pages: int | None,
    ) -> AsyncIterator[list[Page]]:
        """Pages 2..N: a fixed crew of fetchers, one per slot, feeding a bounded queue.

        The queue bound keeps memory flat however many pages the query has; the crew never
        waits for the caller's work on a page unless the caller falls a queue behind.
        """

        def last_page(count: int) -> int:
            pages = min(math.ceil(count / self.page_size), self.window_pages)
            return min(pages, max_pages) if max_pages is not None and max_pages >= 0 else pages

        target = last_page(first.count)
        if math.ceil(first.count / self.page_size) > self.window_pages:
            hidden = first.count - self.window_pages * self.page_size
            plan.unreachable += hidden
            plan.notes.append(f"{_describe_range(base)}: {hidden} rows beyond the 500-page window")
        what = f"{endpoint} {_describe_range(base)}"
        reservation = self.budget.reserve(target - 1, what)
        results: asyncio.Queue[Page | BaseException | None] = asyncio.Queue(
            maxsize=self.max_concurrency * 2
        )
        next_page = 2

        async def fetch_pages() -> None:
            nonlocal next_page
            while next_page <= target:
                number = next_page
                next_page += 1
                try:
                    page = await self._page(
                        path, base, number, endpoint=endpoint, stats=stats, reservation=reservation
                    )
                except Exception as exc:  # handed to the caller, who raises it
                    await results.put(exc)
                    return
                await results.put(page)

        crew: list[asyncio.Task[None]] = []

        def hire() -> None:
            crew[:] = [task for task in crew if not task.done()]
            wanted = min(self.max_concurrency, target - next_page + 1) - len(crew)
            crew.extend(asyncio.ensure_future(fetch_pages()) for _ in range(max(0, wanted)))

        received = 0
        try:
            hire()
            while received < target - 1:
                outcomes = [await results.get()]
                # Let the fetcher that just queued a page get its next request onto the
                # socket before the caller spends CPU on this batch.
                for _ in range(HANDOFF_YIELDS):
                    await asyncio.sleep(0)
                while not results.empty() and len(outcomes) < MAX_BATCH_PAGES:
                    outcomes.append(results.get_nowait())
                received += len(outcomes)
                batch: list[Page] = []
                for outcome in outcomes:
                    if isinstance(outcome, BaseException):
                        raise outcome
                    if outcome is None:
                        continue
                    stats.pages += 1
                    # A catalogue that grows while we page would leave rows behind.
                    grown = last_page(outcome.count)
                    if grown > target:
                        reservation.add(grown - target, what)
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

    async def _page(
        self,
        path: str,
        params: dict[str, Any],
        number: int,
        *,
        endpoint: str,
        stats: RequestStats,
        reservation: Reservation | None = None,
    ) -> Page | None:
        body, size = await self.get_json(
            path,
            {**params, "page": number},
            endpoint=endpoint,
            page=number,
            stats=stats,
            reservation=reservation,
        )
        if body is None:
            return None
        results = body.get("results")
        count = body.get("count")
        if not isinstance(results, list) or not isinstance(count, int):
            raise RawgRequestFailed(
                f"RAWG's answer for {endpoint} page {number} has no results/count list "
                f"at {self.display_url(path, {**params, 'page': number})}; the API shape "
                "changed: report it with this message.",
                endpoint=endpoint,
                page=number,
                status="unexpected shape",
            )
        return Page(number=number, items=results, count=count, bytes=size)

    async def get_detail(
        self,
        path: str,
        *,
        endpoint: str,
        stats: RequestStats,
        reservation: Reservation | None = None,
    ) -> dict[str, Any] | None:
        body, _ = await self.get_json(
            path, {}, endpoint=endpoint, page=None, stats=stats, reservation=reservation
        )
        if body is not None:
            stats.pages += 1
        return body


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's client interface over aiohttp's connection pool and C HTTP parser.

    Measured against the sandbox, httpcore's pure-Python HTTP/1.1 stack costs ~20% more
    CPU per page, which caps pages per second once requests overlap. Our limiter already
    caps requests in flight, so the pool itself is unbounded.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            # httpx decodes the body from its headers; aiohttp must hand it over untouched.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), auto_decompress=False
            )
        limits = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            sock_connect=limits.get("connect"), sock_read=limits.get("read")
        )
        try:
            async with self._session.request(
                request.method,
                str(request.url),
                headers=list(request.headers.multi_items()),
                data=request.content or None,
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                body = await response.read()
                headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers
                ]
        except TimeoutError:
            raise httpx.ReadTimeout("timed out", request=request) from None
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(redact(str(exc)), request=request) from None
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(redact(str(exc)), request=request) from None
        return httpx.Response(response.status, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass
class _Outcome:
    status: str
    detail: str
    body: dict[str, Any] | None = None
    size: int = 0
    retry_after: float | None = None
    fatal: bool = False


def _interpret(response: httpx.Response) -> _Outcome:
    status = response.status_code
    if status == 200:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return _Outcome(status="malformed body", detail="invalid JSON")
        if not isinstance(body, dict):
            return _Outcome(status="malformed body", detail="JSON is not an object")
        return _Outcome(status="200", detail="ok", body=body, size=len(response.content))
    detail = _error_detail(response)
    if status == 429:
        return _Outcome("429", detail, retry_after=_retry_after(response))
    if status in (401, 404) or status >= 500 or status == 408:
        return _Outcome(str(status), detail)
    return _Outcome(str(status), detail, fatal=True)


def _error_detail(response: httpx.Response) -> str:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for name in ("error", "detail"):
            if isinstance(body.get(name), str):
                return redact(body[name])
    return f"HTTP {response.status_code}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _parse_range(value: str) -> tuple[date, date]:
    start, end = value.split(",")
    return date.fromisoformat(start), date.fromisoformat(end)


def _split(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Two narrower queries whose union is ``params``, or None when it cannot be narrowed.

    A multi-day ``updated`` range is halved first; a single day is cut by release date.
    Games with no release date match no ``dates`` range, so they are counted as unreachable.
    """
    if "updated" in params:
        start, end = _parse_range(params["updated"])
        if start < end:
            mid = start + (end - start) // 2
            return [
                {**params, "updated": f"{start},{mid}"},
                {**params, "updated": f"{mid + timedelta(days=1)},{end}"},
            ]
    if "dates" in params:
        start, end = _parse_range(params["dates"])
    else:
        start, end = EARLIEST_RELEASE, LATEST_RELEASE
    if start >= end:
        return None
    mid = start + (end - start) // 2
    return [
        {**params, "dates": f"{start},{mid}"},
        {**params, "dates": f"{mid + timedelta(days=1)},{end}"},
    ]


def _describe_range(params: Mapping[str, Any]) -> str:
    parts = [f"{name}={params[name]}" for name in ("updated", "dates") if name in params]
    return "query " + (" ".join(parts) if parts else "(unfiltered)")


__all__ = [
    "PAGE_SIZE",
    "WINDOW_PAGES",
    "Page",
    "QueryPlan",
    "RawgClient",
    "RawgError",
    "RequestBudget",
    "RequestStats",
    "redact",
]
