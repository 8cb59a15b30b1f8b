"""ASGI app that answers like the RAWG API, backed by a synthetic :class:`Catalog`.

Besides RAWG's routes it injects seeded faults (throttling, 5xx, slow, truncated and
non-JSON answers) and exposes ``/_sandbox/stats`` so tests can see what a client did.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlencode

import httpx
import orjson
import uvicorn

from game_market.sandbox.catalog import (
    ORDERING_FIELDS,
    Catalog,
    GameQuery,
    Json,
    SandboxConfig,
)

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

MAX_PAGE_SIZE = 40
ENDPOINTS = (
    "games",
    "game_details",
    "genres",
    "platforms",
    "parent_platforms",
    "developers",
    "publishers",
)
FAULTS = ("429", "500", "502", "503", "slow", "truncated", "malformed")
_ROUTES = {
    ("games",): "games",
    ("genres",): "genres",
    ("platforms",): "platforms",
    ("platforms", "lists", "parents"): "parent_platforms",
    ("developers",): "developers",
    ("publishers",): "publishers",
}
_DEFAULT_PAGE_SIZE = {
    "games": 20,
    "developers": 10,  # RAWG's own default for studios
    "publishers": 10,
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSON = b"application/json"
_HTML = b"text/html; charset=utf-8"
_DJANGO_500 = (
    b'<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n'
    b"</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_CHALLENGE_PAGE = (
    b"<html><head><title>Just a moment...</title></head><body>"
    b"<p>Checking your browser before accessing rawg.io.</p></body></html>"
)


class BadRequest(Exception):
    """A query parameter RAWG would reject; rendered DRF-style as {param: [message]}."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param, self.message = param, message


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: bytes = _JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _json(status: int, payload: Any) -> Response:
    return Response(status, orjson.dumps(payload))


_NOT_FOUND = _json(404, {"detail": "Not found."})
_INVALID_PAGE = _json(404, {"detail": "Invalid page."})


