"""The one way tests start an S3/AWS endpoint: moto's server in a process of its own.

``python -m tests.support.moto PORT`` runs moto's own server (the ``moto_server`` WSGI app)
after one fix: moto 5.2's RunTask fails (HTTP 500, a TypeError) when a container definition
has no container-level memory, although Fargate takes the task-level cpu/memory, which is
what prefect-aws registers (getmoto/moto#7272). The fix only widens what RunTask accepts, so
every test (S3 lakes and the ECS worker alike) shares this one server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60


def _tolerate_fargate_task_definitions() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def calculate(task_definition: Any) -> dict[str, Any]:
        containers = [
            c
            if {"memory", "memoryReservation", "Memory", "MemoryReservation"} & set(c)
            else {**c, "memoryReservation": 0}
            for c in task_definition.container_definitions
        ]
        return original(SimpleNamespace(container_definitions=containers))

    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(calculate)


@contextmanager
def running_moto(port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """moto on 127.0.0.1:``port`` until the block ends; yields its endpoint URL. ``env`` adds
    to its environment (``INITIAL_NO_AUTH_ACTION_COUNT`` makes it check credentials)."""
    # moto logs a line per request on stderr: into a file, as a pipe nobody reads would fill
    # up and stall the server after a few hundred requests.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.moto", str(port)],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                httpx.get(url + "/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    process.wait()
                    log.seek(0)
                    err = log.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"moto did not start: {err}") from None
                time.sleep(0.2)
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    from moto.server import main as moto_main

    _tolerate_fargate_task_definitions()
    moto_main(["-H", "127.0.0.1", "-p", sys.argv[1]])


if __name__ == "__main__":
    main()
