"""The sandbox's HTTP protocol: ASGI scope in, parsed request; response out, ASGI messages.

Query parameters are read the way RAWG's Django REST framework reads them: the last value
wins, unusable page sizes are ignored, a malformed filter is a 400 naming the parameter.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson

from rawg_simulator.query import ORDERING_FIELDS, GameQuery
from rawg_simulator.reference import GENRE_BY_SLUG, GENRE_INDEX

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

MAX_PAGE_SIZE = 40
JSON = b"application/json"
HTML = b"text/html; charset=utf-8"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# nginx's default gzip_comp_level: RAWG's answers are compressed on the fly like this.
GZIP_LEVEL = 1


class BadRequest(Exception):
    """A query parameter RAWG would reject; rendered DRF-style as {param: [message]}."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param, self.message = param, message


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: bytes = JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()
    # False: the connection is dropped halfway through the body, as by a reset
    complete: bool = True


def json_response(status: int, payload: Any) -> Response:
    return Response(status, orjson.dumps(payload))


NOT_FOUND = json_response(404, {"detail": "Not found."})
INVALID_PAGE = json_response(404, {"detail": "Invalid page."})


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # as sent; next/previous links reuse it
    parts: tuple[str, ...]  # path segments after /api
    params: dict[str, list[str]]
    base: str  # scheme://host
    accepts_gzip: bool = False

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


def parse_request(scope: Scope) -> Request:
    path: str = scope["path"]
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"").decode("latin-1") or "{}:{}".format(*scope["server"])
    return Request(
        method=scope["method"],
        path=path,
        parts=tuple(part for part in path.split("/")[2:] if part),
        params=parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True),
        base=f"{scope['scheme']}://{host}",
        accepts_gzip=_accepts_gzip(
            value for name, value in scope["headers"] if name == b"accept-encoding"
        ),
    )


def _accepts_gzip(header_values: Iterable[bytes]) -> bool:
    """Whether Accept-Encoding lists gzip (or ``*``) with a weight above 0."""
    for value in header_values:
        for entry in value.decode("latin-1").lower().split(","):
            coding, *params = (part.strip() for part in entry.split(";"))
            if coding in ("gzip", "*") and _weight(params) > 0:
                return True
    return False


def _weight(params: list[str]) -> float:
    """The ``q`` of an Accept-Encoding entry: 1 without one, 0 when unreadable."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def gzipped(response: Response) -> Response:
    """``response`` with its body gzip-compressed (deterministic: no timestamp in the header)."""
    body = zlib.compress(response.body, GZIP_LEVEL, wbits=31)
    headers = (*response.headers, (b"content-encoding", b"gzip"), (b"vary", b"accept-encoding"))
    return Response(response.status, body, response.content_type, headers)


def page_number(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest("page", "A valid positive integer is required.")
    return int(raw)


def page_size(raw: str | None, default: int) -> int:
    # DRF ignores unusable page sizes instead of failing
    if raw is None or not raw.isdigit() or int(raw) < 1:
        return default
    return min(int(raw), MAX_PAGE_SIZE)


def game_query(request: Request) -> GameQuery:
    """The `/games` query of ``request``."""
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
        genres=None if genres is None else _genre_ids(genres),
        platforms=None if platforms is None else frozenset(int(p) for p in platforms),
        search=search or None,
    )


def _tokens(raw: str | None) -> list[str] | None:
    """Comma-list values; an empty parameter counts as absent, as in django-filter."""
    if not raw or not raw.strip(","):
        return None
    return [token.strip() for token in raw.split(",") if token.strip()]


def _genre_ids(tokens: list[str]) -> frozenset[int]:
    ids = (_genre_id(token) for token in tokens)
    return frozenset(i for i in ids if i is not None)


def _genre_id(token: str) -> int | None:
    """Genre id for an id or slug token; None when RAWG would match nothing."""
    if token.isdigit():
        return int(token) if int(token) in GENRE_INDEX else None
    return GENRE_BY_SLUG.get(token)


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


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def send_response(send: Send, response: Response) -> None:
    headers = [
        (b"content-type", response.content_type),
        (b"content-length", str(len(response.body)).encode()),
        *response.headers,
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if not response.complete:
        # The server closes the connection when the app returns without the rest of the body.
        half = response.body[: len(response.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        return
    await send({"type": "http.response.body", "body": response.body})
