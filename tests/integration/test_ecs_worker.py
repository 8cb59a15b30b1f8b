"""A real ECSWorker, pointed at moto_server, submits the ECS deployments of prefect.yaml.

The cloud is played by moto's server (ECS, EC2, Secrets Manager, CloudWatch Logs) through
`AWS_ENDPOINT_URL`; Prefect by a temporary server. The path under test is the operator's
(tests/support/ecs_cloud.py takes its steps): cloud.env as scripts/build_and_push.sh writes it,
the pool template rendered by scripts/render_job_template.py (`make cloud-render`),
`prefect deploy -n ...-ecs` from prefect.yaml with cloud.env in the environment, and then
`ECSWorker` polling the `ecs` pool. The container never runs: moto keeps the task as
PROVISIONING.

moto runs as every test starts it (tests/support/moto.py, which also explains the one RunTask
fix it needs for Fargate task definitions).

We assert on what AWS keeps (DescribeTaskDefinition, DescribeTasks) and, where moto drops a
RunTask field, on the exact request the worker sent, recorded at the botocore boundary.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL

from rawg_simulator import free_port
from tests.support.ecs_cloud import (
    CONTAINER,
    IMAGE,
    LAKE_URL,
    LOG_STREAM_PREFIX,
    REGION,
    SNOWFLAKE_ENV,
    SNOWFLAKE_PASSWORD,
    WORKER_PREFECT_KEY,
    Call,
    Cloud,
    Platform,
    aws_env,
    create_cloud,
    create_pool,
    env_dict,
    one_call,
    prefect_deploy,
    read_deployment_ids,
    read_deployments,
    record_ecs_calls,
    render_pool_template,
    submit_with_worker,
)
from tests.support.harness import seeded_test_harness
from tests.support.moto import running_moto
from tests.support.sandbox import SECRET_KEY

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
            prefect_deploy(cloud, api_url, list(DEPLOYMENTS))
            flows = {name: expected.flow for name, expected in DEPLOYMENTS.items()}
            deployment_ids = asyncio.run(read_deployment_ids(flows))
            yield Platform(cloud, api_url, deployment_ids)


@pytest.fixture
def ecs_calls(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every ECS API call made in this process, with the exact parameters sent."""
    return record_ecs_calls(monkeypatch)


@pytest.fixture
def worker_env(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's environment: the cloud's endpoint, and the RAWG key and the Snowflake
    password, since even a worker that holds them itself must not hand them to the task."""
    for key, value in aws_env(aws_endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", SNOWFLAKE_PASSWORD)


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


@pytest.mark.usefixtures("worker_env")
@pytest.mark.parametrize("name", list(DEPLOYMENTS))
def test_ecs_worker_registers_our_task_definition_and_runs_it_in_our_network(
    platform: Platform, ecs_calls: list[Call], name: str
) -> None:
    cloud = platform.cloud
    expected = DEPLOYMENTS[name]
    deployment_id = platform.deployment_ids[name]

    flow_run, submitted = asyncio.run(submit_with_worker(deployment_id, expected.parameters))
    assert flow_run.id in {run.id for run in submitted}

    family = f"prefect_ecs_{deployment_id}"
    registration = one_call(ecs_calls, "RegisterTaskDefinition", lambda p: p["family"] == family)
    task_definition_arn = registration.response["taskDefinition"]["taskDefinitionArn"]
    assert_task_definition_as_aws_keeps_it(task_definition_arn, cloud, expected)

    tag = {"key": "prefect.io/flow-run-id", "value": str(flow_run.id)}
    run_call = one_call(ecs_calls, "RunTask", lambda p: tag in p["tags"])
    (task_arn,) = [t["taskArn"] for t in run_call.response["tasks"]]
    ecs = boto3.client("ecs")
    assert task_arn in ecs.list_tasks(cluster=cloud.cluster)["taskArns"]
    (task,) = ecs.describe_tasks(cluster=cloud.cluster, tasks=[task_arn], include=["TAGS"])["tasks"]
    assert_task_as_aws_keeps_it(task, task_definition_arn, flow_run, platform, expected)
    assert_task_runs_in_our_network(task, cloud)
    assert_run_request_as_sent(run_call.params, cloud)
    assert_no_secret_sent(ecs_calls)

    # What Prefect shows.
    assert flow_run.state is not None and flow_run.state.is_pending()
    assert flow_run.infrastructure_pid == f"{cloud.cluster}::{task_arn}"


def assert_task_definition_as_aws_keeps_it(arn: str, cloud: Cloud, expected: Expected) -> None:
    """RegisterTaskDefinition, as DescribeTaskDefinition shows it: Fargate in our VPC's mode,
    the deployment's size, our image, plain settings, secrets by ARN, logs to our group."""
    task_definition = boto3.client("ecs").describe_task_definition(taskDefinition=arn)[
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
    assert_secrets_injected_from_secrets_manager(container, cloud)
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-create-group": "false",
            "awslogs-group": cloud.log_group,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": LOG_STREAM_PREFIX,
        },
    }


