"""The warehouse a target names: found by one lookup, configured from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import snowflake.connector  # here, not in a test: its import runs `uname -p` once

from flows.warehouse import warehouse_for
from game_market.errors import ConfigError, PipelineError
from game_market.settings import load_settings
from game_market.warehouse import TARGETS, WarehouseNotReady
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from game_market.warehouse.snowflake_account import SnowflakeWarehouse


def test_every_target_has_a_warehouse() -> None:
    settings = load_settings()

    assert TARGETS == ("duckdb", "snowflake")
    assert isinstance(warehouse_for("duckdb", settings), DuckDBWarehouse)
    snowflake = load_settings(snowflake_account="xy1", snowflake_user="u", snowflake_password="p")
    assert isinstance(warehouse_for("snowflake", snowflake), SnowflakeWarehouse)


def test_an_unknown_target_names_the_known_ones() -> None:
    with pytest.raises(PipelineError, match="use one of duckdb, snowflake"):
        warehouse_for("bigquery", load_settings())


def test_the_duckdb_warehouse_is_the_configured_file_and_prepare_makes_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "warehouse" / "w.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    warehouse = warehouse_for("duckdb", load_settings())

    warehouse.prepare()
    warehouse.release()  # nothing open: nothing to close

    assert warehouse.name == str(path)
    assert path.parent.is_dir() and not path.exists()


def test_the_snowflake_warehouse_reads_the_profile_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "SNOWFLAKE_ACCOUNT": "xy12345",
        "SNOWFLAKE_USER": "dbt",
        "SNOWFLAKE_PASSWORD": "hunter2",
        "SNOWFLAKE_DATABASE": "MARKET",
        "SNOWFLAKE_SCHEMA": "REPORTS",
    }.items():
        monkeypatch.setenv(name, value)

    warehouse = warehouse_for("snowflake", load_settings())

    assert isinstance(warehouse, SnowflakeWarehouse)
    assert (warehouse.database, warehouse.schema) == ("MARKET", "REPORTS")
    assert warehouse.name == "snowflake xy12345/MARKET.REPORTS"
    assert "hunter2" not in repr(warehouse)


def test_snowflake_without_credentials_names_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "xy12345")

    with pytest.raises(ConfigError) as raised:
        warehouse_for("snowflake", load_settings())

    message = str(raised.value)
    assert "SNOWFLAKE_USER and SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH)" in message
    assert "SNOWFLAKE_CREDENTIALS_BLOCK" in message and message.count(". ") == 0


def test_a_refused_snowflake_login_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise snowflake.connector.errors.DatabaseError(
            "Incorrect username or password was specified. More"
        )

    warehouse = SnowflakeWarehouse("xy1", "dbt", "GAME_MARKET", "ANALYTICS", connect=refuse)
    with pytest.raises(WarehouseNotReady) as raised, warehouse.reader():
        pass

    assert str(raised.value) == (
        "Cannot connect to Snowflake account xy1 as dbt (Incorrect username or password was "
        "specified): check the SNOWFLAKE_* settings or the SNOWFLAKE_CREDENTIALS_BLOCK block "
        "(see .env.example)."
    )


def test_a_snowflake_schema_must_be_a_plain_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNOWFLAKE_SCHEMA", "analytics; drop table x")

    with pytest.raises(PipelineError, match="SNOWFLAKE_SCHEMA"):
        load_settings()
