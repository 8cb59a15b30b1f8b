"""`make cloud-pool` against a Prefect server: the ECS pool with our defaults, the rawg-api and
dbt-build limits, and no local process pool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from tests.support.cloud_env import EXPECTED_ENV
from tests.support.hcl import REPO

SUBNETS = EXPECTED_ENV["GMP_SUBNET_IDS"].split(",")

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def delete_rawg_limit() -> None:
    async with get_client() as client:
        for name in ("rawg-api", "dbt-build"):
            with contextlib.suppress(ObjectNotFound):
                await client.delete_global_concurrency_limit_by_name(name)
        # A workspace of the cloud has no use for the local platform's process pool.
        with contextlib.suppress(ObjectNotFound):
            await client.delete_work_pool("local")


async def read_cloud_objects() -> tuple[int, bool]:
    """The dbt-build limit, and whether a `local` pool exists."""
    async with get_client() as client:
        build = await client.read_global_concurrency_limit_by_name("dbt-build")
        try:
            await client.read_work_pool("local")
        except ObjectNotFound:
            return build.limit, False
    return build.limit, True


async def create_rawg_limit(limit: int) -> None:
    await delete_rawg_limit()
    async with get_client() as client:
        await client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name="rawg-api", limit=limit)
        )


def test_make_cloud_pool_creates_the_pool_with_our_defaults(tmp_path: Path) -> None:
    """`make cloud-pool` against a Prefect server (as against a Cloud workspace: its URL in
    PREFECT_API_URL) whose rawg-api limit is 6 and that has no dbt-build limit: it updates the
    one to 8 and creates the other. Then read them back."""
    env_file = tmp_path / "cloud.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in EXPECTED_ENV.items()))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GMP_"))},
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
    }
    asyncio.run(create_rawg_limit(6))
    make = subprocess.run(
        [
            "make",
            "-C",
            str(REPO),
            "cloud-pool",
            f"CLOUD_ENV={env_file}",
            f"ECS_TEMPLATE={tmp_path / 'rendered.json'}",
            "RAWG_API_LIMIT=8",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    inspect = subprocess.run(
        [sys.executable, "-m", "prefect", "work-pool", "inspect", "ecs", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert inspect.returncode == 0, inspect.stderr[-3000:]
    pool = json.loads(inspect.stdout[inspect.stdout.index("{") :])
    assert pool["type"] == "ecs"
    properties = pool["base_job_template"]["variables"]["properties"]
    assert properties["cluster"]["default"] == EXPECTED_ENV["GMP_ECS_CLUSTER"]
    assert properties["network_configuration"]["default"]["subnets"] == SUBNETS
    assert properties["image"]["default"] == EXPECTED_ENV["GMP_IMAGE_URI"]
    rawg_limit = subprocess.run(
        [sys.executable, "-m", "prefect", "gcl", "inspect", "rawg-api", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rawg_limit.returncode == 0, rawg_limit.stderr[-3000:]
    limit = json.loads(rawg_limit.stdout[rawg_limit.stdout.index("{") :])
    assert (limit["limit"], limit["active"]) == (8, True)
    # One build at a time: daily-ecs and backfill-ecs never build Snowflake together.
    assert asyncio.run(read_cloud_objects()) == (1, False)
    assert "'dbt-build': 1, created" in make.stdout
    asyncio.run(delete_rawg_limit())  # the Prefect server is the session's
