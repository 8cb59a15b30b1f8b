"""What the dbt subflow gives dbt renders the project as `make transform` does from the same
settings, so that the two read back one partial parse instead of parsing the whole project
again whenever a user switches between them (tests/integration/test_market_flows.py runs both)."""

from __future__ import annotations

import pytest

from flows.dbt_nodes import parse_args
from flows.transform import build_args, dbt_environment
from game_market.settings import load_settings


def test_the_profiles_own_target_is_not_named_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET", "snowflake")  # a shell's leftover would pick Snowflake
    monkeypatch.setenv("DBT_ENGINE_TARGET", "snowflake")
    values = dbt_environment(load_settings(), "duckdb")
    assert values["DBT_TARGET"] is None and values["DBT_ENGINE_TARGET"] is None
    assert "--target" not in build_args("duckdb", None, False, {})
    args = build_args("snowflake", None, False, {})
    assert args[args.index("--target") + 1] == "snowflake"


def test_the_default_lake_is_left_to_the_sources_default_unless_the_environment_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert dbt_environment(load_settings(), "duckdb")["LAKE_URL"] is None
    assert dbt_environment(load_settings(lake_url="lake"), "duckdb")["LAKE_URL"] == "lake"
    monkeypatch.setenv("LAKE_URL", "./data/lake")  # set: dbt records it as set
    assert dbt_environment(load_settings(), "duckdb")["LAKE_URL"] == "./data/lake"


def test_the_node_task_build_parses_the_project_its_build_reads_back() -> None:
    # flows/dbt_nodes.py parses first (prefect-dbt's runner needs the manifest): with the
    # build's target and vars, or the build would parse the whole project again.
    build = build_args("snowflake", "dim_games+", True, {"trending_top_n": 100})
    parse = parse_args(build)
    assert parse[:2] == ["parse", "--quiet"]
    assert parse[parse.index("--target") + 1] == "snowflake"
    assert parse[parse.index("--vars") + 1] == '{"trending_top_n": 100}'
    assert parse[parse.index("--project-dir") + 1] == build[build.index("--project-dir") + 1]
    assert "--select" not in parse and "--full-refresh" not in parse
    assert "--target" not in parse_args(build_args("duckdb", None, False, {}))
