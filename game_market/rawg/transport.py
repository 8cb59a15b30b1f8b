"""httpx's client interface over aiohttp's connection pool and C HTTP parser.

Why aiohttp under httpx: httpcore's pure-Python HTTP/1.1 stack costs more CPU per page,
which caps pages per second once requests overlap. Our limiter already caps requests in
flight, so the pool itself is unbounded.

Why our own transport rather than the ``httpx-aiohttp`` package (0.2.0), measured on the
shared 2-core machine (load 6-11), each pair alternating in one process against the warm
0 ms sandbox, 12 repeats, 500 pages each, medians:

- client CPU per page: ours 2.92 ms, httpx-aiohttp 3.05 ms (x1.05; httpcore x1.60 in a
  9-repeat run of all three);
- the ingest benchmark's full paging CPU per page: 5.44 vs 5.72 ms (x1.05), and its CPU
  ceiling 121 vs 115 pages/s (0.95; `benchmarks/ingest.py` itself, 5 interleaved repeats at
  load ~11: 76 vs 66 pages/s).

It streams each body in 16 KB chunks, where we read a page whole, and it maps a refused
connection to ``httpx.ConnectTimeout``, so a wrong ``RAWG_BASE_URL`` would read as a timeout.
"""

from __future__ import annotations

import aiohttp
import httpx
from isal import isal_zlib

from game_market.rawg.redaction import redact

GZIP_WBITS = 31  # a gzip header and trailer around the deflate stream


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Reads each answer whole: RAWG pages are small, and one read is the cheapest."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            # The body comes over untouched: gzip is inflated below, any other encoding by httpx.
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
                if response.headers.get("Content-Encoding", "").lower() == "gzip":
                    body, headers = _gunzipped(body, headers, request)
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


def _gunzipped(
    body: bytes, headers: list[tuple[str, str]], request: httpx.Request
) -> tuple[bytes, list[tuple[str, str]]]:
    """The body inflated, and the headers that describe it as it now is.

    Why here and not httpx's decoder: ISA-L inflates a RAWG-sized page (~330 KB) in ~0.2 ms of
    CPU where zlib takes ~0.5 ms, about 5% of all the CPU a page costs.
    """
    try:
        inflated = isal_zlib.decompress(body, GZIP_WBITS)
    except isal_zlib.error:
        raise httpx.DecodingError("undecodable gzip body", request=request) from None
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "content-length")]
    return inflated, kept
