"""The RAWG API client: one GET with retries, a list query's pages, a game's detail page.

A request retries a failure (5xx, a dropped connection, a timeout, a 429 with a short
Retry-After) by the :class:`RetryPolicy`: at least ``max_retries`` times and for at least
``retry_budget_s`` seconds (RAWG_RETRY_BUDGET_SECONDS, 120 s) after its first failure, so an
outage shorter than the budget costs time, not the run.

A spent quota, a rejected key or a throttle that outlasts the budget ends the run's requests.
Once one request concludes it (a 401; a 429 that says the quota is spent; a 429 still there
when the retry budget is spent), the client keeps that error as :attr:`RawgClient.refusal`:
requests waiting for a slot stop at once, those waiting to retry within ``REFUSAL_POLL_S``,
and every later one raises the same sentence unsent.
So the requests of a run end at most ``RetryPolicy.longest_s(timeout_s) + timeout_s`` after
RAWG starts refusing: the one that concludes takes at most ``longest_s`` (780 s at the
defaults, when RAWG keeps asking for 120 s; within ``timeout_s``, 30 s, for a 401 or a long
Retry-After), then those in flight end within ``timeout_s``: 810 s at the defaults, 60 s for
a 401 or a long Retry-After.

The key travels as the ``key`` query parameter, as RAWG requires, but it never appears in a
message we build: URLs are shown with ``key=***``, and the HTTP libraries' log lines are
redacted by the filter the client installs when it is constructed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

import httpx

from game_market import __version__
from game_market.errors import RawgRefused
from game_market.rawg.budget import RequestBudget, RequestStats, Reservation
from game_market.rawg.failures import Request, failure
from game_market.rawg.limiter import RequestLimiter
from game_market.rawg.redaction import install_log_redaction
from game_market.rawg.retries import (
    Clock,
    MonotonicClock,
    Outcome,
    RetryPolicy,
    json_object,
    read_response,
    read_transport_error,
)
from game_market.rawg.shared import SharedSlots
from game_market.rawg.transport import AiohttpTransport
from game_market.rawg.windows import WINDOW_PAGES
from game_market.settings import Settings

PAGE_SIZE = 40  # RAWG's maximum page_size
# How soon a request waiting to retry notices that another one concluded a refusal.
REFUSAL_POLL_S = 0.2

Batch = TypeVar("Batch", covariant=True)


class Paginator(Protocol[Batch]):
    """How a list query is paged: the strategy ``RawgClient.iter_pages`` hands the query to
    (``game_market.rawg.paging.ListPaginator`` is RAWG's)."""

    def pages(self, query: ListQuery) -> AsyncIterator[Batch]: ...


class RawgClient:
    """One per run, its requests in flight capped at ``max_concurrency``.

    ``limiter`` is a cap shared with other clients (the runtime's, sized by the same setting);
    without one the client caps its own requests. ``transport`` replaces the aiohttp
    transport (tests pass an ``httpx.MockTransport``); it is closed when the client's
    ``async with`` block ends. ``clock`` is what retries wait on (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        max_concurrency: int = 8,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        retry_budget_s: float = 120.0,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        page_size: int = PAGE_SIZE,
        window_pages: int = WINDOW_PAGES,
        budget: RequestBudget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        shared: SharedSlots | None = None,
        clock: Clock | None = None,
        limiter: RequestLimiter | None = None,
    ) -> None:
        install_log_redaction()
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.retry = RetryPolicy(
            max_retries=max_retries,
            budget_s=retry_budget_s,
            backoff_base_s=backoff_base_s,
            backoff_max_s=backoff_max_s,
        )
        self._clock = clock or MonotonicClock()
        self.page_size = page_size
        self.window_pages = window_pages
        self.budget = budget or RequestBudget(None)
        self._limiter = limiter or RequestLimiter(max_concurrency)
        self.shared = shared
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        # Every attempt this client sent, per endpoint: what the run cost in quota.
        self.usage: Counter[str] = Counter()
        # The spent quota or rejected key that ended this run's requests, once one concluded it.
        self.refusal: RawgRefused | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RawgClient:
        options: dict[str, Any] = {
            "base_url": settings.rawg_base_url,
            "api_key": settings.api_key(),
            "max_concurrency": settings.rawg_max_concurrency,
            "timeout_s": settings.rawg_timeout_seconds,
            "max_retries": settings.rawg_max_retries,
            "retry_budget_s": settings.rawg_retry_budget_seconds,
        }
        options.update(overrides)
        return cls(**options)

    async def __aenter__(self) -> RawgClient:
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout_s),
            transport=self._transport or AiohttpTransport(),
            headers={"User-Agent": f"game-market-pipeline/{__version__}"},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.shared is not None:
            await self.shared.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def display_url(self, path: str, params: Mapping[str, Any]) -> str:
        """The URL as it may be shown anywhere: the key is always ``***``."""
        query = urlencode({**params, "key": "***"}, safe="*,")
        return f"{self.base_url}{path}?{query}"

    def iter_pages(
        self,
        path: str,
        params: Mapping[str, Any],
        paginator: Paginator[Batch],
        *,
        endpoint: str,
        stats: RequestStats,
    ) -> AsyncIterator[Batch]:
        """Every page of a list query, as ``paginator`` asks for them (see
        :class:`game_market.rawg.paging.ListPaginator`); ``stats`` tallies what they cost."""
        query = ListQuery(self, path, {**params, "page_size": self.page_size}, endpoint, stats)
        return paginator.pages(query)

    async def get_detail(
        self,
        path: str,
        *,
        endpoint: str,
        stats: RequestStats,
        reservation: Reservation | None = None,
    ) -> dict[str, Any] | None:
        body = await self.get_json(
            path, {}, endpoint=endpoint, page=None, stats=stats, reservation=reservation
        )
        if body is not None:
            stats.pages += 1
        return body

    async def get_json(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        endpoint: str,
        page: int | None,
        stats: RequestStats,
        reservation: Reservation | None = None,
        decode: Callable[[bytes], dict[str, Any]] = json_object,
    ) -> dict[str, Any] | None:
        """GET one resource with retries; ``None`` for a 404 (past the last page, or gone).

        Every attempt is a request against RAWG's quota: the first is paid from
        ``reservation`` when the query reserved its pages, each retry from the run's budget.
        ``decode`` reads a 200's body; a body it refuses is retried like a 5xx.
        """
        if self._http is None:
            raise RuntimeError("RawgClient must be used as `async with RawgClient(...)`")
        where = f"{endpoint} page {page}" if page is not None else endpoint
        outcome = await self._attempt(path, params, endpoint, where, stats, reservation, decode)
        failing_since = self._clock.now()
        retries = 0
        while outcome.retryable:
            wait = self.retry.wait(retries, self._clock.now() - failing_since, outcome.retry_after)
            if wait is None:
                break
            await self._pause(wait)
            retries += 1
            stats.retries += 1
            outcome = await self._attempt(path, params, endpoint, where, stats, None, decode)
        if outcome.body is not None:
            stats.bytes += outcome.size
            return outcome.body
        if outcome.status == "404":
            return None
        request = Request(endpoint, page, where, self.display_url(path, params))
        error = failure(outcome, request, retries, self._clock.now() - failing_since)
        if isinstance(error, RawgRefused):
            self._refuse(error)
        raise error

    def _refuse(self, error: RawgRefused) -> None:
        if self.refusal is None:
            self.refusal = error

    def _stop_if_refused(self) -> None:
        """Raise the run's refusal, as its own exception, once a request has concluded one."""
        if self.refusal is not None:
            raise type(self.refusal)(str(self.refusal))

    async def _pause(self, seconds: float) -> None:
        """Sleep before a retry, or stop within REFUSAL_POLL_S of another request concluding
        a refusal."""
        # Polled rather than an asyncio.Event: one client's requests may wait on several
        # event loops (see the limiter), and an Event belongs to one.
        deadline = self._clock.now() + seconds
        while (left := deadline - self._clock.now()) > 0:
            self._stop_if_refused()
            await self._clock.sleep(min(left, REFUSAL_POLL_S))
        self._stop_if_refused()

    async def _attempt(
        self,
        path: str,
        params: Mapping[str, Any],
        endpoint: str,
        where: str,
        stats: RequestStats,
        reservation: Reservation | None,
        decode: Callable[[bytes], dict[str, Any]],
    ) -> Outcome:
        assert self._http is not None
        self._stop_if_refused()
        # The run's own cap first: a shared slot is never held while waiting for it.
        async with self._limiter, self._shared_slot():
            # A refusal concluded while this request waited for its slot: it is not sent.
            self._stop_if_refused()
            (reservation or self.budget).spend(where)
            stats.requests += 1
            self.usage[endpoint] += 1
            try:
                # The whole answer within the timeout, however slowly it trickles in: the
                # transport's read timeout only bounds each wait for the next bytes.
                async with asyncio.timeout(self.timeout_s):
                    response = await self._http.get(path, params={**params, "key": self._key})
            except TimeoutError:
                return Outcome(status="timeout", detail="timed out")
            except httpx.TransportError as exc:
                return read_transport_error(exc)
            except httpx.DecodingError:
                # A corrupt gzip stream is a damaged answer like invalid JSON, worth asking again.
                return Outcome(status="malformed body", detail="undecodable gzip body")
        # Parsing happens after the slot is freed, so the next request is already on its way.
        return read_response(response, decode)

    def _shared_slot(self) -> AbstractAsyncContextManager[None]:
        return nullcontext() if self.shared is None else self.shared.slot()


class ListQuery:
    """One list query as the client hands it to its paginator: what the query is, how RAWG
    pages it, and one page of it asked for through the client (with its retries and caps)."""

    def __init__(
        self,
        client: RawgClient,
        path: str,
        params: dict[str, Any],
        endpoint: str,
        stats: RequestStats,
    ) -> None:
        self._client = client
        self.path = path
        self.params = params
        self.endpoint = endpoint
        self.stats = stats
        self.page_size = client.page_size
        self.window_pages = client.window_pages
        self.in_flight = client.max_concurrency

    def narrowed(self, params: dict[str, Any]) -> ListQuery:
        """The same query with other parameters (a narrower range, another ordering)."""
        return ListQuery(self._client, self.path, params, self.endpoint, self.stats)

    async def get_page(
        self,
        number: int,
        *,
        decode: Callable[[bytes], dict[str, Any]],
        reservation: Reservation | None = None,
    ) -> dict[str, Any] | None:
        """Page ``number``'s body as ``decode`` reads it; None past the last page (404)."""
        return await self._client.get_json(
            self.path,
            {**self.params, "page": number},
            endpoint=self.endpoint,
            page=number,
            stats=self.stats,
            reservation=reservation,
            decode=decode,
        )

    def reserve(self, pages: int, what: str) -> Reservation:
        """``pages`` requests set aside from the run's budget, all or none (see ``budget``)."""
        return self._client.budget.reserve(pages, what)

    def display_url(self, number: int) -> str:
        return self._client.display_url(self.path, {**self.params, "page": number})
