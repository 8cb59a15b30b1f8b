"""deployments/ecs-base-job-template.json: valid for the ecs pool type, filled, no secrets."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from unittest.mock import MagicMock
from uuid import uuid4

import pytest
from prefect.client.schemas.objects import FlowRun
from prefect.server.schemas.actions import WorkPoolCreate
from prefect.utilities.schema_tools import validate
from prefect_aws.workers.ecs_worker import ECSJobConfiguration, ECSWorker

from tests.support.cloud_env import EXPECTED_ENV, cloud_env_keys
from tests.support.hcl import REPO

TEMPLATE = REPO / "deployments" / "ecs-base-job-template.json"
RENDERER = REPO / "scripts" / "render_job_template.py"
DEFAULT = ECSWorker.get_default_base_job_template()
SUBNETS = EXPECTED_ENV["GMP_SUBNET_IDS"].split(",")


def render(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / "cloud.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return subprocess.run(
        [
            sys.executable,
            str(RENDERER),
            "--env-file",
            str(env_file),
            "--output",
            str(tmp_path / "rendered.json"),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def rendered(tmp_path: Path) -> dict:
    result = render(tmp_path, EXPECTED_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads((tmp_path / "rendered.json").read_text())


def test_template_keeps_the_shape_of_the_prefect_aws_default() -> None:
    template = json.loads(TEMPLATE.read_text())
    assert set(template["job_configuration"]) == set(DEFAULT["job_configuration"])
    ours = template["variables"]["properties"]
    theirs = DEFAULT["variables"]["properties"]
    assert set(ours) == set(theirs)
    for name, schema in theirs.items():
        assert {k: v for k, v in ours[name].items() if k != "default"} == {
            k: v for k, v in schema.items() if k != "default"
        }, name


def test_placeholders_are_exactly_the_listed_cloud_env_keys() -> None:
    placeholders = set(re.findall(r"\$\{(GMP_[A-Z0-9_]+)\}", TEMPLATE.read_text()))
    assert placeholders == {"GMP_IMAGE_URI", *cloud_env_keys()}


def test_prefect_yaml_reads_only_listed_cloud_env_keys() -> None:
    used = set(re.findall(r"\{\{ \$(GMP_[A-Z0-9_]+) \}\}", (REPO / "prefect.yaml").read_text()))
    assert used and used <= {"GMP_IMAGE_URI", *cloud_env_keys()}


def test_rendered_template_is_a_valid_ecs_pool_template(rendered: dict) -> None:
    assert "${" not in json.dumps(rendered)
    # What the Prefect API checks when the pool is created or updated...
    WorkPoolCreate(name="ecs", type="ecs", base_job_template=rendered)
    # ...and that every default conforms to its variable's schema.
    variables = rendered["variables"]
    defaults = {k: v["default"] for k, v in variables["properties"].items() if "default" in v}
    validate(defaults, variables, raise_on_error=True, preprocess=True, ignore_required=True)


def test_job_configuration_built_from_it_has_our_infrastructure(rendered: dict) -> None:
    config = asyncio.run(
        ECSJobConfiguration.from_template_and_values(rendered, {}, client=MagicMock())
    )
    assert config.cluster == EXPECTED_ENV["GMP_ECS_CLUSTER"]
    assert config.vpc_id == EXPECTED_ENV["GMP_VPC_ID"]
    assert config.network_configuration == {
        "subnets": SUBNETS,
        "securityGroups": [EXPECTED_ENV["GMP_SECURITY_GROUP_ID"]],
        "assignPublicIp": "DISABLED",
    }
    assert config.execution_role_arn == EXPECTED_ENV["GMP_EXECUTION_ROLE_ARN"]
    assert config.task_run_request["overrides"]["taskRoleArn"] == EXPECTED_ENV["GMP_TASK_ROLE_ARN"]
    assert config.task_run_request["launchType"] == "FARGATE"
    assert config.configure_cloudwatch_logs is True
    assert config.prefect_api_key_secret_arn == EXPECTED_ENV["GMP_PREFECT_SECRET_ARN"]
    (container,) = config.task_definition["containerDefinitions"]
    assert container["image"] == EXPECTED_ENV["GMP_IMAGE_URI"]
    assert container["name"] == EXPECTED_ENV["GMP_CONTAINER_NAME"]
    assert {"name": "LAKE_URL", "value": "s3://acme-game-lake"} in container["environment"]


def test_task_definition_injects_our_secrets_and_logs_to_our_group(rendered: dict) -> None:
    config = asyncio.run(
        ECSJobConfiguration.from_template_and_values(rendered, {}, client=MagicMock())
    )
    worker = ECSWorker(work_pool_name="ecs")
    flow_run = FlowRun(flow_id=uuid4(), name="daily-ecs-run", deployment_id=uuid4())
    task_definition = worker._prepare_task_definition(config, "eu-west-1", flow_run)
    (container,) = task_definition["containerDefinitions"]
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert secrets == {
        "RAWG_API_KEY": EXPECTED_ENV["GMP_RAWG_SECRET_ARN"],
        "PREFECT_API_KEY": EXPECTED_ENV["GMP_PREFECT_SECRET_ARN"],
        "SNOWFLAKE_PASSWORD": EXPECTED_ENV["GMP_SNOWFLAKE_SECRET_ARN"],
    }
    # Plain environment: the lake, the region and dbt's Snowflake connection (profiles.yml's
    # snowflake target), never a key or a password.
    assert {e["name"]: e["value"] for e in container["environment"]} == {
        "LAKE_URL": EXPECTED_ENV["GMP_LAKE_URL"],
        "AWS_REGION": EXPECTED_ENV["GMP_AWS_REGION"],
        "AWS_DEFAULT_REGION": EXPECTED_ENV["GMP_AWS_REGION"],
        "SNOWFLAKE_ACCOUNT": "ACME-GAMES",
        "SNOWFLAKE_USER": "DBT_SERVICE_USER",
        "SNOWFLAKE_ROLE": "TRANSFORMER",
        "SNOWFLAKE_WAREHOUSE": "GAME_MARKET_WH",
        "SNOWFLAKE_DATABASE": "GAME_MARKET",
    }
    assert container["logConfiguration"]["options"] == {
        "awslogs-create-group": "false",
        "awslogs-group": "/ecs/game-market-prod",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "flow-runs",
    }
    assert task_definition["executionRoleArn"] == EXPECTED_ENV["GMP_EXECUTION_ROLE_ARN"]
    assert task_definition["requiresCompatibilities"] == ["FARGATE"]
    assert (task_definition["cpu"], task_definition["memory"]) == ("1024", "2048")


def test_no_secret_value_in_the_template(tmp_path: Path) -> None:
    # Even with the keys in the environment file, only their ARNs reach the template.
    env = {
        **EXPECTED_ENV,
        "RAWG_API_KEY": "f0e1d2c3b4a5968778695a4b3c2d1e0f",
        "SNOWFLAKE_PASSWORD": "n0t-In-The-Template-9z8y",
    }
    assert render(tmp_path, env).returncode == 0
    text = (tmp_path / "rendered.json").read_text()
    assert "f0e1d2c3b4a5968778695a4b3c2d1e0f" not in text
    assert "n0t-In-The-Template-9z8y" not in text
    for source in (TEMPLATE.read_text(), text):
        for name in ("RAWG_API_KEY", "PREFECT_API_KEY", "SNOWFLAKE_PASSWORD"):
            for match in re.finditer(rf'"name": "{name}",\s*"(\w+)"', source):
                assert match.group(1) == "valueFrom"


def test_missing_values_are_named(tmp_path: Path) -> None:
    env = {k: v for k, v in EXPECTED_ENV.items() if k not in ("GMP_VPC_ID", "GMP_IMAGE_URI")}
    result = render(tmp_path, env)
    assert result.returncode == 1
    assert "no value for GMP_IMAGE_URI, GMP_VPC_ID" in result.stderr
    assert not (tmp_path / "rendered.json").exists()


def test_missing_env_file_says_to_run_build_and_push(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(RENDERER), "--env-file", str(tmp_path / "nope.env")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "run scripts/build_and_push.sh first" in result.stderr
