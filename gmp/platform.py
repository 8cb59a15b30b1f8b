"""The Prefect objects the local platform's deployments need, made in one process on the server
PREFECT_API_URL names: the ``local`` process work pool (not on a Prefect Cloud workspace, whose
ECS pool ``make cloud-pool`` makes), the global concurrency limits and the alerts
(gmp/alerts.py). One ``prefect`` CLI call per object cost a process start each (~3 s of
imports on 2 cores)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from flows.limits import BUILD_LIMIT, LOCAL_POOL, RAWG_LIMIT
from game_market.errors import PipelineError
from game_market.settings import Settings
from gmp.alerts import setup_alerts

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

POLL_S = 0.5


async def wait_for_server(client: PrefectClient, api_url: str, wait_s: float) -> None:
    """Return once the server answers; a PipelineError after ``wait_s`` without an answer."""
    deadline = time.monotonic() + wait_s
    while (problem := await client.api_healthcheck()) is not None:
        if time.monotonic() >= deadline:
            raise PipelineError(
                f"No Prefect server answers at PREFECT_API_URL={api_url} "
                f"({type(problem).__name__}, waited {wait_s:g} s): start it first "
                f"(make start, or make start-native), or point PREFECT_API_URL at one."
            )
        await asyncio.sleep(POLL_S)


async def setup_platform(
    api_url: str,
    rawg_limit: int,
    wait_s: float,
    settings: Settings,
    local_pool: bool = True,
) -> list[str]:
    """Wait up to ``wait_s`` for the server, then make (or bring up to date) each object; one
    line a object saying what was done. Without ``local_pool`` (a Prefect Cloud workspace,
    whose runs go to the ECS pool) the process pool is left out."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
        WorkPoolCreate,
    )
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    async with get_client() as client:
        await wait_for_server(client, api_url, wait_s)
        lines = []
        if local_pool:
            # As `prefect work-pool create --overwrite`: the process worker's default template.
            pool = WorkPoolCreate(
                name=LOCAL_POOL,
                type="process",
                base_job_template=ProcessWorker.get_default_base_job_template(),
            )
            await client.create_work_pool(pool, overwrite=True)
            lines.append(f"work pool {LOCAL_POOL!r} (process): ready")

        # A build limit someone raised on purpose is theirs: only a missing one is made.
        try:
            build = await client.read_global_concurrency_limit_by_name(BUILD_LIMIT)
            lines.append(f"global concurrency limit {BUILD_LIMIT!r}: {build.limit}, kept")
        except ObjectNotFound:
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=BUILD_LIMIT, limit=1)
            )
            lines.append(f"global concurrency limit {BUILD_LIMIT!r}: 1, created")

        try:
            await client.update_global_concurrency_limit(
                RAWG_LIMIT, GlobalConcurrencyLimitUpdate(limit=rawg_limit)
            )
            lines.append(f"global concurrency limit {RAWG_LIMIT!r}: {rawg_limit}, updated")
        except ObjectNotFound:
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=RAWG_LIMIT, limit=rawg_limit)
            )
            lines.append(f"global concurrency limit {RAWG_LIMIT!r}: {rawg_limit}, created")

        lines += await setup_alerts(client, settings)
    return lines