def assert_secrets_injected_from_secrets_manager(container: dict[str, Any], cloud: Cloud) -> None:
    """The two keys and the password come from Secrets Manager, injected by ECS with the
    execution role, and those ARNs name the secrets that hold them."""
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets == {
        "RAWG_API_KEY": cloud.rawg_secret_arn,
        "PREFECT_API_KEY": cloud.prefect_secret_arn,
        "SNOWFLAKE_PASSWORD": cloud.snowflake_secret_arn,
    }
    secretsmanager = boto3.client("secretsmanager")
    for secret_name, value in (
        ("RAWG_API_KEY", SECRET_KEY),
        ("PREFECT_API_KEY", WORKER_PREFECT_KEY),
        ("SNOWFLAKE_PASSWORD", SNOWFLAKE_PASSWORD),
    ):
        stored = secretsmanager.get_secret_value(SecretId=secrets[secret_name])
        assert stored["SecretString"] == value, secret_name


def assert_task_as_aws_keeps_it(
    task: dict[str, Any],
    task_definition_arn: str,
    flow_run: FlowRun,
    platform: Platform,
    expected: Expected,
) -> None:
    """RunTask, as DescribeTasks shows it: our task definition on our cluster, tagged with the
    flow run, with the task role, the deployment's size and Prefect's command; its environment
    names the flow run and the API, and holds no key or password."""
    cloud = platform.cloud
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


def assert_task_runs_in_our_network(task: dict[str, Any], cloud: Cloud) -> None:
    """moto places the task's network interface in the first subnet, with our security group."""
    (attachment,) = task["attachments"]
    details = {d["name"]: d["value"] for d in attachment["details"]}
    assert details["subnetId"] == cloud.subnet_ids[0]
    (eni,) = boto3.client("ec2").describe_network_interfaces(
        NetworkInterfaceIds=[details["networkInterfaceId"]]
    )["NetworkInterfaces"]
    assert eni["VpcId"] == cloud.vpc_id
    assert [g["GroupId"] for g in eni["Groups"]] == [cloud.security_group_id]


def assert_run_request_as_sent(request: dict[str, Any], cloud: Cloud) -> None:
    """RunTask, as the worker sent it: moto keeps neither the networkConfiguration (every
    subnet, no public IP) nor the cluster as named; the recorded request has them."""
    assert request["cluster"] == cloud.cluster
    assert request["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": cloud.subnet_ids,
            "securityGroups": [cloud.security_group_id],
            "assignPublicIp": "DISABLED",
        }
    }


def assert_no_secret_sent(ecs_calls: list[Call]) -> None:
    """No key or password value anywhere in what the worker sent to AWS."""
    sent = json.dumps([c.params for c in ecs_calls])
    assert SECRET_KEY not in sent
    assert WORKER_PREFECT_KEY not in sent
    assert SNOWFLAKE_PASSWORD not in sent
