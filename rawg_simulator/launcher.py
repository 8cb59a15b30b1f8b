"""Running the sandbox: in the foreground (`gmp sandbox`), or in a child process for a block.

``running_sandbox`` is how the demo, the integration tests and the ingest benchmark get a
real server: a child process on a free loopback port, ready when its stats answer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import uvicorn

from rawg_simulator.config import SandboxConfig, sandbox_command
from rawg_simulator.server import build_app


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the sandbox in the foreground until interrupted."""
    app = build_app(config)
    print(
        f"RAWG sandbox listening on http://{host}:{port}/api "
        f"({config.games} games, seed {config.seed})",
        flush=True,
    )
    print("Data shapes: RAWG (rawg.io) -- synthetic data, not RAWG's catalog.", flush=True)
    # "auto" picks httptools (and uvloop) when installed
    uvicorn.run(app, host=host, port=port, http="auto", access_log=False, log_level="warning")


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_url(port: int) -> str:
    """The API address of the sandbox listening on ``port``."""
    return f"http://127.0.0.1:{port}/api"


@contextmanager
def running_sandbox(config: SandboxConfig, port: int | None = None) -> Iterator[str]:
    """Run the sandbox in a child process; yields its ``base_url``."""
    port = port or free_port()
    # the child's output goes to a file: a pipe nobody drains could block the server
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            sandbox_command(config, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_child_env(),
        )
        try:
            _wait_until_ready(process, f"http://127.0.0.1:{port}", log)
            yield base_url(port)
        finally:
            _stop(process)


def _child_env() -> dict[str, str]:
    # make `-m rawg_simulator` importable even without an installed project
    project_root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project_root, env.get("PYTHONPATH")) if p)
    return env


def _wait_until_ready(
    process: subprocess.Popen[bytes], origin: str, log: IO[bytes], timeout_s: float = 30
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"RAWG sandbox exited with code {process.returncode} before answering; "
                f"output tail:\n{_tail(log)}"
            )
        try:
            if httpx.get(f"{origin}/_sandbox/stats", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(
        f"RAWG sandbox did not answer {origin}/_sandbox/stats within {timeout_s:.0f} s; "
        f"output tail:\n{_tail(log)}"
    )


def _tail(log: IO[bytes], limit: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-limit:].decode(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
