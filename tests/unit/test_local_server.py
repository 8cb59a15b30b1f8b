"""The local Prefect server's bookkeeping, without starting one."""

from __future__ import annotations

from pathlib import Path

from gmp.server import LocalServer
from rawg_simulator import free_port


def test_nothing_listening_is_not_running(tmp_path: Path) -> None:
    server = LocalServer(home=tmp_path, port=free_port())
    assert server.answers() is False
    assert server.pid() is None and server.stop() is None
