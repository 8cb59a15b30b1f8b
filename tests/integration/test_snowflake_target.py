"""The snowflake target: parsed and compiled, and run on fakesnow as far as fakesnow goes.

fakesnow cannot run three things, listed in docs/data-model.md: dbt unit tests and incremental runs
(both need temporary tables) and external tables (regular tables stand in for RAW's, and
their refresh succeeds without doing anything). The market report read from the fakesnow
marts, through the Snowflake connector, equals the one read from DuckDB's.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from game_market.endpoints import SCHEMAS
from game_market.report import MarketReport, build_report
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.built_days import copy_built_days
from tests.support.dbt_run import TRANSFORMS, run_dbt
from tests.support.layout import LAKE, WAREHOUSE

# Run as a module: as a script, its folder (tests/support, with a dbt.py) would shadow dbt.
EMULATOR = "tests.support.snowflake_emulator"
DATABASE = "GAME_MARKET"
ROOT = TRANSFORMS.parent
MARTS = [
    "dim_games",
    "dim_platforms",
    "fct_game_genres",
    "fct_game_developers",
    "fct_game_daily_snapshots",
    "agg_releases_monthly",
    "agg_publisher_leaderboard",
    "mart_report_periods",
    "mart_report_genres",
    "mart_report_platforms",
    "mart_report_releases",
]


@pytest.fixture
def snowflake_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SNOWFLAKE_ACCOUNT": "emulated",
        "SNOWFLAKE_USER": "dbt",
        "SNOWFLAKE_PASSWORD": "not-a-secret",
        "DBT_TARGET": "snowflake",
    }.items():
        monkeypatch.setenv(name, value)


def emulate(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", EMULATOR, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def dbt_args(tmp_path: Path, *command: str) -> list[str]:
    return [
        *command,
        "--project-dir",
        str(TRANSFORMS),
        "--profiles-dir",
        str(TRANSFORMS),
        "--target-path",
        str(tmp_path / "sf-target"),
        "--log-path",
        str(tmp_path / "sf-logs"),
    ]


def test_snowflake_target_parses_without_a_connection(snowflake_env: None, tmp_path: Path) -> None:
    # its own target folder: the worker's holds the partial parse of the DuckDB target's builds
    run_dbt(tmp_path, "parse", "--target", "snowflake", "--target-path", str(tmp_path / "sf"))


def test_snowflake_target_compiles_and_builds_on_fakesnow_like_duckdb(
    snowflake_env: None,
    sandbox_url: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The lake, and the DuckDB warehouse `dbt build` made of it: what the emulator must equal.
    copy_built_days(tmp_path_factory, sandbox_url, tmp_path)
    lake_dir = tmp_path / LAKE
    db_dir = tmp_path / "fakesnow"
    db_dir.mkdir()
    loaded = emulate("load", str(db_dir), str(lake_dir))
    assert loaded.returncode == 0, loaded.stderr[-3000:]

    compiled = emulate("dbt", str(db_dir), *dbt_args(tmp_path, "compile"))
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    fact = tmp_path / "sf-target/compiled/game_market/models/marts/fct_game_genres.sql"
    assert "lateral flatten(input => games.genres)" in fact.read_text()

    built = emulate(
        "dbt",
        str(db_dir),
        *dbt_args(tmp_path, "build", "--exclude-resource-type", "unit_test"),
        FAKESNOW_DEBUG="snowflake",  # every statement the connector ran, on stderr
    )
    assert built.returncode == 0, built.stdout[-4000:]
    # A plain `dbt build` refreshes every external table (on-run-start) before any model.
    first_model = built.stderr.lower().index("create or replace")
    for endpoint in SCHEMAS:
        refresh = f"alter external table {DATABASE}.RAW.{endpoint.upper()} refresh".lower()
        assert -1 < built.stderr.lower().find(refresh) < first_model, endpoint

    # The same SQL on DuckDB yields the same marts.
    warehouse = tmp_path / WAREHOUSE
    with (
        duckdb.connect(str(warehouse), read_only=True) as local,
        duckdb.connect(str(db_dir / "GAME_MARKET.db"), read_only=True) as emulated,
    ):
        for mart in MARTS:
            count = f"select count(*) from {{}}.{mart}"
            expected = local.execute(count.format("main")).fetchall()
            assert expected[0][0] > 0, mart
            assert emulated.execute(count.format("ANALYTICS")).fetchall() == expected, mart

    # The market report, read through the Snowflake connector, equals DuckDB's.
    pickled = tmp_path / "snowflake-report.pickle"
    reported = emulate("report", str(db_dir), str(pickled))
    assert reported.returncode == 0, reported.stderr[-4000:]
    from_snowflake: MarketReport = pickle.loads(pickled.read_bytes())
    from_duckdb = build_report(DuckDBWarehouse(warehouse))
    assert from_snowflake.warehouse == "snowflake emulated/GAME_MARKET.ANALYTICS"
    assert from_duckdb.games_seen_in_period > 0 and from_duckdb.top_genres
    assert any(from_duckdb.release_chart.totals) and from_duckdb.trending
    assert dataclasses.replace(from_snowflake, warehouse="") == dataclasses.replace(
        from_duckdb, warehouse=""
    )
