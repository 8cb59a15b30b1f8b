"""Fixtures for tests that start real servers: sandbox, moto (S3) and Prefect."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from gmp.server import LocalServer
from rawg_simulator import SandboxConfig, free_port, running_sandbox
from tests.support.automation_server import automation_server
from tests.support.harness import seeded_test_harness
from tests.support.moto import running_moto
from tests.support.platform import NativePlatform, SharedPlatform
from tests.support.sandbox import SANDBOX_TODAY


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect server (SQLite) for the flows run in-process, one per test process
    (each xdist worker). Tests find their own runs by id."""
    with seeded_test_harness():
        yield


@pytest.fixture(scope="session")
def alert_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A Prefect server running its automations, for the tests of alerts (one per test
    process). Its tests talk to it by URL, from their own clients and subprocesses: the test
    process's Prefect settings, and the services Prefect keeps per process, stay on the
    harness."""
    with automation_server(tmp_path_factory.mktemp("alert-server")) as started:
        yield started


@pytest.fixture(scope="session")
def shared_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedPlatform]:
    shared = SharedPlatform(lambda: tmp_path_factory.mktemp("native-platform"))
    yield shared
    shared.stop()


@pytest.fixture(scope="module")
def native_platform(shared_platform: SharedPlatform) -> NativePlatform:
    """The native platform, one for the modules that use it (one worker runs them all, one
    after the other: tests/support/scheduling.py): its runs, lake and warehouse accumulate
    across them, so their tests name their own days and runs."""
    return shared_platform.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """The platform stops once the next test does not use it."""
    shared = getattr(item, "funcargs", {}).get("shared_platform")
    torn_down = yield
    if shared is not None and "native_platform" not in getattr(nextitem, "fixturenames", ()):
        shared.stop()
    return torn_down


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    config = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY)
    with running_sandbox(config) as url:
        yield url


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3 protocol endpoint (moto) on a free loopback port."""
    with running_moto(free_port()) as url:
        yield url


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
