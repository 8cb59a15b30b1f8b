"""`prefect deploy` of prefect.yaml from the repository, as a user runs it (in a terminal or with
--no-prompt), and what the server then holds: the deployments and the runs they schedule."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect.exceptions import ObjectNotFound
from prefect.workers.process import ProcessWorker

from tests.support.cloud_env import EXPECTED_ENV
from tests.support.hcl import REPO
from tests.support.terminal import TerminalRun, run_in_terminal

PREFECT_YAML = yaml.safe_load((REPO / "prefect.yaml").read_text())
# Deployment name -> "flow-name/deployment-name", as the server knows it.
FLOWS = {
    "daily_game_market_update": "daily-game-market-update",
    "game_market_backfill": "game-market-backfill",
    "release_backfill": "release-backfill",
    "ingest_all": "ingest-all",
    "ingest_endpoint": "ingest-endpoint",
    "transform": "dbt-build",
}
FULL_NAMES = {
    d["name"]: f"{FLOWS[d['entrypoint'].split(':')[1]]}/{d['name']}"
    for d in PREFECT_YAML["deployments"]
}
ECS = sorted(name for name in FULL_NAMES if name.endswith("-ecs"))
LOCAL = sorted(name for name in FULL_NAMES if not name.endswith("-ecs"))
DAILY_FLOW = "daily-game-market-update"


def deploy_env(api_url: str, home: Path) -> dict[str, str]:
    """The shell of the cloud guide: cloud.env sourced, the workspace's API URL."""
    own = ("PREFECT_", "GMP_")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(own)},
        **EXPECTED_ENV,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def selectors(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("-n", name)] if names else ["--all"]


def render_ecs_template(folder: Path) -> dict[str, Any]:
    """`make cloud-render` for the stub cloud's cloud.env: the ecs pool's base job template."""
    env_file = folder / "cloud.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in EXPECTED_ENV.items()))
    output = folder / "ecs-base-job-template.rendered.json"
    script = REPO / "scripts" / "render_job_template.py"
    subprocess.run(
        [sys.executable, str(script), "--env-file", str(env_file), "--output", str(output)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return json.loads(output.read_text())


def deploy(names: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`prefect --no-prompt deploy -n ...` (every deployment when ``names`` is empty)."""
    return subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", *selectors(names)],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def deploy_in_terminal(names: list[str], env: Mapping[str, str]) -> TerminalRun:
    """`prefect deploy -n ...` in a terminal, nobody answering: a question stalls it."""
    return run_in_terminal(
        [sys.executable, "-m", "prefect", "deploy", *selectors(names)],
        env=env,
        cwd=REPO,
        timeout=240,
    )


async def create_pools(ecs_template: dict[str, Any]) -> None:
    """The pools prefect.yaml names: `local` as `gmp setup-platform` makes it, `ecs` as
    `make cloud-pool` does."""
    async with get_client() as client:
        await client.create_work_pool(
            WorkPoolCreate(
                name="local",
                type="process",
                base_job_template=ProcessWorker.get_default_base_job_template(),
            ),
            overwrite=True,
        )
        await client.create_work_pool(
            WorkPoolCreate(name="ecs", type="ecs", base_job_template=ecs_template),
            overwrite=True,
        )


async def delete_deployments() -> None:
    async with get_client() as client:
        for full_name in FULL_NAMES.values():
            with contextlib.suppress(ObjectNotFound):
                deployment = await client.read_deployment_by_name(full_name)
                await client.delete_deployment(deployment.id)


async def read_deployments() -> dict[str, DeploymentResponse]:
    """Every deployment of prefect.yaml the server has, by name."""
    found = {}
    async with get_client() as client:
        for name, full_name in FULL_NAMES.items():
            with contextlib.suppress(ObjectNotFound):
                found[name] = await client.read_deployment_by_name(full_name)
    return found


def described(deployment: DeploymentResponse) -> dict[str, Any]:
    """What a user sees of a deployment: where and how it runs, with what, and when."""
    return {
        "work_pool": deployment.work_pool_name,
        "work_queue": deployment.work_queue_name,
        "pull_steps": deployment.pull_steps,
        "parameters": deployment.parameters,
        "job_variables": deployment.job_variables,
        "schedules": [(s.schedule.model_dump(mode="json"), s.active) for s in deployment.schedules],
        "tags": deployment.tags,
        "description": deployment.description,
        "entrypoint": deployment.entrypoint,
        "concurrency_limit": deployment.global_concurrency_limit
        and deployment.global_concurrency_limit.limit,
    }


async def runs_scheduled_on(day: date, api_url: str) -> list[str]:
    """Ask the server to schedule each deployment's runs, as its scheduler service does, then
    the names of the deployments whose runs are scheduled to start on ``day`` (UTC)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    deployments = await read_deployments()
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        window = {
            "start_time": (start - timedelta(days=1)).isoformat(),
            "end_time": (start + timedelta(days=2)).isoformat(),
        }
        for deployment in deployments.values():
            # 503 is the server's answer while its SQLite database is locked by another
            # writer; Prefect's own clients retry it, and so does this one.
            for wait_s in (1, 2, 4, 8, 0):
                response = await http.post(f"/deployments/{deployment.id}/schedule", json=window)
                if response.status_code != 503 or not wait_s:
                    break
                await asyncio.sleep(wait_s)
            response.raise_for_status()
    names = {d.id: name for name, d in deployments.items()}
    async with get_client() as client:
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(names))),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
                expected_start_time=FlowRunFilterExpectedStartTime(
                    after_=start, before_=start + timedelta(days=1) - timedelta(microseconds=1)
                ),
            ),
        )
    return sorted(names[run.deployment_id] for run in runs)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
