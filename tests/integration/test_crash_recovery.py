"""Crash recovery by real signals: `gmp backfill` of three dates (tests/support/gmp_backfill.py)
SIGKILLed while pages arrive, while a partition is being published to S3 and while dbt builds;
after each, the same command run again (only_missing, its default) ends with exactly the lake
and marts of an uninterrupted run."""

from __future__ import annotations

import time
from pathlib import Path

import boto3
import pytest

from game_market.lake import Lake
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.gmp_backfill import Backfill
from tests.support.lake_compare import assert_same_lake, assert_same_marts
from tests.support.layout import LAKE
from tests.support.sandbox import SANDBOX_TODAY, sandbox_stats
from tests.support.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Answers slow enough that a run can be caught while its pages arrive.
SLOW = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, latency_ms=200)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, sandbox_url: str) -> Backfill:
    clean = Backfill(tmp_path_factory.mktemp("uninterrupted"), sandbox_url)
    clean.complete()
    return clean


def test_killed_while_pages_arrive_then_while_dbt_builds(
    uninterrupted: Backfill, tmp_path: Path
) -> None:
    with running_sandbox(SLOW) as sandbox:
        crashing = Backfill(tmp_path, sandbox)
        crashing.killed_when(lambda _: sandbox_stats(sandbox)["requests"] >= 25)
        # Inside the build, as an incremental staging model merges the new partitions.
        crashing.killed_when(
            lambda lines: any("START sql incremental model" in line for line in lines)
        )
        crashing.complete()
    assert_same_lake(Lake(str(uninterrupted.root / LAKE)), Lake(str(tmp_path / LAKE)))
    assert_same_marts(uninterrupted.warehouse, crashing.warehouse)


def test_killed_while_publishing_to_s3(
    uninterrupted: Backfill, tmp_path: Path, sandbox_url: str, moto_endpoint: str
) -> None:
    bucket = f"crash-{time.monotonic_ns()}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=bucket)
    s3_settings = {
        "LAKE_URL": f"s3://{bucket}/lake",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    moto_port = int(moto_endpoint.rsplit(":", 1)[1])
    # Uploads at 100 KB/s: a games partition takes seconds to publish, and is killed in the
    # middle of its data file's upload.
    with tcp_proxy(moto_port, upload_bytes_per_s=100_000) as slow_link:
        crashing = Backfill(tmp_path, sandbox_url, AWS_ENDPOINT_URL_S3=slow_link.url, **s3_settings)
        data_file = rf"PUT /{bucket}/lake/raw/games/dt%3D[\d-]+/data\.parquet "
        uploading = slow_link.watch(data_file.encode())
        started: list[float] = []

        def mid_upload(_: list[str]) -> bool:
            if uploading.is_set() and not started:
                started.append(time.monotonic())
            return bool(started) and time.monotonic() - started[0] > 0.5

        crashing.killed_when(mid_upload)
        # What the killed process had already handed to its socket would still reach S3.
        slow_link.cut()
        crashing.env["AWS_ENDPOINT_URL_S3"] = moto_endpoint
        crashing.complete()
    access = {"endpoint_url": moto_endpoint, "key": "testing", "secret": "testing"}
    s3_lake = Lake(f"s3://{bucket}/lake", access)
    assert_same_lake(Lake(str(uninterrupted.root / LAKE)), s3_lake)
    assert_same_marts(uninterrupted.warehouse, crashing.warehouse)
