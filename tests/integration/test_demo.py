"""`gmp demo`, the README's first command: offline, no key, into ./data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_backfills_builds_and_reports_offline_without_a_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAWG_", "LAKE_", "DUCKDB"))}
    result = subprocess.run(
        [sys.executable, "-m", "gmp", "demo", "--days", "3", "--games", "600"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PREFECT_HOME": str(tmp_path / "prefect")},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "[1/3] Starting the offline RAWG sandbox" in out
    assert "[3/3] Done in" in out and "dbt build passed" in out
    assert "[3/3]" in out and "  [3/3] " in out  # the third of three days' progress line
    assert "Game market report for" in out and "Trending games" in out
    assert out.rstrip().endswith("HTML report: data/reports/market_report.html")
    assert "Traceback" not in result.stderr

    html = (tmp_path / "data/reports/market_report.html").read_text()
    assert "<svg" in html and "rawg.io" in html
    assert (tmp_path / "data/warehouse/game_market.duckdb").exists()
    assert any((tmp_path / "data/lake/raw/games").glob("dt=*/data.parquet"))
