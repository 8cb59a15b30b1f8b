from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from game_market.cli import build_parser, main


@pytest.mark.parametrize(
    "command", ["ingest", "ingest-all", "daily", "backfill", "report", "demo", "sandbox"]
)
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game_market.cli", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "usage: gmp" in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["ingest", "--endpoint", "games", "--date", "2026-13-01"],
            "--date must be a calendar date like 2026-01-05, not '2026-13-01'.",
        ),
        (
            ["ingest-all", "--date", "yesterday"],
            "--date must be a calendar date like 2026-01-05, not 'yesterday'.",
        ),
        (
            ["ingest-all", "--date", "2026-01-05", "--end", "2026-01-01"],
            "--end 2026-01-01 is before --date 2026-01-05: give the earlier date first.",
        ),
        (
            ["backfill", "--start", "2026-01-05", "--end", "2026-01-01"],
            "--end 2026-01-01 is before --start 2026-01-05: give the earlier date first.",
        ),
        (
            ["daily", "--date", "2026-02-30"],
            "--date must be a calendar date like 2026-01-05, not '2026-02-30'.",
        ),
    ],
)
def test_bad_dates_are_one_clear_line(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().err.strip() == f"error: {message}"


def test_future_date_is_refused(capsys) -> None:
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    assert main(["ingest-all", "--date", tomorrow]) == 1
    assert "is in the future" in capsys.readouterr().err


def test_missing_key_is_one_line_without_traceback(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game_market.cli", "ingest-all", "--date", "2026-01-05"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PREFECT_HOME": str(tmp_path / "ph"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        },
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: RAWG_API_KEY is not set")


def test_unknown_endpoint_is_rejected_by_argparse(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ingest", "--endpoint", "stores", "--date", "2026-01-05"])
    assert "invalid choice: 'stores'" in capsys.readouterr().err


def test_report_without_a_warehouse_names_the_commands_that_fill_it(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "nowhere.duckdb"))
    assert main(["report"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: No warehouse at ")
    assert "make demo" in err and "gmp daily" in err and "gmp backfill" in err
    assert len(err.splitlines()) == 1
