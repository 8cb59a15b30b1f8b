"""A real ECSWorker, pointed at moto_server, submits the ECS deployments of prefect.yaml.

The cloud is played by moto's server (ECS, EC2, Secrets Manager, CloudWatch Logs) through
`AWS_ENDPOINT_URL`; Prefect by a temporary server. The path under test is the operator's:
cloud.env as scripts/build_and_push.sh writes it, the pool template rendered by
scripts/render_job_template.py (`make cloud-render`), `prefect deploy -n ...-ecs` from
prefect.yaml with cloud.env in the environment, and then `ECSWorker` polling the `ecs` pool.
The container never runs: moto keeps the task as PROVISIONING.

moto runs as every test starts it (tests/support/moto.py, which also explains the one RunTask
fix it needs for Fargate task definitions).

We assert on what AWS keeps (DescribeTaskDefinition, DescribeTasks) and, where moto drops a
RunTask field, on the exact request the worker sent, recorded at the botocore boundary.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
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
from prefect.settings import PREFECT_API_KEY, PREFECT_API_URL, temporary_settings
from prefect_aws.workers.ecs_worker import ECSWorker

from rawg_simulator import free_port
from tests.support.harness import seeded_test_harness
from tests.support.moto import running_moto
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
COMMAND = ["prefect", "flow-run", "execute"]


@dataclass(frozen=True)
class Expected:
    flow: str
    cpu: str
    memory: str
    parameters: dict[str, Any]
    # The deployment's own parameters, as prefect.yaml sets them.
    defaults: dict[str, Any]


# cpu/memory per prefect.yaml: &ecs_pool for a day's ingest, &ecs_build_pool where dbt runs.
# Where dbt runs in the cloud, it builds the Snowflake warehouse, not a throwaway DuckDB file.
DEPLOYMENTS = {
    "ingest-day-ecs": Expected(
        "ingest-all", "1024", "2048", {"date": "2026-01-05"}, {"only_missing": True}
    ),
    "daily-ecs": Expected(
        "daily-game-market-update",
        "2048",
        "8192",
        {"date": "2026-01-05"},
        {"target": "snowflake"},
    ),
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
    cloud: Cloud
    api_url: str
    deployment_ids: dict[str, uuid.UUID]


@dataclass
class Call:
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
    # The keys and order of scripts/build_and_push.sh (deployments/README.md).
    cloud.cloud_env = {
        "GMP_IMAGE_URI": IMAGE,
        "GMP_AWS_REGION": REGION,
        "GMP_ECS_CLUSTER": cluster,
        "GMP_VPC_ID": vpc_id,
        "GMP_SUBNET_IDS": ",".join(subnet_ids),
        "GMP_SECURITY_GROUP_ID": security_group_id,
        "GMP_TASK_ROLE_ARN": cloud.task_role_arn,
        "GMP_EXECUTION_ROLE_ARN": cloud.execution_role_arn,
        "GMP_LOG_GROUP": log_group,
        "GMP_LOG_STREAM_PREFIX": LOG_STREAM_PREFIX,
        "GMP_CONTAINER_NAME": CONTAINER,
        "GMP_LAKE_URL": LAKE_URL,
        "GMP_RAWG_SECRET_ARN": rawg_secret_arn,
        "GMP_PREFECT_SECRET_ARN": prefect_secret_arn,
        "GMP_SNOWFLAKE_ACCOUNT": SNOWFLAKE_ENV["SNOWFLAKE_ACCOUNT"],
        "GMP_SNOWFLAKE_USER": SNOWFLAKE_ENV["SNOWFLAKE_USER"],
        "GMP_SNOWFLAKE_ROLE": SNOWFLAKE_ENV["SNOWFLAKE_ROLE"],
        "GMP_SNOWFLAKE_WAREHOUSE": SNOWFLAKE_ENV["SNOWFLAKE_WAREHOUSE"],
        "GMP_SNOWFLAKE_DATABASE": SNOWFLAKE_ENV["SNOWFLAKE_DATABASE"],
        "GMP_SNOWFLAKE_SECRET_ARN": snowflake_secret_arn,
    }
    return cloud


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


async def read_deployment_ids(names: list[str]) -> dict[str, uuid.UUID]:
    async with get_client() as client:
        return {
            name: (await client.read_deployment_by_name(f"{DEPLOYMENTS[name].flow}/{name}")).id
            for name in names
        }


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[str]:
    with running_moto(free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def platform(aws_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in aws_env(aws_endpoint).items():
            mp.setenv(name, value)
        # No SQS queue here: the worker's crash observer would only warn that it is missing.
        mp.setenv("PREFECT_INTEGRATIONS_AWS_ECS_OBSERVER_ENABLED", "false")
        cloud = create_cloud(uuid.uuid4().hex[:10])
        template = render_pool_template(cloud, tmp_path_factory.mktemp("deployments"))
        with seeded_test_harness():
            api_url = PREFECT_API_URL.value()
            asyncio.run(create_pool(template))
            names = list(DEPLOYMENTS)
            prefect_deploy(cloud, api_url, names)
            deployment_ids = asyncio.run(read_deployment_ids(names))
            yield Platform(cloud, api_url, deployment_ids)


@pytest.fixture
def ecs_calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every ECS API call made in this process, with the exact parameters sent."""
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


