"""Structural checks of infra/snowflake, and the external tables against the lake schema."""

from __future__ import annotations

import json
import re

import pytest

from game_market.endpoints import SCHEMAS
from game_market.exports import snowflake_type
from game_market.schema import META_COLUMNS
from tests.support.hcl import as_list, load_root

SNOWFLAKE = load_root("snowflake")
RESOURCES = SNOWFLAKE.resources()
VARIABLES = SNOWFLAKE.named("variable")
LOCALS = SNOWFLAKE.locals()
TABLE = RESOURCES[("snowflake_external_table", "lake")]

LAKE_COLUMNS = json.loads((SNOWFLAKE.path / "lake_columns.json").read_text())


def hcl_columns(endpoint: str) -> list[tuple[str, str]]:
    """The columns the external table of `endpoint` declares from `value:` (dt, filename aside)."""
    typed = LAKE_COLUMNS["endpoint_columns"][endpoint]
    return [(c["name"], c["type"]) for c in [*typed, *LAKE_COLUMNS["meta_columns"]]]


def test_provider_is_pinned_and_enables_the_preview_resources() -> None:
    (terraform,) = SNOWFLAKE.blocks["terraform"]
    (providers,) = terraform["required_providers"]
    assert providers["snowflake"]["source"] == "snowflakedb/snowflake"
    assert re.fullmatch(r"~> 2\.\d+", providers["snowflake"]["version"])
    assert terraform["backend"] == [{"s3": {}}]
    (provider,) = SNOWFLAKE.blocks["provider"]
    enabled = set(provider["snowflake"]["preview_features_enabled"])
    used = {rtype for rtype, _ in RESOURCES}
    for preview in (
        "snowflake_storage_integration",
        "snowflake_file_format",
        "snowflake_stage",
        "snowflake_external_table",
    ):
        assert preview in used
        assert f"{preview}_resource" in enabled
    # No credential in the configuration: the provider reads SNOWFLAKE_* variables.
    assert set(provider["snowflake"]) == {"preview_features_enabled"}


def test_every_referenced_variable_is_declared_with_type_description_and_validation() -> None:
    assert SNOWFLAKE.referenced_variables() == set(VARIABLES)
    for name, body in VARIABLES.items():
        assert body.get("type"), name
        assert len(body.get("description", "")) > 10, name
        assert as_list(body.get("validation", [])), f"variable {name} has no validation"
    for name, body in SNOWFLAKE.named("output").items():
        assert len(body.get("description", "")) > 10, f"output {name} has no description"


def test_names_the_dbt_project_relies_on() -> None:
    assert VARIABLES["database_name"]["default"] == "GAME_MARKET"
    assert VARIABLES["warehouse_name"]["default"] == "GAME_MARKET_WH"
    assert VARIABLES["transformer_role_name"]["default"] == "TRANSFORMER"
    assert LOCALS["raw_schema"] == "RAW"
    assert LOCALS["analytics_schema"] == "ANALYTICS"
    assert RESOURCES[("snowflake_schema", "raw")]["name"] == "${local.raw_schema}"
    assert RESOURCES[("snowflake_schema", "analytics")]["name"] == "${local.analytics_schema}"
    assert RESOURCES[("snowflake_stage", "lake")]["name"] == "LAKE_STAGE"
    assert RESOURCES[("snowflake_file_format", "parquet")]["name"] == "PARQUET_FORMAT"
    assert TABLE["name"] == "${upper(each.key)}"


def test_warehouse_auto_suspends_after_60_seconds() -> None:
    warehouse = RESOURCES[("snowflake_warehouse", "transform")]
    assert warehouse["auto_suspend"] == "${var.warehouse_auto_suspend_seconds}"
    assert VARIABLES["warehouse_auto_suspend_seconds"]["default"] == 60
    assert warehouse["auto_resume"] == "true"


def test_lake_access_goes_through_the_storage_integration() -> None:
    integration = RESOURCES[("snowflake_storage_integration", "lake")]
    assert integration["storage_provider"] == "S3"
    assert integration["storage_aws_role_arn"] == "${var.storage_aws_role_arn}"
    assert integration["storage_allowed_locations"] == ["s3://${var.lake_bucket_name}/raw/"]
    stage = RESOURCES[("snowflake_stage", "lake")]
    assert stage["url"] == "s3://${var.lake_bucket_name}/raw/"
    assert stage["storage_integration"] == "${snowflake_storage_integration.lake.name}"
    assert RESOURCES[("snowflake_file_format", "parquet")]["format_type"] == "PARQUET"
    outputs = SNOWFLAKE.named("output")
    assert (
        "storage_integration.lake.storage_aws_iam_user_arn"
        in outputs["storage_aws_iam_user_arn"]["value"]
    )
    assert (
        "storage_integration.lake.storage_aws_external_id"
        in outputs["storage_aws_external_id"]["value"]
    )


