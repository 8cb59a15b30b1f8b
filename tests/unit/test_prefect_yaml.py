"""prefect.yaml: which warehouse each deployment builds, and parameters its flow accepts."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools import validate

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENTS = {
    d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
}
# The deployments whose flows end in a dbt build.
BUILDS = {"daily": "daily-ecs", "backfill": "backfill-ecs"}


def flow_of(deployment: dict[str, Any]) -> Any:
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def test_deployments_are_what_the_tests_expect() -> None:
    assert set(DEPLOYMENTS) == {
        "daily",
        "backfill",
        "ingest-day",
        "daily-ecs",
        "backfill-ecs",
        "ingest-day-ecs",
    }


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
