"""Unit tests start no process and no server: both are refused here, so none can creep in.

The sandbox modules (test_sandbox_api, _items, _queries) share one way to reach the RAWG
sandbox: its ASGI app in this process, one per module.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.sandbox import InProcessClient, Json, config, crawl


class StartsAProcessOrServer(AssertionError):
    """Raised by a unit test that tries to; such a test belongs in tests/integration."""


@pytest.fixture(autouse=True)
def _no_processes_or_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_process(*args: Any, **kwargs: Any) -> None:
        raise StartsAProcessOrServer(f"a unit test started a process: {args[1:2]}")

    def refuse_listen(*args: Any, **kwargs: Any) -> None:
        raise StartsAProcessOrServer("a unit test opened a listening socket")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse_process)
    monkeypatch.setattr(socket.socket, "listen", refuse_listen)


@pytest.fixture(scope="module")
def client() -> Iterator[InProcessClient]:
    """The tests' sandbox (``tests.support.sandbox.config()``), its app served in-process."""
    with InProcessClient(config()) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def base(client: InProcessClient) -> str:
    return client.base


@pytest.fixture(scope="module")
def all_games(base: str, client: InProcessClient) -> list[Json]:
    """Every game of the sandbox's catalog, following `next` links."""
    return crawl(client, f"{base}/games")
