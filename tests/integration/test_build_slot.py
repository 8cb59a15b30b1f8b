"""A deployment's dbt build takes the `dbt-build` slot strictly: on a server without the limit
(a workspace `make cloud-pool` was not run on), the run fails in one sentence naming the fix,
before dbt starts, as a worker runs it (`prefect flow-run execute`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import DeploymentCreate
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from flows.build_slot import missing_limit
from flows.limits import BUILD_LIMIT
from tests.support.hcl import REPO

pytestmark = pytest.mark.usefixtures("prefect_harness")


async def deployment_run_without_the_limit() -> UUID:
    """A `dbt-build` deployment (as prefect.yaml's, run from the repository) and one run of
    it, on a server without the `dbt-build` limit."""
    async with get_client() as client:
        with contextlib.suppress(ObjectNotFound):
            await client.delete_global_concurrency_limit_by_name(BUILD_LIMIT)
        flow_id = await client.create_flow_from_name("dbt-build")
        deployment_id = await client.create_deployment(
            **DeploymentCreate(
                flow_id=flow_id,
                name="strict-slot",
                entrypoint="flows/transform.py:transform",
                pull_steps=[
                    {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
                ],
            ).model_dump(exclude_unset=True)
        )
        run = await client.create_flow_run_from_deployment(deployment_id)
    return run.id


async def read_run(run_id: UUID) -> FlowRun:
    async with get_client() as client:
        return await client.read_flow_run(run_id)


def test_a_deployment_run_without_the_limit_fails_in_one_sentence(tmp_path: Path) -> None:
    run_id = asyncio.run(deployment_run_without_the_limit())
    warehouse = tmp_path / "warehouse.duckdb"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "LAKE_URL": str(tmp_path / "lake"),
        "DUCKDB_PATH": str(warehouse),
    }
    executed = subprocess.run(
        [sys.executable, "-m", "prefect", "flow-run", "execute", str(run_id)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    run = asyncio.run(read_run(run_id))
    assert run.state is not None, executed.stdout[-3000:] + executed.stderr[-3000:]
    assert run.state.type.value == "FAILED", executed.stdout[-3000:] + executed.stderr[-3000:]
    assert run.state.message == str(missing_limit())
    assert "make cloud-pool" in run.state.message
    # Refused before the build: dbt never opened the warehouse.
    assert not warehouse.exists()
