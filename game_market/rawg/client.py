"""The RAWG API client: one GET with retries, a list query's pages, a game's detail page.

A spent quota or a rejected key ends the run's requests. Once one request concludes it (a
401; a 429 whose Retry-After is beyond ``MAX_RETRY_AFTER_S``; a 429 still there after every
retry), the client keeps that error as :attr:`RawgClient.refusal`: requests waiting for a
slot stop at once, those waiting to retry within ``REFUSAL_POLL_S``, and every later one
raises the same sentence unsent.
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
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any
from urllib.parse import urlencode

import httpx

from game_market import __version__
from game_market.errors import (
    RawgAuthError,
    RawgError,
    RawgQuotaExceeded,
    RawgRefused,
    RawgRequestFailed,
)
from game_market.rawg.budget import RequestBudget, RequestStats, Reservation
from game_market.rawg.limiter import process_limiter
from game_market.rawg.paging import Page, QueryPlan, StagedPages, iter_pages
from game_market.rawg.redaction import install_log_redaction
from game_market.rawg.retries import (
    MAX_RETRY_AFTER_S,
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
# How a refused run is resumed: complete partitions are kept and skipped.
RESUME = (
    "rerun with only_missing (`gmp backfill` does by default, `gmp ingest-all --only-missing`) "
    "to fetch only what is missing"
)


class RawgClient:
    """One per run; the in-flight cap is shared by every client in the process.

    ``transport`` replaces the aiohttp transport (tests pass an ``httpx.MockTransport``); it
    is closed when the client's ``async with`` block ends.
    """

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
        transport: httpx.AsyncBaseTransport | None = None,
        shared: SharedSlots | None = None,
    ) -> None:
        install_log_redaction()
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.retry = RetryPolicy(max_retries, backoff_base_s, backoff_max_s)
        self.page_size = page_size
        self.window_pages = window_pages
        self.budget = budget or RequestBudget(None)
        self._limiter = process_limiter(max_concurrency)
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
        *,
        endpoint: str,
        stats: RequestStats,
        plan: QueryPlan,
        max_pages: int | None = None,
        split: bool = False,
        staged: StagedPages | None = None,
    ) -> AsyncIterator[list[Page]]:
        """Every page of a list query, in batches; see :func:`game_market.rawg.paging.iter_pages`.

        With ``split`` (``/games`` only) a query larger than RAWG's 500-page window is cut
        into narrower ``updated``/``dates`` ranges so no row is silently lost.
        """
        return iter_pages(
            self,
            path,
            params,
            endpoint=endpoint,
            stats=stats,
            plan=plan,
            max_pages=max_pages,
            split=split,
            staged=staged,
        )

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
        for retry in range(self.retry.max_retries):
            if not outcome.retryable:
                break
            await self._pause(self.retry.delay(retry, outcome.retry_after))
            stats.retries += 1
            outcome = await self._attempt(path, params, endpoint, where, stats, None, decode)
        if outcome.body is not None:
            stats.bytes += outcome.size
            return outcome.body
        if outcome.status == "404":
            return None
        error = self._failure(outcome, path, params, endpoint=endpoint, page=page, where=where)
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
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._stop_if_refused()
            await asyncio.sleep(min(left, REFUSAL_POLL_S))
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
        # The process's own cap first: a shared slot is never held while waiting for it.
        async with self._limiter, self._shared_slot():
            # A refusal concluded while this request waited for its slot: it is not sent.
            self._stop_if_refused()
            (reservation or self.budget).spend(where)
            stats.requests += 1
            self.usage[endpoint] += 1
            try:
                response = await self._http.get(path, params={**params, "key": self._key})
            except httpx.TransportError as exc:
                return read_transport_error(exc)
            except httpx.DecodingError:
                # A corrupt gzip stream is a damaged answer like invalid JSON, worth asking again.
                return Outcome(status="malformed body", detail="undecodable gzip body")
        # Parsing happens after the slot is freed, so the next request is already on its way.
        return read_response(response, decode)

    def _shared_slot(self) -> AbstractAsyncContextManager[None]:
        return nullcontext() if self.shared is None else self.shared.slot()

    def _failure(
        self,
        outcome: Outcome,
        path: str,
        params: Mapping[str, Any],
        *,
        endpoint: str,
        page: int | None,
        where: str,
    ) -> RawgError:
        """The error for an answer we cannot use, named so the user knows what to fix."""
        url = self.display_url(path, params)
        retries = self.retry.max_retries
        if outcome.status == "401":
            return RawgAuthError(
                f"RAWG rejected the API key ({outcome.detail}): check RAWG_API_KEY in .env or "
                "the environment, and the key's usage at rawg.io, since RAWG also answers 401 "
                f"once the monthly quota is spent; then {RESUME}."
            )
        if outcome.quota_spent:
            return RawgQuotaExceeded(
                f"RAWG answered {where} with 429 and Retry-After {outcome.retry_after:,.0f} s, "
                f"longer than a run waits ({MAX_RETRY_AFTER_S:.0f} s): the monthly quota of "
                f"RAWG_API_KEY is spent, check its usage at rawg.io; once it resets, {RESUME}."
            )
        if outcome.fatal:
            return RawgRequestFailed(
                f"RAWG answered {outcome.status} ({outcome.detail}) for {where} at {url}; "
                "this is not retryable, check the request parameters.",
                endpoint=endpoint,
                page=page,
                status=outcome.status,
            )
        if outcome.status == "429":
            return RawgQuotaExceeded(
                f"RAWG kept throttling {where} (429) after {retries} retries at {url}: the "
                f"monthly quota of RAWG_API_KEY may be spent, check its usage at rawg.io; "
                f"once it resets, {RESUME}."
            )
        return RawgRequestFailed(
            f"Giving up on {where} after {retries} retries (last: {outcome.status}) at "
            f"{url}; check RAWG_BASE_URL and the network, then rerun.",
            endpoint=endpoint,
            page=page,
            status=outcome.status,
        )
