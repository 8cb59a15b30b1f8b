"""The local Prefect server's bookkeeping, without starting one."""

from __future__ import annotations

from pathlib import Path

import pytest

from gmp.server import LocalServer
from rawg_simulator import free_port


def test_nothing_listening_is_not_running(tmp_path: Path) -> None:
    server = LocalServer(home=tmp_path, port=free_port())
    assert server.answers() is False
    assert server.pid() is None and server.stop() is None


def test_a_command_works_while_the_server_it_needs_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    monkeypatch.setattr(LocalServer, "answers", lambda self: "ready" in events)
    monkeypatch.setattr(LocalServer, "_spawn", lambda self: events.append("spawned"))
    monkeypatch.setattr(
        LocalServer, "_wait_until_it_answers", lambda self, process: events.append("ready")
    )
    server = LocalServer(home=tmp_path, port=free_port())
    with server.answering_after(events.append):
        events.append("imports")
    assert events[1:] == ["spawned", "imports", "ready"]
    assert events[0].startswith("Starting a local Prefect server")

    events.clear()
    events.append("ready")
    with server.answering_after(events.append):
        events.append("imports")
    assert events == ["ready", "imports"]  # one answers: nothing started, nothing awaited
