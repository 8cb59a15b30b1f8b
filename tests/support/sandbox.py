"""The RAWG sandbox as the tests use it: fixed days for "today", one key shaped like a real
one, and its API driven the way a client does, in-process or over loopback.

``InProcessClient`` serves requests straight from the ASGI app (``httpx.ASGITransport``): no
process, no socket, so unit tests use it; the helpers below take it, an ``httpx.Client``
pointed at a sandbox process, or the ``httpx`` module itself alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from types import TracebackType
from typing import Any, Protocol

import httpx
import orjson

from rawg_simulator import SandboxConfig
from rawg_simulator.server import ROUTES, SandboxApp

SANDBOX_TODAY = date(2026, 1, 20)  # the integration tests' shared sandbox
SECRET_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"  # shaped like a real RAWG key
KEY = "test-key"
TODAY = date(2024, 6, 15)
GAMES = 2000
IN_PROCESS_ORIGIN = "http://sandbox.test"
Json = dict[str, Any]


class SandboxClient(Protocol):
    """An ``httpx.Client`` or an ``InProcessClient``."""

    def get(self, url: str, params: Any = None, headers: Any = None) -> httpx.Response: ...

    def post(self, url: str) -> httpx.Response: ...


def config(**overrides: Any) -> SandboxConfig:
    """The tests' sandbox: 2,000 games, seed 42, a fixed today; ``overrides`` on top."""
    return SandboxConfig(**{"games": GAMES, "seed": 42, "today": TODAY, **overrides})


class InProcessClient:
    """A synchronous client of a sandbox app built in this process."""

    def __init__(self, sandbox: SandboxConfig, routes: Mapping[str, str] = ROUTES) -> None:
        self.app = SandboxApp(sandbox, routes)
        self.base = f"{IN_PROCESS_ORIGIN}/api"
        self._runner = asyncio.Runner()
        transport = httpx.ASGITransport(app=self.app)
        self._client = httpx.AsyncClient(transport=transport, timeout=30)

    def get(self, url: str, params: Any = None, headers: Any = None) -> httpx.Response:
        return self._runner.run(self._client.get(url, params=params, headers=headers))

    def post(self, url: str) -> httpx.Response:
        return self._runner.run(self._client.post(url))

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def get(
    client: SandboxClient, url: str, headers: dict[str, str] | None = None, **params: Any
) -> httpx.Response:
    return client.get(url, params={"key": KEY, **params}, headers=headers)


def ok(client: SandboxClient, url: str, **params: Any) -> Json:
    response = get(client, url, **params)
    assert response.status_code == 200, response.text
    return response.json()


def crawl(client: SandboxClient, url: str, **params: Any) -> list[Json]:
    """Every result of a listing, following `next` links the way a client would."""
    page = ok(client, url, page_size=40, **params)
    results = page["results"]
    while page["next"]:
        response = client.get(page["next"])
        assert response.status_code == 200, response.text
        page = response.json()
        results += page["results"]
    return results


def sandbox_stats(base_url: str, client: SandboxClient = httpx) -> Json:
    """What the sandbox at ``base_url`` served (``/_sandbox/stats``)."""
    response = client.get(base_url.removesuffix("/api") + "/_sandbox/stats")
    response.raise_for_status()
    return response.json()


def reset_sandbox(base_url: str, client: SandboxClient = httpx) -> None:
    client.post(base_url.removesuffix("/api") + "/_sandbox/reset").raise_for_status()


# Requests whose answers must be byte-identical for identical configs.
PROBES: list[tuple[str, Json]] = [
    ("/games", {"page": 3, "page_size": 40}),
    ("/games", {"updated": "2024-06-01,2024-06-10", "ordering": "-rating", "page": 2}),
    ("/games", {"updated": "2024-05-20,2024-05-20", "page": 2, "page_size": 40}),  # as of a day
    ("/developers", {"page": 2}),
    ("/platforms", {}),
]


def bodies(client: SandboxClient, url: str) -> list[bytes]:
    """Raw answers to PROBES plus one game detail, with the varying origin masked."""
    origin = url.removesuffix("/api").encode()
    first_id = ok(client, f"{url}/games")["results"][0]["id"]
    probes = [*PROBES, (f"/games/{first_id}", {})]
    return [
        get(client, url + path, **params).content.replace(origin, b"ORIGIN")
        for path, params in probes
    ]


def classify(response: httpx.Response) -> str:
    """The fault an answer shows (at fault rate 1.0 every intact 200 was a slow answer)."""
    if response.status_code != 200:
        return str(response.status_code)
    if response.content.startswith(b"<html"):
        return "malformed"
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "truncated"
    return "slow"


def set_quota(
    base_url: str, requests: int | None, answer: str = "401", client: SandboxClient = httpx
) -> Json:
    """A fresh quota of ``requests`` answered requests at the sandbox (None: no quota)."""
    query = "" if requests is None else f"?requests={requests}&answer={answer}"
    response = client.post(base_url.removesuffix("/api") + "/_sandbox/quota" + query)
    response.raise_for_status()
    return response.json()


def start_outage(
    base_url: str,
    seconds: float,
    *,
    after: int = 0,
    endpoint: str | None = None,
    hold: bool = False,
    client: SandboxClient = httpx,
) -> Json:
    """An outage of ``seconds`` at the sandbox (see ``rawg_simulator.outage``), starting once
    ``after`` more requests (of ``endpoint``) were answered; 0 seconds ends one. ``hold``:
    requests are held open, unanswered, until it ends."""
    query = f"?seconds={seconds}&after={after}&hold={int(hold)}"
    query += f"&endpoint={endpoint}" if endpoint else ""
    response = client.post(base_url.removesuffix("/api") + "/_sandbox/outage" + query)
    response.raise_for_status()
    return response.json()
