"""The daily benchmark's ways without the flow, on the shared sandbox: the original pipeline's
sequential fetching lands the same rows as the core ingest, with the same requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from game_market.endpoints import of_a_day
from game_market.lake import Lake
from tests.support.sandbox import SECRET_KEY, reset_sandbox, sandbox_stats

REPO = Path(__file__).resolve().parents[2]
DAY = "2026-01-18"


def land(way: str, lake: Path, sandbox_url: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RAWG_BASE_URL": sandbox_url,
        "RAWG_API_KEY": SECRET_KEY,
        "LAKE_URL": str(lake),
    }
    command = [sys.executable, "-m", "benchmarks.daily_ways", way, DAY]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sequential_lands_what_the_core_ingest_lands(sandbox_url: str, tmp_path: Path) -> None:
    landed = {}
    for way in ("bare", "sequential"):
        reset_sandbox(sandbox_url)
        result = land(way, tmp_path / way, sandbox_url)
        assert result["requests"] == sandbox_stats(sandbox_url)["requests"] > 0
        landed[way] = result["requests"], Lake(str(tmp_path / way))
    assert landed["bare"][0] == landed["sequential"][0]
    bare, sequential = landed["bare"][1], landed["sequential"][1]
    day = bare.partitions("games")[0]
    assert str(day) == DAY
    for endpoint in of_a_day():
        ours = bare.read_partition(endpoint, day).sort("id")
        theirs = sequential.read_partition(endpoint, day).sort("id")
        assert ours.height > 0, endpoint
        drop = ["_ingested_at", "_run_id"]
        assert ours.drop(drop).equals(theirs.drop(drop)), endpoint