def test_one_external_table_per_endpoint_partitioned_by_dt() -> None:
    assert TABLE["for_each"] == "${local.external_table_columns}"
    assert LOCALS["external_table_columns"] == (
        "${{for endpoint, columns in local.endpoint_columns : "
        "endpoint => concat(columns, local.meta_columns)}}"
    )
    assert set(LAKE_COLUMNS["endpoint_columns"]) == set(SCHEMAS)
    assert TABLE["location"] == "@${snowflake_stage.lake.fully_qualified_name}/${each.key}/"
    assert TABLE["pattern"] == ".*data[.]parquet"
    assert re.fullmatch(r".*data[.]parquet", "raw/games/dt=2026-01-05/data.parquet")
    assert not re.fullmatch(r".*data[.]parquet", "raw/games/dt=2026-01-05/_manifest.json")
    assert TABLE["auto_refresh"] is False
    assert TABLE["partition_by"] == ["dt"]
    dt, filename = TABLE["column"]
    assert dt == {
        "name": "dt",
        "type": "DATE",
        "as": "(to_date(split_part(split_part(metadata$filename, 'dt=', 2), '/', 1)))",
    }
    assert filename == {"name": "filename", "type": "VARCHAR", "as": "(metadata$filename)"}


def test_lake_columns_are_derived_from_value() -> None:
    (dynamic,) = TABLE["dynamic"]
    assert dynamic["column"]["for_each"] == "${each.value}"
    (content,) = dynamic["column"]["content"]
    assert content == {
        "name": "${column.value.name}",
        "type": "${column.value.type}",
        "as": '(value:"${column.value.name}"::${column.value.type})',
    }


@pytest.mark.parametrize("endpoint", sorted(SCHEMAS))
def test_external_table_columns_match_the_lake_schema(endpoint: str) -> None:
    expected = [
        (name, snowflake_type(dtype)) for name, dtype in SCHEMAS[endpoint].polars_schema.items()
    ]
    assert hcl_columns(endpoint) == expected
    # Unquoted lower-case names (Snowflake upper-cases them): plain identifiers only.
    for name, _ in expected:
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), name


def test_meta_columns_are_every_tables_last_columns() -> None:
    assert [c["name"] for c in LAKE_COLUMNS["meta_columns"]] == list(META_COLUMNS)


def test_columns_come_from_the_generated_json() -> None:
    """columns.tf holds no column list of its own: the endpoint declarations are the source."""
    assert LOCALS["lake_columns"] == '${jsondecode(file("${path.module}/lake_columns.json"))}'
    assert LOCALS["endpoint_columns"] == "${local.lake_columns.endpoint_columns}"
    assert LOCALS["meta_columns"] == "${local.lake_columns.meta_columns}"


def test_refresh_story_is_documented_and_output() -> None:
    refresh = SNOWFLAKE.named("output")["refresh_statements"]["value"]
    assert "alter external table ${table.fully_qualified_name} refresh" in refresh
    readme = (SNOWFLAKE.path.parent / "README.md").read_text()
    assert "alter external table RAW.GAMES refresh" in readme
    assert "auto_refresh = false" in readme


def test_transformer_gets_what_dbt_needs_and_no_more() -> None:
    grants = {
        name: body
        for (rtype, name), body in RESOURCES.items()
        if rtype == "snowflake_grant_privileges_to_account_role"
    }
    for name, grant in grants.items():
        assert grant["account_role_name"] == "${snowflake_account_role.transformer.name}", name
        assert not grant.get("all_privileges"), name
        assert not grant.get("with_grant_option"), name
        assert not grant.get("on_account"), name
    privileges = {name: set(grant["privileges"]) for name, grant in grants.items()}
    assert privileges == {
        "warehouse_usage": {"USAGE"},
        "database_usage": {"USAGE"},
        "raw_usage": {"USAGE"},
        "stage_usage": {"USAGE"},
        "analytics_build": {"USAGE", "CREATE TABLE", "CREATE VIEW"},
    }
    assert grants["analytics_build"]["on_schema"][0]["schema_name"] == (
        "${snowflake_schema.analytics.fully_qualified_name}"
    )
    ownership = RESOURCES[("snowflake_grant_ownership", "external_tables")]
    assert ownership["for_each"] == "${snowflake_external_table.lake}"
    assert ownership["on"][0]["object_type"] == "EXTERNAL TABLE"
