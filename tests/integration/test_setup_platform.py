"""`gmp setup-platform` against a real Prefect server: the objects the local deployments need,
made or brought up to date in one process, and one sentence when there is no server."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL
from prefect.workers.process import ProcessWorker

from flows.limits import BUILD_LIMIT, LOCAL_POOL, RAWG_LIMIT
from rawg_simulator import free_port
from tests.support.cli import isolated_env, run_gmp

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def reset(limits: dict[str, int]) -> None:
    """No pool, and only ``limits`` (the server is the session's: others use these names)."""
    async with get_client() as client:
        with contextlib.suppress(ObjectNotFound):
            await client.delete_work_pool(LOCAL_POOL)
        for name in (BUILD_LIMIT, RAWG_LIMIT):
            with contextlib.suppress(ObjectNotFound):
                await client.delete_global_concurrency_limit_by_name(name)
        for name, limit in limits.items():
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=limit)
            )


async def read_back() -> tuple[str, dict[str, object], int, int]:
    async with get_client() as client:
        pool = await client.read_work_pool(LOCAL_POOL)
        build = await client.read_global_concurrency_limit_by_name(BUILD_LIMIT)
        rawg = await client.read_global_concurrency_limit_by_name(RAWG_LIMIT)
    return pool.type, pool.base_job_template, build.limit, rawg.limit


def test_it_makes_what_is_missing_keeps_the_build_limit_and_sets_the_rawg_limit(
    tmp_path: Path,
) -> None:
    env = isolated_env(tmp_path, PREFECT_API_URL=str(PREFECT_API_URL.value()))
    try:
        asyncio.run(reset({}))
        made = run_gmp("setup-platform", "--rawg-limit", "5", env=env, cwd=tmp_path)
        assert made.returncode == 0, made.stdout + made.stderr
        assert "'dbt-build': 1, created" in made.stdout
        assert "'rawg-api': 5, created" in made.stdout
        kind, template, build, rawg = asyncio.run(read_back())
        assert (kind, build, rawg) == ("process", 1, 5)
        assert template == ProcessWorker.get_default_base_job_template()

        # Someone raised the build limit on purpose and the pool exists: run it again.
        asyncio.run(reset({BUILD_LIMIT: 3, RAWG_LIMIT: 6}))
        again = run_gmp("setup-platform", env=env, cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "'dbt-build': 3, kept" in again.stdout
        assert "'rawg-api': 8, updated" in again.stdout
        assert asyncio.run(read_back())[2:] == (3, 8)
    finally:
        asyncio.run(reset({}))


def test_without_a_server_it_says_so_in_one_sentence(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/api"
    down = run_gmp(
        "setup-platform",
        "--wait",
        "1",
        env=isolated_env(tmp_path, PREFECT_API_URL=url),
        cwd=tmp_path,
    )
    assert down.returncode == 1
    assert down.stderr.strip() == (
        f"error: No Prefect server answers at PREFECT_API_URL={url} (ConnectError, waited 1 s): "
        "start it first (make start, or make start-native), or point PREFECT_API_URL at one."
    )
    # Without PREFECT_API_URL, Prefect would make its objects on a temporary server of its own.
    unset = run_gmp("setup-platform", env=isolated_env(tmp_path), cwd=tmp_path)
    assert unset.returncode == 1
    assert unset.stderr.strip() == (
        "error: PREFECT_API_URL is not set: point it at the platform's Prefect server, e.g. "
        "export PREFECT_API_URL=http://127.0.0.1:4200/api"
    )
