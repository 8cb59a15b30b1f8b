"""`gmp` as a fresh process, the way a user meets it: with its own Prefect home and port, or
reporting to the test process's Prefect server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from rawg_simulator import free_port


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No setting from the developer's shell; a Prefect home and a server port of its own."""
    own = ("PREFECT_", "RAWG_", "LAKE_", "AWS_", "DUCKDB_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    return {
        **env,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_PORT": str(free_port()),
        **extra,
    }


def harness_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """``isolated_env`` with gmp reporting to this test process's Prefect server (the session's
    ``prefect_harness``, which the test must use) rather than starting one of its own: a start
    costs a command ~15 s of CPU, and only the tests of that start need their own server."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "harness_env: the test does not use the prefect_harness fixture"
    return isolated_env(tmp_path, PREFECT_API_URL=str(url), **extra)


def run_gmp(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gmp", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(env),
        timeout=timeout,
    )


@contextmanager
def stopping_local_server(env: Mapping[str, str], cwd: Path) -> Iterator[None]:
    """Whatever the test does, the local Prefect server a command started is stopped after."""
    try:
        yield
    finally:
        run_gmp("server", "stop", env=env, cwd=cwd)
