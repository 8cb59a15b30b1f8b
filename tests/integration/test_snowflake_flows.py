"""The daily flow on the snowflake target (fakesnow): credentials from a SnowflakeCredentials
block, the market summary read through prefect-snowflake's SnowflakeConnector, and the secret
nowhere it could leak to. (A password from the SNOWFLAKE_* settings takes the same way into
dbt from flows.snowflake on: tests/unit/test_snowflake_credentials.py.)

fakesnow patches the Snowflake connector in this process, which both dbt-snowflake and
prefect-snowflake call; its RAW tables stand in for the external tables (see
tests/support/snowflake_emulator.py), loaded from the lake before the run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import fakesnow
import pytest
from prefect.client.orchestration import get_client
from prefect.logging.handlers import APILogHandler
from prefect.settings import PREFECT_API_URL
from prefect_snowflake import SnowflakeCredentials

from flows.daily import daily_game_market_update
from flows.transform import transform
from game_market.render.report_markdown import render_markdown
from game_market.report import build_report
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.built_days import copy_built_days
from tests.support.dbt_run import DAYS, TRANSFORMS
from tests.support.layout import LAKE, WAREHOUSE
from tests.support.prefect import run_details
from tests.support.sandbox import SECRET_KEY
from tests.support.snowflake_emulator import EXTERNAL_TABLE_REFRESH, load

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = DAYS[-1]
BLOCK = "game-market-snowflake-test"


class Landed:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lake = root / LAKE
        self.duckdb = root / WAREHOUSE


@pytest.fixture(scope="module")
def landed(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landed]:
    """The lake of DAYS, and the DuckDB warehouse a local run builds from it."""
    landed = Landed(tmp_path_factory.mktemp("snowflake-flows"))
    copy_built_days(tmp_path_factory, sandbox_url, landed.root)
    yield landed


async def everything_the_server_keeps() -> str:
    """Every log line and artifact of every run on the server, subflows' included."""
    await APILogHandler.aflush()
    async with get_client() as client:
        logs: list[str] = []
        while page := await client.read_logs(offset=len(logs)):
            logs += [log.message for log in page]
        artifacts = await client.read_artifacts()
    return "\n".join(logs + [str(artifact.data) for artifact in artifacts])


def files_holding(secret: str, *folders: Path) -> list[str]:
    needle = secret.encode()
    return [
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


def test_daily_on_snowflake_publishes_the_local_runs_summary_and_leaks_no_secret(
    landed: Landed,
    sandbox_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = f"sf-block-{uuid.uuid4().hex}"
    for name in [n for n in os.environ if n.startswith(("SNOWFLAKE_", "DBT_ENV_SECRET_"))]:
        monkeypatch.delenv(name)
    aws_secret = f"aws-{uuid.uuid4().hex}"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", aws_secret)
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("RAWG_BASE_URL", sandbox_url)
    monkeypatch.setenv("LAKE_URL", str(landed.lake))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt-target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt-logs"))
    SnowflakeCredentials(account="emulated", user="dbt", password=secret).save(
        BLOCK, overwrite=True
    )
    monkeypatch.setenv("SNOWFLAKE_CREDENTIALS_BLOCK", BLOCK)
    db_dir = tmp_path / "fakesnow"
    db_dir.mkdir()
    load(str(db_dir), str(landed.lake))

    with fakesnow.patch(db_path=str(db_dir), nop_regexes=[EXTERNAL_TABLE_REFRESH]):
        state = asyncio.run(
            daily_game_market_update(date=DAY, target="snowflake", return_state=True)
        )

    assert state.is_completed(), state.message
    markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    local = build_report(DuckDBWarehouse(landed.duckdb), DAY)
    # the summary a local run publishes, but for the warehouse it names
    summary = render_markdown(
        dataclasses.replace(local, warehouse="snowflake emulated/GAME_MARKET.ANALYTICS")
    )
    assert summary.strip() in markdown
    assert "rawg.io" in summary
    kept = asyncio.run(everything_the_server_keeps())
    assert "dbt build on snowflake" in kept and "Started a new connection to Snowflake" in kept
    for marker in (secret, SECRET_KEY, aws_secret):
        assert marker not in kept
        assert not files_holding(marker, TRANSFORMS, tmp_path, landed.root)
    # the build's secret variables left this process's environment with the build
    assert not [name for name in os.environ if name.startswith("DBT_ENV_SECRET_")]


def test_gmp_snowflake_block_saves_the_settings_and_a_missing_block_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"sf-cli-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "SNOWFLAKE_ACCOUNT": "xy12345",
        "SNOWFLAKE_USER": "dbt",
        "SNOWFLAKE_PASSWORD": secret,
    }

    def gmp_snowflake_block() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "gmp", "snowflake-block", "--name", "gm-cli-test"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert secret not in done.stdout + done.stderr
        return done.stdout

    assert "SnowflakeCredentials block 'gm-cli-test' created" in gmp_snowflake_block()
    assert "SnowflakeCredentials block 'gm-cli-test' updated" in gmp_snowflake_block()
    saved = SnowflakeCredentials.load("gm-cli-test")
    assert (saved.account, saved.user, saved.role) == ("xy12345", "dbt", "TRANSFORMER")
    assert saved.password is not None and saved.password.get_secret_value() == secret

    monkeypatch.setenv("SNOWFLAKE_CREDENTIALS_BLOCK", "no-such-block")
    state = transform(target="snowflake", return_state=True)
    assert state.is_failed()
    assert state.message == (
        "No SnowflakeCredentials block named 'no-such-block' on the Prefect server "
        "(SNOWFLAKE_CREDENTIALS_BLOCK): create it with `make snowflake-block` (from the "
        "SNOWFLAKE_* settings), or unset the setting to use SNOWFLAKE_* directly."
    )
