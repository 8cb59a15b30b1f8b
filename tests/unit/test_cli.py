from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gmp.main import build_parser, main


@pytest.mark.parametrize(
    "command",
    ["ingest", "ingest-all", "daily", "backfill", "report", "demo", "doctor", "server", "sandbox"],
)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: gmp {command}" in capsys.readouterr().out


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
