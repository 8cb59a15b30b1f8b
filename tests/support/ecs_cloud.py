"""The operator's cloud in moto, and the operator's steps that point an ECS pool at it.

What scripts/deploy_infra.sh would have created (a cluster, a VPC with two private subnets and
a security group, a log group, the three secrets) and the cloud.env scripts/build_and_push.sh
writes for it; then the pool template rendered by scripts/render_job_template.py
(`make cloud-render`), `prefect deploy` with cloud.env in the environment, and one poll of a
real `ECSWorker`. Every ECS request the worker sends can be recorded at the botocore boundary,
for the fields moto drops.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.responses import DeploymentResponse
from prefect.settings import PREFECT_API_KEY, temporary_settings
from prefect_aws.workers.ecs_worker import ECSWorker

from tests.support.sandbox import SECRET_KEY

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ACCOUNT = "123456789012"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/game-market:abc123"
LAKE_URL = "s3://acme-game-lake"
LOG_STREAM_PREFIX = "flow-runs"
CONTAINER = "prefect"
# The worker's own Prefect Cloud key: it must reach the task only as the secret's ARN.
WORKER_PREFECT_KEY = "pnu_w0rkerKeyM0st0nlyReachTheTaskAsAnArn01"
# The dbt user's Snowflake password: in Secrets Manager only, never in plain env or a request.
SNOWFLAKE_PASSWORD = "sf-Pa55w0rd-0nlyAsAnArn-7q"
# dbt's Snowflake connection of the flow runs: infra/aws variables, through cloud.env.
SNOWFLAKE_ENV = {
    "SNOWFLAKE_ACCOUNT": "ACME-GAMES",
    "SNOWFLAKE_USER": "DBT_SERVICE_USER",
    "SNOWFLAKE_ROLE": "TRANSFORMER",
    "SNOWFLAKE_WAREHOUSE": "GAME_MARKET_WH",
    "SNOWFLAKE_DATABASE": "GAME_MARKET",
}


@dataclass
class Cloud:
    """What scripts/deploy_infra.sh would have created, here in moto; and cloud.env."""

    suffix: str
    cluster: str
    cluster_arn: str
    vpc_id: str
    subnet_ids: list[str]
    security_group_id: str
    log_group: str
    rawg_secret_arn: str
    prefect_secret_arn: str
    snowflake_secret_arn: str
    task_role_arn: str
    execution_role_arn: str
    cloud_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Platform:
    """The cloud, the Prefect server its `ecs` pool lives on, and the deployments made there."""

    cloud: Cloud
    api_url: str
    deployment_ids: dict[str, uuid.UUID]


@dataclass
class Call:
    """One ECS API call: the parameters as sent, and AWS's answer."""

    operation: str
    params: dict[str, Any]
    response: dict[str, Any]


def aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # A failing call fails at once instead of after botocore's and the worker's retries.
        "AWS_MAX_ATTEMPTS": "1",
        "PREFECT_INTEGRATIONS_AWS_ECS_WORKER_CREATE_TASK_RUN_MAX_ATTEMPTS": "1",
    }


def create_cloud(suffix: str) -> Cloud:
    """One cluster, a VPC with two private subnets and a security group, a log group and the
    three secrets; names unique per run."""
    ecs = boto3.client("ecs")
    ec2 = boto3.client("ec2")
    cluster = f"game-market-test-{suffix}"
    cluster_arn = ecs.create_cluster(clusterName=cluster)["cluster"]["clusterArn"]
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    # As infra/aws has it; moto's Fargate RunTask also needs it to name the task's ENI.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.42.{n}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, f"{REGION}a"), (2, f"{REGION}b"))
    ]
    security_group_id = ec2.create_security_group(
        GroupName=f"game-market-flow-runs-{suffix}", Description="egress only", VpcId=vpc_id
    )["GroupId"]
    log_group = f"/ecs/game-market-test-{suffix}"
    boto3.client("logs").create_log_group(logGroupName=log_group)
    secrets = boto3.client("secretsmanager")
    rawg_secret_arn = secrets.create_secret(
        Name=f"game-market-test-{suffix}/RAWG_API_KEY", SecretString=SECRET_KEY
    )["ARN"]
    prefect_secret_arn = secrets.create_secret(
        Name=f"game-market-test-{suffix}/PREFECT_API_KEY", SecretString=WORKER_PREFECT_KEY
    )["ARN"]
    snowflake_secret_arn = secrets.create_secret(
        Name=f"game-market-test-{suffix}/SNOWFLAKE_PASSWORD", SecretString=SNOWFLAKE_PASSWORD
    )["ARN"]
    cloud = Cloud(
        suffix=suffix,
        cluster=cluster,
        cluster_arn=cluster_arn,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        security_group_id=security_group_id,
        log_group=log_group,
        rawg_secret_arn=rawg_secret_arn,
        prefect_secret_arn=prefect_secret_arn,
        snowflake_secret_arn=snowflake_secret_arn,
        task_role_arn=f"arn:aws:iam::{ACCOUNT}:role/game-market-test-{suffix}-flow-run",
        execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/game-market-test-{suffix}-execution",
    )
    cloud.cloud_env = cloud_env(cloud)
    return cloud


