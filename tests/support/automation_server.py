"""A Prefect server of its own for the alert tests: gmp's local server (``gmp.server``: a copy
of the migrated template, block types not registered again) with every service on, the
automations' triggers and actions among them, and the UI URL the notifications link to."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from prefect.client.orchestration import PrefectClient

from gmp.server import LocalServer
from rawg_simulator import free_port


@contextmanager
def automation_server(home: Path) -> Iterator[LocalServer]:
    """A server on a free port with its database in ``home``, stopped afterwards. None of the
    test process's Prefect variables reach it: its home, database and services are its own."""
    server = LocalServer(home=home, port=free_port(), database=home / "prefect.db")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environment |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{server.database}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_URL": server.ui_url,
    }
    server = replace(server, environment=environment)
    try:
        server.ensure_running(notice=lambda _: None)
        yield server
    finally:
        server.stop()


async def delete_automations(server: LocalServer) -> None:
    """The server holds no automation afterwards, so no test sees another's."""
    async with PrefectClient(api=server.api_url) as client:
        for automation in await client.read_automations():
            await client.delete_automation(automation.id)