async def read_deployments(ids: dict[str, uuid.UUID]) -> dict[str, DeploymentResponse]:
    async with get_client() as client:
        return {name: await client.read_deployment(id_) for name, id_ in ids.items()}


def test_ecs_deployments_take_cloud_env_values_and_run_from_opt_prefect(
    platform: Platform,
) -> None:
    """prefect.yaml's `{{ $GMP_... }}` templating, resolved by `prefect deploy` from cloud.env."""
    deployments = asyncio.run(read_deployments(platform.deployment_ids))
    cloud = platform.cloud
    for name, deployment in deployments.items():
        expected = DEPLOYMENTS[name]
        assert deployment.work_pool_name == "ecs", name
        assert deployment.job_variables == {
            "image": IMAGE,
            "cluster": cloud.cluster,
            "vpc_id": cloud.vpc_id,
            "task_role_arn": cloud.task_role_arn,
            "execution_role_arn": cloud.execution_role_arn,
            "cpu": int(expected.cpu),
            "memory": int(expected.memory),
        }, name
        assert deployment.parameters == expected.defaults, name
        # An image deployment with no pull step runs from the image's /opt/prefect, where the
        # Dockerfile puts flows/ (not from the folder `prefect deploy` ran in).
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": "/opt/prefect"}}
        ], name


def env_dict(items: list[dict[str, str]]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in items}