@dataclass(frozen=True)
class _Request:
    method: str
    path: str  # as sent; next/previous links reuse it
    parts: tuple[str, ...]  # path segments after /api
    params: dict[str, list[str]]
    base: str  # scheme://host

    def get(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None  # Django's QueryDict.get: last value wins

    @property
    def signature(self) -> str:
        """The request minus its key: what fault draws and occurrence counts key on."""
        params = sorted((k, v) for k, vs in self.params.items() if k != "key" for v in vs)
        return "/".join(self.parts) + "?" + urlencode(params)

    def page_url(self, page: int) -> str:
        """Absolute link to another page, built like DRF (sorted params, key kept)."""
        params = {k: v for k, v in self.params.items() if k != "page"}
        if page > 1:
            params["page"] = [str(page)]
        return f"{self.base}{self.path}?{urlencode(sorted(params.items()), doseq=True)}"


class _Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()

    def record(self, endpoint: str | None, status: int, fault: str | None) -> None:
        self.requests += 1
        if endpoint:
            self.by_endpoint[endpoint] += 1
        self.by_status[str(status)] += 1
        if fault:
            self.faults[fault] += 1


def _uniform(*parts: object) -> float:
    """A uniform [0, 1) draw that depends only on ``parts`` (not on timing or order)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _fault_response(fault: str, retry_after_s: int) -> Response:
    if fault == "429":
        retry = (b"retry-after", str(retry_after_s).encode())
        return Response(429, orjson.dumps({"detail": "Request was throttled."}), headers=(retry,))
    if fault == "500":
        return Response(500, _DJANGO_500, _HTML)
    if fault == "502":
        return Response(502, _NGINX_502, _HTML)
    if fault == "503":
        return _json(503, {"detail": "Service temporarily unavailable, try again later."})
    return Response(200, _CHALLENGE_PAGE, _HTML)  # "malformed": a 200 that is not JSON


class SandboxApp:
    """The ASGI application; one instance serves one catalog."""

    def __init__(self, config: SandboxConfig) -> None:
        started = time.perf_counter()
        self.config = config
        self.catalog = Catalog(config)
        self.build_seconds = time.perf_counter() - started
        self.stats = _Stats()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            response = await self._respond(scope)
            await _send(send, response)

    async def _respond(self, scope: Scope) -> Response:
        path: str = scope["path"]
        if path.startswith("/_sandbox/"):
            return self._control(scope["method"], path.rstrip("/"))
        if path != "/api" and not path.startswith("/api/"):
            return _NOT_FOUND
        try:
            return await self._api(_parse_request(scope))
        except Exception:  # a sandbox bug must not look like an injected fault
            traceback.print_exc()
            return _json(500, {"detail": "Sandbox internal error."})

    # -- /api -----------------------------------------------------------------------------

    async def _api(self, request: _Request) -> Response:
        endpoint = _ROUTES.get(request.parts)
        if endpoint is None and len(request.parts) == 2 and request.parts[0] == "games":
            endpoint = "game_details"
        fault = self._draw_fault(request)
        if self.config.latency_ms > 0:
            await asyncio.sleep(self.config.latency_ms / 1000)
        if fault == "slow":
            await asyncio.sleep(self.config.slow_ms / 1000)
        if fault in (None, "slow", "truncated"):
            response = self._answer(request, endpoint)
        else:
            response = _fault_response(fault, self.config.retry_after_s)
        if fault == "truncated":
            response = Response(200, response.body[: len(response.body) // 2])
        self.stats.record(endpoint, response.status, fault)
        return response

    def _draw_fault(self, request: _Request) -> str | None:
        if self.config.fault_rate <= 0:
            return None
        signature = request.signature
        seen = self.stats.seen[signature]
        self.stats.seen[signature] += 1
        # keyed by occurrence, so a retry of the same request gets a fresh draw
        if _uniform(self.config.seed, "fault", signature, seen) >= self.config.fault_rate:
            return None
        return FAULTS[int(_uniform(self.config.seed, "kind", signature, seen) * len(FAULTS))]

    def _answer(self, request: _Request, endpoint: str | None) -> Response:
        if request.method != "GET":
            return _json(405, {"detail": f'Method "{request.method}" not allowed.'})
        key = request.get("key")
        if not key:
            return _json(401, {"error": "The key parameter is not provided"})
        if self.config.valid_keys is not None and key not in self.config.valid_keys:
            return _json(401, {"error": "The API key is not found"})
        if endpoint is None:
            return _NOT_FOUND
        try:
            return self._endpoint(request, endpoint)
        except BadRequest as exc:
            return _json(400, {exc.param: [exc.message]})

    def _endpoint(self, request: _Request, endpoint: str) -> Response:
        catalog = self.catalog
        if endpoint == "games":
            return self._games(request)
        if endpoint == "game_details":
            index = catalog.find_game(request.parts[1])
            return _NOT_FOUND if index is None else _json(200, catalog.game_detail(index))
        if endpoint in ("developers", "publishers"):
            studios = catalog.developers if endpoint == "developers" else catalog.publishers
            return self._paged(
                request,
                studios.count,
                lambda start, stop: catalog.studio_listing(studios, start, stop),
                _DEFAULT_PAGE_SIZE[endpoint],
            )
        listing: list[Json] = getattr(catalog, endpoint)  # genres, platforms, parent_platforms
        return self._paged(
            request, len(listing), lambda start, stop: listing[start:stop], MAX_PAGE_SIZE
        )

    def _games(self, request: _Request) -> Response:
        query = _game_query(request, self.catalog)
        selection = self.catalog.select(query)
        page = _page_number(request.get("page"))
        size = _page_size(request.get("page_size"), _DEFAULT_PAGE_SIZE["games"])
        last = self._last_page(page, len(selection), size, self.config.max_pages_per_query)
        if last is None:
            return _INVALID_PAGE
        start = (page - 1) * size
        items = self.catalog.game_item_bytes(selection[start : start + size], query)
        # The envelope is assembled as bytes so cached items are not parsed and re-serialized.
        head = orjson.dumps(self._links(request, page, last, len(selection)))[:-1]
        return Response(200, head + b',"results":[' + b",".join(items) + b"]}")

    def _paged(
        self,
        request: _Request,
        total: int,
        fetch: Callable[[int, int], list[Json]],
        default_size: int,
    ) -> Response:
        page = _page_number(request.get("page"))
        size = _page_size(request.get("page_size"), default_size)
        last = self._last_page(page, total, size, None)
        if last is None:
            return _INVALID_PAGE
        start = (page - 1) * size
        return _json(
            200, {**self._links(request, page, last, total), "results": fetch(start, start + size)}
        )

    @staticmethod
    def _last_page(page: int, total: int, size: int, window: int | None) -> int | None:
        """The last page of the query, or None when ``page`` is past it or past the window."""
        last = max(1, math.ceil(total / size))
        # Like RAWG, `count` and `next` ignore the page window: page window+1 is a 404.
        if page > last or (window is not None and page > window):
            return None
        return last

    @staticmethod
    def _links(request: _Request, page: int, last: int, total: int) -> Json:
        return {
            "count": total,
            "next": request.page_url(page + 1) if page < last else None,
            "previous": request.page_url(page - 1) if page > 1 else None,
        }

    # -- /_sandbox ------------------------------------------------------------------------

    def _control(self, method: str, path: str) -> Response:
        if path == "/_sandbox/stats" and method == "GET":
            return _json(200, self._stats_payload())
        if path == "/_sandbox/reset" and method == "POST":
            self.stats.reset()
            return _json(200, self._stats_payload())
        return _NOT_FOUND

    def _stats_payload(self) -> Json:
        stats, config = self.stats, self.config
        return {
            "requests": stats.requests,
            "by_endpoint": {name: stats.by_endpoint[name] for name in ENDPOINTS},
            "by_status": dict(sorted(stats.by_status.items())),
            "faults": {name: stats.faults[name] for name in FAULTS},
            "config": {
                "games": config.games,
                "seed": config.seed,
                "days": config.days,
                "today": config.current_day.isoformat(),
                "refresh_share": config.refresh_share,
                "max_pages_per_query": config.max_pages_per_query,
                "latency_ms": config.latency_ms,
                "fault_rate": config.fault_rate,
            },
            "process": {
                "pid": os.getpid(),
                "rss_mb": round(_rss_mb(), 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "catalog_build_s": round(self.build_seconds, 3),
            },
        }


def _rss_mb() -> float:
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:  # not Linux: fall back to the peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _parse_request(scope: Scope) -> _Request:
    path: str = scope["path"]
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"").decode("latin-1") or "{}:{}".format(*scope["server"])
    return _Request(
        method=scope["method"],
        path=path,
        parts=tuple(part for part in path.split("/")[2:] if part),
        params=parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True),
        base=f"{scope['scheme']}://{host}",
    )


def _page_number(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest("page", "A valid positive integer is required.")
    return int(raw)


def _page_size(raw: str | None, default: int) -> int:
    # DRF ignores unusable page sizes instead of failing
    if raw is None or not raw.isdigit() or int(raw) < 1:
        return default
    return min(int(raw), MAX_PAGE_SIZE)


def _game_query(request: _Request, catalog: Catalog) -> GameQuery:
    ordering = (request.get("ordering") or "").strip()
    field = ordering.removeprefix("-")
    if field not in ORDERING_FIELDS:  # DRF's OrderingFilter ignores unknown fields
        ordering = field = "id"
    genres = _tokens(request.get("genres"))
    platforms = _tokens(request.get("platforms"))
    if platforms and not all(p.isdigit() for p in platforms):
        raise BadRequest("platforms", "Select a valid choice. Platform ids are integers.")
    search = (request.get("search") or "").strip()
    return GameQuery(
        ordering=field,
        descending=ordering.startswith("-"),
        updated=_date_range(request.get("updated"), "updated"),
        dates=_date_range(request.get("dates"), "dates"),
        genres=None if genres is None else _genre_ids(genres, catalog),
        platforms=None if platforms is None else frozenset(int(p) for p in platforms),
        search=search or None,
    )


def _tokens(raw: str | None) -> list[str] | None:
    """Comma-list values; an empty parameter counts as absent, as in django-filter."""
    if not raw or not raw.strip(","):
        return None
    return [token.strip() for token in raw.split(",") if token.strip()]


def _genre_ids(tokens: list[str], catalog: Catalog) -> frozenset[int]:
    ids = (catalog.genre_id(token) for token in tokens)
    return frozenset(i for i in ids if i is not None)


def _date_range(raw: str | None, param: str) -> tuple[date, date] | None:
    if not raw:
        return None
    bounds = raw.split(",")
    try:
        if len(bounds) != 2 or not all(_ISO_DATE.fullmatch(b) for b in bounds):
            raise ValueError(raw)
        first, last = (date.fromisoformat(b) for b in bounds)
    except ValueError:
        raise BadRequest(param, "Expected two dates: YYYY-MM-DD,YYYY-MM-DD.") from None
    return first, last


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send(send: Send, response: Response) -> None:
    headers = [
        (b"content-type", response.content_type),
        (b"content-length", str(len(response.body)).encode()),
        *response.headers,
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


# -- running it -------------------------------------------------------------------------------


def build_app(config: SandboxConfig) -> SandboxApp:
    """The ASGI app, with its catalog already built (so startup cost is paid up front)."""
    return SandboxApp(config)


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the sandbox in the foreground until interrupted."""
    app = build_app(config)
    print(
        f"RAWG sandbox listening on http://{host}:{port}/api "
        f"({config.games} games, seed {config.seed})",
        flush=True,
    )
    print("Data shapes: RAWG (rawg.io) -- synthetic data, not RAWG's catalog.", flush=True)
    # "auto" picks httptools (and uvloop) when installed
    uvicorn.run(app, host=host, port=port, http="auto", access_log=False, log_level="warning")


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sandbox options; shared with the project CLI (`gmp sandbox`)."""
    defaults = SandboxConfig()
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--port", type=int, default=8765, help="TCP port to bind")
    parser.add_argument("--games", type=int, default=defaults.games, help="catalog size")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="catalog and fault seed")
    parser.add_argument(
        "--latency-ms", type=float, default=defaults.latency_ms, help="delay for every answer"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=defaults.fault_rate,
        help="share of /api requests that get an injected fault (0..1)",
    )
    parser.add_argument(
        "--days", type=int, default=defaults.days, help="games are updated over this many days"
    )
    parser.add_argument(
        "--refresh-share",
        type=float,
        default=defaults.refresh_share,
        help="share of games re-updated after their first update day, popular ones "
        "more often (0..1)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD; updates end the day before (default: today, UTC)",
    )
    parser.add_argument(
        "--max-pages-per-query",
        type=int,
        default=defaults.max_pages_per_query,
        help="pages served per /games query before 404 (RAWG: 500)",
    )
    parser.add_argument(
        "--valid-keys",
        type=_key_set,
        default=None,
        help="comma-separated accepted API keys (default: any non-empty key)",
    )
    parser.add_argument(
        "--retry-after",
        type=int,
        default=defaults.retry_after_s,
        help="Retry-After seconds on injected 429s",
    )
    parser.add_argument(
        "--slow-ms", type=float, default=defaults.slow_ms, help="extra delay of 'slow' faults"
    )


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        games=args.games,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        days=args.days,
        today=args.today,
        refresh_share=args.refresh_share,
        max_pages_per_query=args.max_pages_per_query,
        valid_keys=args.valid_keys,
        retry_after_s=args.retry_after,
        slow_ms=args.slow_ms,
    )


def _key_set(raw: str) -> frozenset[str]:
    return frozenset(key.strip() for key in raw.split(",") if key.strip())


def sandbox_command(config: SandboxConfig, port: int, host: str = "127.0.0.1") -> list[str]:
    """The CLI invocation that reproduces ``config`` in another process."""
    if config.developers is not None or config.publishers is not None:
        raise ValueError("developers/publishers counts cannot be passed to a sandbox process")
    command = [
        sys.executable, "-m", "game_market.sandbox",
        "--host", host,
        "--port", str(port),
        "--games", str(config.games),
        "--seed", str(config.seed),
        "--latency-ms", repr(config.latency_ms),
        "--fault-rate", repr(config.fault_rate),
        "--days", str(config.days),
        "--today", config.current_day.isoformat(),
        "--refresh-share", repr(config.refresh_share),
        "--max-pages-per-query", str(config.max_pages_per_query),
        "--retry-after", str(config.retry_after_s),
        "--slow-ms", repr(config.slow_ms),
    ]  # fmt: skip
    if config.valid_keys is not None:
        command += ["--valid-keys", ",".join(sorted(config.valid_keys))]
    return command


@contextmanager
def running_sandbox(config: SandboxConfig, port: int | None = None) -> Iterator[str]:
    """Run the sandbox in a child process; yields its base URL ``http://127.0.0.1:PORT/api``."""
    port = port or free_port()
    # the child's output goes to a file: a pipe nobody drains could block the server
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            sandbox_command(config, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_child_env(),
        )
        try:
            _wait_until_ready(process, f"http://127.0.0.1:{port}", log)
            yield f"http://127.0.0.1:{port}/api"
        finally:
            _stop(process)


def _child_env() -> dict[str, str]:
    # make `-m game_market.sandbox` importable even without an installed project
    project_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project_root, env.get("PYTHONPATH")) if p)
    return env


def _wait_until_ready(
    process: subprocess.Popen[bytes], origin: str, log: IO[bytes], timeout_s: float = 30
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"RAWG sandbox exited with code {process.returncode} before answering; "
                f"output tail:\n{_tail(log)}"
            )
        try:
            if httpx.get(f"{origin}/_sandbox/stats", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(
        f"RAWG sandbox did not answer {origin}/_sandbox/stats within {timeout_s:.0f} s; "
        f"output tail:\n{_tail(log)}"
    )


def _tail(log: IO[bytes], limit: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-limit:].decode(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
