"""Unit tests start no process and no server: both are refused here, so none can creep in."""

from __future__ import annotations

import socket
import subprocess
from typing import Any

import pytest


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
