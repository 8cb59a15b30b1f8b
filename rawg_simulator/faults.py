"""Seeded faults and delays: which requests fail, what each kind of failure looks like on the
wire, and how long each answer takes.

A draw depends only on (seed, request minus its key, occurrence of that request), never on
timing or order, so a test replays the same faults and delays and a retry gets a fresh draw.
The bodies are what RAWG's stack sends: Django's 500 page, nginx's 502, a 503 detail, a
throttling 429 with Retry-After, and a 200 challenge page that is not JSON.
"""

from __future__ import annotations

import hashlib

import orjson

from rawg_simulator.protocol import HTML, Response, json_response

FAULTS = ("429", "500", "502", "503", "slow", "truncated", "malformed")
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


def _uniform(*parts: object) -> float:
    """A uniform [0, 1) draw that depends only on ``parts`` (not on timing or order)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def draw_fault(seed: int, rate: float, signature: str, occurrence: int) -> str | None:
    """The fault for this occurrence of the request ``signature``, or None."""
    if rate <= 0 or _uniform(seed, "fault", signature, occurrence) >= rate:
        return None
    return FAULTS[int(_uniform(seed, "kind", signature, occurrence) * len(FAULTS))]


def draw_delay_s(
    seed: int, latency_ms: float, jitter_ms: float, signature: str, occurrence: int
) -> float:
    """Seconds this occurrence of the request waits: ``latency_ms`` +/- up to ``jitter_ms``."""
    if jitter_ms <= 0:
        return latency_ms / 1000
    offset = (2 * _uniform(seed, "delay", signature, occurrence) - 1) * jitter_ms
    return (latency_ms + offset) / 1000


def fault_response(fault: str, retry_after_s: int) -> Response:
    """The answer of an injected fault that replaces the real one ("slow" and "truncated"
    alter the real answer instead, see the server)."""
    if fault == "429":
        retry = (b"retry-after", str(retry_after_s).encode())
        return Response(429, orjson.dumps({"detail": "Request was throttled."}), headers=(retry,))
    if fault == "500":
        return Response(500, _DJANGO_500, HTML)
    if fault == "502":
        return Response(502, _NGINX_502, HTML)
    if fault == "503":
        return json_response(503, {"detail": "Service temporarily unavailable, try again later."})
    return Response(200, _CHALLENGE_PAGE, HTML)  # "malformed": a 200 that is not JSON
