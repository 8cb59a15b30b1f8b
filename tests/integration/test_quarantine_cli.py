"""Malformed API items met from the CLI: `gmp daily` as a fresh process against a sandbox
whose day pages carry items without a usable id and one page whose ``results`` is not a list.
The run completes; the bad items are set aside under ``quarantine/`` with their reasons and
counted in the manifest; every other row lands and reaches the marts; none of the bad ones do."""

from __future__ import annotations

import asyncio
from pathlib import Path

import duckdb
import httpx
import orjson
import polars as pl
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from game_market.lake import QUARANTINE_FILE
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.cli import harness_env, run_gmp
from tests.support.layout import LAKE, WAREHOUSE
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, crawl

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = "2026-01-16"


async def latest_artifact(key: str) -> str:
    async with get_client() as client:
        (artifact,) = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return str(artifact.data)


def test_malformed_items_are_quarantined_and_never_reach_the_marts(tmp_path: Path) -> None:
    config = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY)
    with running_sandbox(config) as clean:
        served = [g["id"] for g in crawl(httpx, f"{clean}/games", updated=f"{DAY},{DAY}")]
    withheld = served[40:80]  # page 2 of the day, whose results the bad sandbox withholds
    lake = tmp_path / LAKE  # gmp runs in tmp_path: the defaults of tests/support/layout.py
    bad = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, malformed_items=True)
    with running_sandbox(bad) as url:
        env = harness_env(
            tmp_path,
            RAWG_API_KEY=SECRET_KEY,
            RAWG_BASE_URL=url,
        )
        result = run_gmp("daily", "--date", DAY, "--detail-budget", "5", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    partition = lake / "raw" / "games" / f"dt={DAY}"
    landed = pl.read_parquet(partition / "data.parquet")["id"].to_list()
    assert sorted(landed) == sorted(set(served) - set(withheld))
    manifest = orjson.loads((partition / "_manifest.json").read_bytes())
    assert (manifest["rows"], manifest["quarantined"]) == (len(landed), 4)
    aside = pl.read_parquet(lake / "quarantine" / "games" / f"dt={DAY}" / QUARANTINE_FILE)
    assert sorted(aside["reason"]) == [
        "id is not an integer (str)",
        "item is not an object",
        "missing id",
        "results is not a list",
    ]
    assert manifest["quarantine_reasons"] == {reason: 1 for reason in aside["reason"]}
    # The run's ingest artifact counts them: the latest of its key is this run's (this
    # worker's tests run one at a time).
    assert "**Quarantined: 4**" in asyncio.run(latest_artifact(f"ingest-all-{DAY}"))
    assert manifest["gap"] == len(withheld) - 3  # reported, not silent

    with duckdb.connect(str(tmp_path / WAREHOUSE), read_only=True) as db:
        marts = db.execute(
            f"select game_id from fct_game_daily_snapshots where dt = date '{DAY}'"
        ).fetchall()
        text_ids = db.execute("select count(*) from dim_games where game_id is null").fetchone()
    assert sorted(game_id for (game_id,) in marts) == sorted(landed)
    assert text_ids == (0,)
