"""Shared fixtures. Every test session gets its own PREFECT_HOME and no telemetry."""

from __future__ import annotations

import os
import tempfile

_PREFECT_HOME = tempfile.mkdtemp(prefix="gmp-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")
# Nothing from a developer's own .env or shell may leak into a test's settings.
for _name in list(os.environ):
    if _name.startswith(("RAWG_", "LAKE_", "AWS_", "DUCKDB_")):
        del os.environ[_name]

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402

from game_market.sandbox import SandboxConfig, free_port, running_sandbox  # noqa: E402

SANDBOX_TODAY = date(2026, 1, 20)
SECRET_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"  # shaped like a real RAWG key


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so a stray .env or ./data is never read or written."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY)
    with running_sandbox(config) as url:
        yield url


def reset_sandbox(base_url: str) -> None:
    httpx.post(base_url.removesuffix("/api") + "/_sandbox/reset").raise_for_status()


def sandbox_stats(base_url: str) -> dict:
    response = httpx.get(base_url.removesuffix("/api") + "/_sandbox/stats")
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3 protocol endpoint (moto_server) on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """AWS variables pointing at moto, as a user would set them for MinIO."""
    env = {
        "AWS_ENDPOINT_URL_S3": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def s3_bucket(s3_env: dict[str, str]) -> str:
    import boto3

    name = f"lake-{time.monotonic_ns()}"
    boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL_S3"]).create_bucket(Bucket=name)
    return name
