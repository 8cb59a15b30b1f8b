"""prefect.yaml: which warehouse each deployment builds, and parameters its flow accepts."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools import validate

from tests.support.dockerfile import parse_dockerfile

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENTS = {
    d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
}
# The deployments whose flows end in a dbt build.
BUILDS = {
    "daily": "daily-ecs",
    "backfill": "backfill-ecs",
    "backfill-releases": "backfill-releases-ecs",
    "dbt-build": "dbt-build-ecs",
}


def flow_of(deployment: dict[str, Any]) -> Any:
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


LOCAL = ["daily", "backfill", "backfill-releases", "ingest-day", "dbt-build", "ingest-endpoint"]
# The image's working directory, where its code lives (the Dockerfile's last WORKDIR).
IMAGE_WORKDIR = parse_dockerfile((REPO / "Dockerfile").read_text())[-1].all("WORKDIR")[-1]


def test_deployments_are_what_the_tests_expect() -> None:
    assert set(DEPLOYMENTS) == {*LOCAL, *(f"{name}-ecs" for name in LOCAL)}


@pytest.mark.parametrize("name", LOCAL)
def test_each_local_deployment_has_its_ecs_twin(name: str) -> None:
    local, cloud = DEPLOYMENTS[name], DEPLOYMENTS[f"{name}-ecs"]
    assert local["entrypoint"] == cloud["entrypoint"]
    assert (local["work_pool"]["name"], cloud["work_pool"]["name"]) == ("local", "ecs")


def test_make_deploy_and_the_native_platform_deploy_every_local_deployment() -> None:
    makefile = (REPO / "Makefile").read_text()
    native = (REPO / "scripts" / "platform_native.sh").read_text()
    selectors = " ".join(f"-n {name}" for name in LOCAL)
    assert f"LOCAL_DEPLOYMENTS := {selectors}\n" in makefile
    assert f"readonly LOCAL_DEPLOYMENTS=({selectors})\n" in native


@pytest.mark.parametrize("name", sorted(n for n in DEPLOYMENTS if n.endswith("-ecs")))
def test_ecs_deployments_run_from_the_image_working_directory(name: str) -> None:
    # Declared, so `prefect deploy` in a terminal does not ask for it (and offer a wrong
    # default), and --no-prompt does not guess it.
    assert DEPLOYMENTS[name]["pull"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": IMAGE_WORKDIR}}
    ]


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_only_the_daily_deployments_carry_a_schedule_whose_step_names_them(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    if name not in ("daily", "daily-ecs"):
        # Declared empty: `prefect deploy` in a terminal asks nothing about schedules.
        assert "schedules" in deployment and deployment["schedules"] is None
        assert "build" not in deployment
        return
    assert deployment["schedules"] == [
        {"cron": "0 3 * * *", "timezone": "UTC", "active": "{{ daily-schedule.active }}"}
    ]
    assert deployment["build"] == [
        {
            "gmp.daily_schedule.daily_schedule": {
                "id": "daily-schedule",
                "flow": flow_of(deployment).name,
                "deployment": name,
            }
        }
    ]


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_every_parameter_is_the_flows_and_described_in_the_run_form(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    properties = parameter_schema(flow_of(deployment).fn).properties
    assert set(deployment.get("parameters") or {}) <= set(properties)
    undescribed = sorted(p for p, schema in properties.items() if not schema.get("description"))
    assert undescribed == [], f"{name}: describe them under Args: in the flow's docstring"


@pytest.mark.parametrize("name", sorted(BUILDS.values()))
def test_ecs_deployments_build_the_snowflake_warehouse(name: str) -> None:
    # An ECS task's disk is thrown away with it: a DuckDB warehouse there would be lost.
    deployment = DEPLOYMENTS[name]
    assert deployment["work_pool"]["name"] == "ecs"
    assert deployment["parameters"]["target"] == "snowflake"


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_local_deployments_build_duckdb(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    assert deployment["work_pool"]["name"] == "local"
    assert "target" not in (deployment.get("parameters") or {})
    # ...so they take the flow's default.
    assert parameter_schema(flow_of(deployment).fn).properties["target"]["default"] == "duckdb"


def test_backfill_ecs_keeps_the_backfill_parameters_but_fans_out_to_ecs_tasks() -> None:
    local, cloud = DEPLOYMENTS["backfill"]["parameters"], DEPLOYMENTS["backfill-ecs"]["parameters"]
    assert cloud == {
        **local,
        "target": "snowflake",
        "fan_out": "deployments",
        "fan_out_deployment": "ingest-all/ingest-day-ecs",
    }


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_parameters_are_valid_for_the_flow(name: str) -> None:
    deployment = DEPLOYMENTS[name]
    schema = parameter_schema(flow_of(deployment).fn).model_dump_for_openapi()
    validate(
        deployment.get("parameters") or {},
        schema,
        raise_on_error=True,
        preprocess=True,
        ignore_required=True,
    )
