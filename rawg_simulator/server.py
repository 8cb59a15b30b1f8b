"""The ASGI app that answers like the RAWG API: routes, paging, keys, faults and stats.

Routes are derived from the endpoint declarations (``game_market.endpoints``): an endpoint
is answered by its handler, or, when the simulator has no data for it, by an empty list
page, so a newly declared endpoint runs end to end offline. Besides RAWG's routes it injects
seeded faults (``rawg_simulator.faults``), refuses requests past a quota
(``rawg_simulator.quota``), goes down on demand (``rawg_simulator.outage``), and exposes
``/_sandbox/stats``, ``/_sandbox/reset``, ``/_sandbox/quota`` and ``/_sandbox/outage`` so tests
can see what a client did, give a spent quota back and start an outage.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs

import orjson

from game_market.endpoints import ENDPOINTS
from rawg_simulator.catalog import Catalog
from rawg_simulator.config import SandboxConfig
from rawg_simulator.faults import FAULTS, draw_delay_s, draw_fault, fault_response
from rawg_simulator.games import Json
from rawg_simulator.listings import Listings
from rawg_simulator.outage import Outage
from rawg_simulator.protocol import (
    INVALID_PAGE,
    MAX_PAGE_SIZE,
    NOT_FOUND,
    BadRequest,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    game_query,
    gzipped,
    json_response,
    lifespan,
    page_number,
    page_size,
    parse_request,
    send_response,
)
from rawg_simulator.quota import Quota
from rawg_simulator.studios import Studios

# Endpoint name -> RAWG path, from the endpoint declarations; `{id}` matches any one segment.
ROUTES: dict[str, str] = {str(endpoint): spec.path for endpoint, spec in ENDPOINTS.items()}
_DEFAULT_PAGE_SIZE = {
    "games": 20,
    "developers": 10,  # RAWG's own default for studios
    "publishers": 10,
}
# (request, endpoint, values of the path's placeholders) -> answer
_Handler = Callable[[Request, str, tuple[str, ...]], Response]


class Router:
    """Finds the endpoint of an /api path and the values of its `{placeholder}` segments."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        self._exact: dict[tuple[str, ...], str] = {}
        self._templates: list[tuple[tuple[str, ...], str]] = []
        for endpoint, path in routes.items():
            segments = tuple(path.strip("/").split("/"))
            if any(s.startswith("{") for s in segments):
                self._templates.append((segments, endpoint))
            else:
                # Endpoints sharing a path (games and game_releases: /games) are one route,
                # answered and counted as the first declared.
                self._exact.setdefault(segments, endpoint)
        routed = {*self._exact.values(), *(endpoint for _, endpoint in self._templates)}
        self.endpoints = tuple(endpoint for endpoint in routes if endpoint in routed)

    def match(self, parts: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """(endpoint, placeholder values) for the path segments ``parts``, or None."""
        endpoint = self._exact.get(parts)
        if endpoint is not None:
            return endpoint, ()
        for segments, endpoint in self._templates:
            if len(segments) == len(parts) and all(
                s == p or s.startswith("{") for s, p in zip(segments, parts, strict=True)
            ):
                values = tuple(p for s, p in zip(segments, parts, strict=True) if s[:1] == "{")
                return endpoint, values
        return None


class Stats:
    """What the sandbox served since start or the last reset."""

    def __init__(self) -> None:
        self.in_flight = 0  # API requests being answered now
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.max_in_flight = self.in_flight  # the most at once since the reset
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self.gzipped = 0

    def record(self, endpoint: str | None, response: Response, fault: str | None) -> None:
        self.requests += 1
        if endpoint:
            self.by_endpoint[endpoint] += 1
        self.by_status[str(response.status)] += 1
        if fault:
            self.faults[fault] += 1
        if (b"content-encoding", b"gzip") in response.headers:
            self.gzipped += 1

    def occurrence(self, signature: str) -> int:
        """How many times the request ``signature`` was seen before; counts this one."""
        seen = self.seen[signature]
        self.seen[signature] = seen + 1
        return seen


class SandboxApp:
    """The ASGI application; one instance serves one catalog."""

    def __init__(self, config: SandboxConfig, routes: Mapping[str, str] = ROUTES) -> None:
        started = time.perf_counter()
        self.config = config
        self.catalog = Catalog(config)
        self.listings = Listings(self.catalog)
        self.build_seconds = time.perf_counter() - started
        self.stats = Stats()
        self.quota = Quota(config.quota_requests, config.quota_answer)
        self.outage = Outage()
        self.router = Router(routes)
        self._handlers: dict[str, _Handler] = {
            "games": self._games,
            "game_details": self._game_detail,
            "genres": self._reference_list,
            "platforms": self._reference_list,
            "parent_platforms": self._reference_list,
            "developers": self._studios,
            "publishers": self._studios,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"].startswith("/_sandbox/"):
                await send_response(send, await self._respond(scope))
                return
            stats = self.stats
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                await send_response(send, await self._respond(scope))
            finally:
                stats.in_flight -= 1

    async def _respond(self, scope: Scope) -> Response:
        path: str = scope["path"]
        if path.startswith("/_sandbox/"):
            query = parse_qs(scope["query_string"].decode("latin-1"))
            return self._control(scope["method"], path.rstrip("/"), query)
        if path != "/api" and not path.startswith("/api/"):
            return NOT_FOUND
        try:
            return await self._api(parse_request(scope))
        except Exception:  # a sandbox bug must not look like an injected fault
            traceback.print_exc()
            return json_response(500, {"detail": "Sandbox internal error."})

    # -- /api -----------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        route = self.router.match(request.parts)
        endpoint = route[0] if route else None
        config = self.config
        if (down := await self.outage.answer()) is not None:
            return down
        fault, delay_s = self._draw(request)
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        refusal = self.quota.admit()
        if refusal is not None:
            # A spent quota refuses before anything else can go wrong with the request.
            self.stats.record(endpoint, refusal, None)
            return refusal
        if fault == "slow":
            await asyncio.sleep(config.slow_ms / 1000)
        if fault in (None, "slow", "truncated"):
            response = self._answer(request, route)
        else:
            response = fault_response(fault, config.retry_after_s)
        if request.accepts_gzip:
            response = gzipped(response)
        if fault == "truncated":  # cut on the wire: inside the gzip stream when there is one
            response = replace(response, body=response.body[: len(response.body) // 2])
        self.stats.record(endpoint, response, fault)
        self.outage.served(endpoint)
        return response

    def _draw(self, request: Request) -> tuple[str | None, float]:
        """This request's fault and delay in seconds, seeded per request and occurrence."""
        config = self.config
        if config.fault_rate <= 0 and config.latency_jitter_ms <= 0:
            return None, config.latency_ms / 1000  # nothing to draw: skip the signature
        signature = request.signature
        occurrence = self.stats.occurrence(signature)
        return (
            draw_fault(config.seed, config.fault_rate, signature, occurrence),
            draw_delay_s(
                config.seed, config.latency_ms, config.latency_jitter_ms, signature, occurrence
            ),
        )

    def _answer(self, request: Request, route: tuple[str, tuple[str, ...]] | None) -> Response:
        if request.method != "GET":
            return json_response(405, {"detail": f'Method "{request.method}" not allowed.'})
        key = request.get("key")
        if not key:
            return json_response(401, {"error": "The key parameter is not provided"})
        if self.config.valid_keys is not None and key not in self.config.valid_keys:
            return json_response(401, {"error": "The API key is not found"})
        if route is None:
            return NOT_FOUND
        endpoint, values = route
        handler = self._handlers.get(endpoint, self._no_data)
        try:
            return handler(request, endpoint, values)
        except BadRequest as exc:
            return json_response(400, {exc.param: [exc.message]})

    def _games(self, request: Request, endpoint: str, values: tuple[str, ...]) -> Response:
        query = game_query(request)
        selection = self.listings.queries.select(query)
        page = page_number(request.get("page"))
        size = page_size(request.get("page_size"), _DEFAULT_PAGE_SIZE["games"])
        last = _last_page(page, len(selection), size, self.config.max_pages_per_query)
        if last is None:
            return INVALID_PAGE
        start = (page - 1) * size
        items = self.listings.item_bytes(selection[start : start + size], query)
        # The envelope is assembled as bytes so cached items are not parsed and re-serialized.
        head = orjson.dumps(_links(request, page, last, len(selection)))[:-1]
        if self.config.malformed_items and query.updated is not None:
            if page == 2:
                return Response(200, head + b',"results":{"detail":"results withheld"}}')
            if page == 1 and items:
                items = [*items, *_malformed(items[0])]
        return Response(200, head + b',"results":[' + b",".join(items) + b"]}")

    def _game_detail(self, request: Request, endpoint: str, values: tuple[str, ...]) -> Response:
        index = self.catalog.find_game(values[0])
        return NOT_FOUND if index is None else json_response(200, self.listings.detail(index))

    def _reference_list(self, request: Request, endpoint: str, values: tuple[str, ...]) -> Response:
        listing: list[Json] = getattr(self.listings, endpoint)  # genres, platforms, parents
        return _paged(request, len(listing), lambda a, b: listing[a:b], MAX_PAGE_SIZE)

    def _studios(self, request: Request, endpoint: str, values: tuple[str, ...]) -> Response:
        studios: Studios = getattr(self.catalog, endpoint)  # developers or publishers
        return _paged(
            request,
            studios.count,
            lambda start, stop: self.listings.studios(studios, start, stop),
            _DEFAULT_PAGE_SIZE[endpoint],
        )

    def _no_data(self, request: Request, endpoint: str, values: tuple[str, ...]) -> Response:
        """A declared endpoint the simulator has no data for: one empty page."""
        return _paged(request, 0, lambda start, stop: [], MAX_PAGE_SIZE)

    # -- /_sandbox ------------------------------------------------------------------------

    def _control(self, method: str, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/_sandbox/stats" and method == "GET":
            return json_response(200, self._stats_payload())
        if path == "/_sandbox/reset" and method == "POST":
            self.stats.reset()
            return json_response(200, self._stats_payload())
        if path == "/_sandbox/quota" and method == "POST":
            return self._set_quota(query)
        if path == "/_sandbox/outage" and method == "POST":
            return self.outage.control(query)
        return NOT_FOUND

    def _set_quota(self, query: dict[str, list[str]]) -> Response:
        """``?requests=N&answer=401|429`` starts a fresh quota of N; no ``requests``: none."""
        requests = query.get("requests", [""])[-1]
        answer = query.get("answer", [self.config.quota_answer])[-1]
        try:
            self.quota.set(int(requests) if requests else None, answer)
        except ValueError as exc:
            return json_response(400, {"detail": str(exc)})
        return json_response(200, self.quota.payload())

    def _stats_payload(self) -> Json:
        stats, config = self.stats, self.config
        return {
            "requests": stats.requests,
            "by_endpoint": {name: stats.by_endpoint[name] for name in self.router.endpoints},
            "by_status": dict(sorted(stats.by_status.items())),
            "faults": {name: stats.faults[name] for name in FAULTS},
            "gzipped": stats.gzipped,
            "max_in_flight": stats.max_in_flight,
            "quota": self.quota.payload(),
            "outage": self.outage.payload(),
            "config": {
                "games": config.games,
                "seed": config.seed,
                "days": config.days,
                "today": config.current_day.isoformat(),
                "refresh_share": config.refresh_share,
                "max_pages_per_query": config.max_pages_per_query,
                "latency_ms": config.latency_ms,
                "latency_jitter_ms": config.latency_jitter_ms,
                "fault_rate": config.fault_rate,
            },
            "process": {
                "pid": os.getpid(),
                "rss_mb": round(_rss_mb(), 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "catalog_build_s": round(self.build_seconds, 3),
            },
        }


def build_app(config: SandboxConfig) -> SandboxApp:
    """The ASGI app, with its catalog already built (so startup cost is paid up front)."""
    return SandboxApp(config)


def _paged(
    request: Request, total: int, fetch: Callable[[int, int], list[Json]], default_size: int
) -> Response:
    page = page_number(request.get("page"))
    size = page_size(request.get("page_size"), default_size)
    last = _last_page(page, total, size, None)
    if last is None:
        return INVALID_PAGE
    start = (page - 1) * size
    links = _links(request, page, last, total)
    return json_response(200, {**links, "results": fetch(start, start + size)})


def _last_page(page: int, total: int, size: int, window: int | None) -> int | None:
    """The last page of the query, or None when ``page`` is past it or past the window."""
    last = max(1, math.ceil(total / size))
    # Like RAWG, `count` and `next` ignore the page window: page window+1 is a 404.
    if page > last or (window is not None and page > window):
        return None
    return last


def _malformed(item: bytes) -> list[bytes]:
    """Three items no row can come from, made from a real one: without its id, with the id
    as text, and not an object at all."""
    game = orjson.loads(item)
    return [
        orjson.dumps({k: v for k, v in game.items() if k != "id"}),
        orjson.dumps({**game, "id": str(game["id"])}),
        orjson.dumps([game["id"], game["name"]]),
    ]


def _links(request: Request, page: int, last: int, total: int) -> Json:
    return {
        "count": total,
        "next": request.page_url(page + 1) if page < last else None,
        "previous": request.page_url(page - 1) if page > 1 else None,
    }


def _rss_mb() -> float:
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:  # not Linux: fall back to the peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