def cloud_env(cloud: Cloud) -> dict[str, str]:
    """The keys and order of scripts/build_and_push.sh (deployments/README.md)."""
    return {
        "GMP_IMAGE_URI": IMAGE,
        "GMP_AWS_REGION": REGION,
        "GMP_ECS_CLUSTER": cloud.cluster,
        "GMP_VPC_ID": cloud.vpc_id,
        "GMP_SUBNET_IDS": ",".join(cloud.subnet_ids),
        "GMP_SECURITY_GROUP_ID": cloud.security_group_id,
        "GMP_TASK_ROLE_ARN": cloud.task_role_arn,
        "GMP_EXECUTION_ROLE_ARN": cloud.execution_role_arn,
        "GMP_LOG_GROUP": cloud.log_group,
        "GMP_LOG_STREAM_PREFIX": LOG_STREAM_PREFIX,
        "GMP_CONTAINER_NAME": CONTAINER,
        "GMP_LAKE_URL": LAKE_URL,
        "GMP_RAWG_SECRET_ARN": cloud.rawg_secret_arn,
        "GMP_PREFECT_SECRET_ARN": cloud.prefect_secret_arn,
        "GMP_SNOWFLAKE_ACCOUNT": SNOWFLAKE_ENV["SNOWFLAKE_ACCOUNT"],
        "GMP_SNOWFLAKE_USER": SNOWFLAKE_ENV["SNOWFLAKE_USER"],
        "GMP_SNOWFLAKE_ROLE": SNOWFLAKE_ENV["SNOWFLAKE_ROLE"],
        "GMP_SNOWFLAKE_WAREHOUSE": SNOWFLAKE_ENV["SNOWFLAKE_WAREHOUSE"],
        "GMP_SNOWFLAKE_DATABASE": SNOWFLAKE_ENV["SNOWFLAKE_DATABASE"],
        "GMP_SNOWFLAKE_SECRET_ARN": cloud.snowflake_secret_arn,
    }


def render_pool_template(cloud: Cloud, folder: Path) -> dict[str, Any]:
    """`make cloud-render`: cloud.env -> the ecs pool's base job template."""
    env_file = folder / "cloud.env"
    env_file.write_text(
        "# Written by scripts/build_and_push.sh\n"
        + "".join(f"{k}={v}\n" for k, v in cloud.cloud_env.items())
    )
    output = folder / "ecs-base-job-template.rendered.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "render_job_template.py"),
            "--env-file",
            str(env_file),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(output.read_text())


def prefect_deploy(cloud: Cloud, api_url: str, names: list[str]) -> None:
    """`set -a; . deployments/cloud.env; set +a; prefect deploy -n ...` from the repository."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GMP_", "PREFECT_API"))},
        **cloud.cloud_env,
        "PREFECT_API_URL": api_url,
    }
    selectors = [arg for name in names for arg in ("-n", name)]
    result = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", *selectors],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


async def create_pool(template: dict[str, Any]) -> None:
    async with get_client() as client:
        await client.create_work_pool(
            WorkPoolCreate(name="ecs", type="ecs", base_job_template=template), overwrite=True
        )


async def read_deployment_ids(flows: Mapping[str, str]) -> dict[str, uuid.UUID]:
    """The id of each deployment, by its name; ``flows`` names each deployment's flow."""
    async with get_client() as client:
        return {
            name: (await client.read_deployment_by_name(f"{flow}/{name}")).id
            for name, flow in flows.items()
        }


async def read_deployments(ids: dict[str, uuid.UUID]) -> dict[str, DeploymentResponse]:
    async with get_client() as client:
        return {name: await client.read_deployment(id_) for name, id_ in ids.items()}


async def submit_with_worker(
    deployment_id: uuid.UUID, parameters: dict[str, Any]
) -> tuple[FlowRun, list[FlowRun]]:
    """Create a run of the deployment, then one poll of a real ECSWorker on the `ecs` pool."""
    async with get_client() as client:
        flow_run = await client.create_flow_run_from_deployment(
            deployment_id, parameters=parameters
        )
    # The worker of the cloud talks to Prefect Cloud with a key; it must not pass it on.
    with temporary_settings({PREFECT_API_KEY: WORKER_PREFECT_KEY}):
        async with ECSWorker(work_pool_name="ecs") as worker:
            submitted = await worker.get_and_submit_flow_runs()
    async with get_client() as client:
        flow_run = await client.read_flow_run(flow_run.id)
    return flow_run, submitted


def record_ecs_calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every ECS API call made in this process while ``monkeypatch`` holds, with the exact
    parameters sent."""
    calls: list[Call] = []
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        sent = copy.deepcopy(params)
        response = original(client, operation, params)
        if client.meta.service_model.service_name == "ecs":
            calls.append(Call(operation, sent, response))
        return response

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def one_call(calls: list[Call], operation: str, matches: Callable[[dict[str, Any]], bool]) -> Call:
    """The one call of ``operation`` whose parameters match (a ValueError unless exactly one)."""
    (call,) = [c for c in calls if c.operation == operation and matches(c.params)]
    return call


def env_dict(items: list[dict[str, str]]) -> dict[str, str]:
    """An ECS container's `[{"name": ..., "value": ...}]` environment as a dict."""
    return {item["name"]: item["value"] for item in items}