@pytest.mark.parametrize("name", list(DEPLOYMENTS))
def test_ecs_worker_registers_our_task_definition_and_runs_it_in_our_network(
    platform: Platform,
    ecs_calls: list[Call],
    aws_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    for key, value in aws_env(aws_endpoint).items():
        monkeypatch.setenv(key, value)
    # Even a worker that holds the RAWG key or the Snowflake password itself must not hand
    # them to the task.
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SNOWFLAKE_PASSWORD)
    cloud = platform.cloud
    expected = DEPLOYMENTS[name]

    flow_run, submitted = asyncio.run(
        submit_with_worker(platform.deployment_ids[name], expected.parameters)
    )
    assert flow_run.id in {run.id for run in submitted}

    # --- RegisterTaskDefinition, as AWS keeps it -------------------------------------------
    family = f"prefect_ecs_{platform.deployment_ids[name]}"
    (registration,) = [
        c
        for c in ecs_calls
        if c.operation == "RegisterTaskDefinition" and c.params["family"] == family
    ]
    task_definition_arn = registration.response["taskDefinition"]["taskDefinitionArn"]
    ecs = boto3.client("ecs")
    task_definition = ecs.describe_task_definition(taskDefinition=task_definition_arn)[
        "taskDefinition"
    ]
    assert task_definition["requiresCompatibilities"] == ["FARGATE"]
    assert task_definition["networkMode"] == "awsvpc"
    assert (task_definition["cpu"], task_definition["memory"]) == (expected.cpu, expected.memory)
    assert task_definition["executionRoleArn"] == cloud.execution_role_arn
    (container,) = task_definition["containerDefinitions"]
    assert container["name"] == CONTAINER
    assert container["image"] == IMAGE
    # Plain environment: where the lake is, the region and dbt's Snowflake connection; never a
    # key or a password.
    assert env_dict(container["environment"]) == {
        "LAKE_URL": LAKE_URL,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        **SNOWFLAKE_ENV,
    }
    # The two keys and the password come from Secrets Manager, injected by ECS with the
    # execution role...
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets == {
        "RAWG_API_KEY": cloud.rawg_secret_arn,
        "PREFECT_API_KEY": cloud.prefect_secret_arn,
        "SNOWFLAKE_PASSWORD": cloud.snowflake_secret_arn,
    }
    # ...and those ARNs name the secrets that hold them.
    secretsmanager = boto3.client("secretsmanager")
    for secret_name, value in (
        ("RAWG_API_KEY", SECRET_KEY),
        ("PREFECT_API_KEY", WORKER_PREFECT_KEY),
        ("SNOWFLAKE_PASSWORD", SNOWFLAKE_PASSWORD),
    ):
        stored = secretsmanager.get_secret_value(SecretId=secrets[secret_name])
        assert stored["SecretString"] == value, secret_name
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-create-group": "false",
            "awslogs-group": cloud.log_group,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": LOG_STREAM_PREFIX,
        },
    }

    # --- RunTask, as AWS keeps it ----------------------------------------------------------
    (run_call,) = [
        c
        for c in ecs_calls
        if c.operation == "RunTask"
        and {"key": "prefect.io/flow-run-id", "value": str(flow_run.id)} in c.params["tags"]
    ]
    (task_arn,) = [t["taskArn"] for t in run_call.response["tasks"]]
    assert task_arn in ecs.list_tasks(cluster=cloud.cluster)["taskArns"]
    (task,) = ecs.describe_tasks(cluster=cloud.cluster, tasks=[task_arn], include=["TAGS"])["tasks"]
    assert task["clusterArn"] == cloud.cluster_arn
    assert task["taskDefinitionArn"] == task_definition_arn
    assert task["launchType"] == "FARGATE"
    assert {"key": "prefect.io/flow-run-id", "value": str(flow_run.id)} in task["tags"]
    overrides = task["overrides"]
    assert overrides["taskRoleArn"] == cloud.task_role_arn
    assert (overrides["cpu"], overrides["memory"]) == (expected.cpu, expected.memory)
    (override,) = overrides["containerOverrides"]
    assert override["name"] == CONTAINER
    assert override["command"] == COMMAND
    run_env = env_dict(override["environment"])
    assert run_env["PREFECT__FLOW_RUN_ID"] == str(flow_run.id)
    assert run_env["PREFECT_API_URL"] == platform.api_url
    assert not {"PREFECT_API_KEY", "RAWG_API_KEY", "SNOWFLAKE_PASSWORD"} & set(run_env)
    # moto places the task's network interface in the first subnet, with our security group.
    (attachment,) = task["attachments"]
    details = {d["name"]: d["value"] for d in attachment["details"]}
    assert details["subnetId"] == cloud.subnet_ids[0]
    (eni,) = boto3.client("ec2").describe_network_interfaces(
        NetworkInterfaceIds=[details["networkInterfaceId"]]
    )["NetworkInterfaces"]
    assert eni["VpcId"] == cloud.vpc_id
    assert [g["GroupId"] for g in eni["Groups"]] == [cloud.security_group_id]

    # --- RunTask, as the worker sent it: what moto drops -----------------------------------
    # moto keeps neither the networkConfiguration (every subnet, no public IP) nor the
    # cluster as named; the recorded request has them.
    request = run_call.params
    assert request["cluster"] == cloud.cluster
    assert request["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": cloud.subnet_ids,
            "securityGroups": [cloud.security_group_id],
            "assignPublicIp": "DISABLED",
        }
    }

    # No key or password value anywhere in what the worker sent to AWS.
    sent = json.dumps([c.params for c in ecs_calls])
    assert SECRET_KEY not in sent
    assert WORKER_PREFECT_KEY not in sent
    assert SNOWFLAKE_PASSWORD not in sent

    # --- What Prefect shows ----------------------------------------------------------------
    assert flow_run.state is not None and flow_run.state.is_pending()
    assert flow_run.infrastructure_pid == f"{cloud.cluster}::{task_arn}"
