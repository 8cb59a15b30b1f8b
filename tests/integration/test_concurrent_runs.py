"""Two `gmp daily` processes for the same date, started together on one lake and one DuckDB
file: both complete, every partition is one run's whole (its data and manifest agree), and the
warehouse opens cleanly with the marts of that lake (their dbt builds took turns)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from game_market.endpoints import of_a_day
from game_market.lake import DATA_FILE, MANIFEST_METADATA_KEY, Lake, Manifest
from tests.support.cli import isolated_env, stopping_local_server
from tests.support.layout import LAKE, WAREHOUSE
from tests.support.sandbox import SECRET_KEY

DAY = date(2026, 1, 17)


def test_two_daily_runs_of_one_date_never_mix_a_partition(tmp_path: Path, sandbox_url: str) -> None:
    env = isolated_env(
        tmp_path,
        RAWG_API_KEY=SECRET_KEY,
        RAWG_BASE_URL=sandbox_url,
    )
    command = [sys.executable, "-m", "gmp", "daily", "--date", str(DAY), "--detail-budget", "5"]
    # Each run's output goes to a file: a pipe read one run after the other would fill up
    # while its run holds the warehouse the other waits for, and neither would end.
    logs = [tmp_path / f"run-{n}.log" for n in range(2)]
    with stopping_local_server(env, tmp_path):
        runs = []
        for log in logs:
            with log.open("w") as out:
                runs.append(
                    subprocess.Popen(
                        command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                )
        for run in runs:
            run.wait(timeout=600)
    outputs = [log.read_text() for log in logs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)

    lake = Lake(str(tmp_path / LAKE))
    games = None
    for endpoint in of_a_day():
        manifest = lake.read_manifest(endpoint, DAY)
        assert manifest is not None, endpoint
        path = Path(lake.partition_dir(endpoint, DAY)) / DATA_FILE
        inside = Manifest.from_json(pl.read_parquet_metadata(path)[MANIFEST_METADATA_KEY].encode())
        rows = pl.read_parquet(path)
        assert inside == manifest, endpoint
        assert set(rows["_run_id"]) <= {manifest.run_id}, endpoint
        assert rows.height == manifest.rows == rows["id"].n_unique(), endpoint
        if endpoint == "games":
            games = rows
    assert games is not None
    with duckdb.connect(str(tmp_path / WAREHOUSE), read_only=True) as db:
        marts = db.execute(
            f"select game_id from fct_game_daily_snapshots where dt = date '{DAY}'"
        ).fetchall()
    assert sorted(game_id for (game_id,) in marts) == sorted(games["id"])
