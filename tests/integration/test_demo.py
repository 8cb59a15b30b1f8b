"""`gmp demo`, the README's first command: offline, no key, into ./data."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import isolated_env, run_gmp, stopping_local_server


def test_demo_backfills_builds_and_reports_offline_without_a_key(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    with stopping_local_server(env, tmp_path):
        result = run_gmp(
            "demo", "--days", "3", "--games", "600", env=env, cwd=tmp_path, timeout=600
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "[1/3] Starting the offline RAWG sandbox" in out
    assert "[3/3] Done in" in out and "dbt build passed" in out
    assert "[3/3]" in out and "  [3/3] " in out  # the third of three days' progress line
    assert "Game market report for" in out and "Trending games" in out
    assert out.rstrip().endswith("HTML report: data/reports/market_report.html")
    assert "Traceback" not in result.stderr
    assert "Starting a local Prefect server" in result.stderr

    html = (tmp_path / "data/reports/market_report.html").read_text()
    assert "<svg" in html and "rawg.io" in html
    assert (tmp_path / "data/warehouse/game_market.duckdb").exists()
    assert any((tmp_path / "data/lake/raw/games").glob("dt=*/data.parquet"))
