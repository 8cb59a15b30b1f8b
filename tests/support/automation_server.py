"""A Prefect server of its own for the alert tests: `prefect server start` with every service
on, the automations' triggers and actions among them, on a copy of the migrated database (as
gmp/server.py starts one), and with the UI URL the notifications link to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prefect.client.orchestration import PrefectClient

from gmp.server import seed_database
from rawg_simulator import free_port

START_TIMEOUT_S = 180  # a busy 2-core machine; a seeded database starts in ~10-20 s


@dataclass(frozen=True)
class AutomationServer:
    port: int
    home: Path

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"


@contextmanager
def automation_server(home: Path) -> Iterator[AutomationServer]:
    server = AutomationServer(port=free_port(), home=home)
    database = home / "prefect.db"
    seed_database(database)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_URL": server.ui_url,
    }
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(server.port)]
    with (home / "server.log").open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_healthy(server, process)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_healthy(server: AutomationServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server stopped: see {server.home / 'server.log'}"
        try:
            if httpx.get(f"{server.api_url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no server within {START_TIMEOUT_S} s: see {server.home}/server.log")


async def delete_automations(server: AutomationServer) -> None:
    """The server holds no automation afterwards, so no test sees another's."""
    async with PrefectClient(api=server.api_url) as client:
        for automation in await client.read_automations():
            await client.delete_automation(automation.id)
