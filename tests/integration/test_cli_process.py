"""`gmp` as a fresh process, the way a user meets it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from rawg_simulator import free_port
from tests.support.cli import isolated_env, run_gmp, stopping_local_server
from tests.support.sandbox import SECRET_KEY

DAY = "2026-01-12"
# A second command, run the way the console script runs it, then what it had imported.
IMPORTS_PROBE = """
import json, sys
from gmp.main import main
code = main(sys.argv[1:])
heavy = ("dbt", "prefect_dbt", "prefect.server.api.server", "altair", "vl_convert")
print(json.dumps({"code": code, "imported": [m for m in heavy if m in sys.modules]}))
"""


def test_missing_key_is_one_line_without_traceback(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gmp", "ingest-all", "--date", "2026-01-05"],
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


def test_a_backfill_over_three_years_is_refused_before_anything_starts(
    tmp_path: Path, sandbox_url: str
) -> None:
    env = ingest_env(tmp_path, sandbox_url)
    result = run_gmp(
        "backfill", "--start", "2020-01-01", "--end", "2024-01-01", env=env, cwd=tmp_path
    )

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: 2020-01-01..2024-01-01 is 1,462 days, over 3 years: at ~120 RAWG requests a day "
        "that is ~175,440 requests, against 20,000 a month on the free tier; pass "
        "confirm_long_range=true (gmp: --confirm-long-range) to run it."
    ]
    assert not (tmp_path / "prefect").exists()  # no Prefect server was started for it


def test_a_dotenv_line_it_cannot_read_is_one_sentence_before_anything_starts(
    tmp_path: Path, sandbox_url: str
) -> None:
    (tmp_path / ".env").write_text("RAWG_MAX_CONCURRENCY=4\nRAWG_API_KEY abc123\n")
    result = run_gmp(
        "ingest-all", "--date", "2026-01-12", env=ingest_env(tmp_path, sandbox_url), cwd=tmp_path
    )

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: Line 2 of .env is not NAME=value: fix or remove it (see .env.example)."
    ]
    assert "abc123" not in result.stderr
    assert not (tmp_path / "prefect").exists()  # no Prefect server was started for it


def ingest_env(tmp_path: Path, sandbox_url: str, **extra: str) -> dict[str, str]:
    return isolated_env(
        tmp_path,
        RAWG_API_KEY=SECRET_KEY,
        RAWG_BASE_URL=sandbox_url,
        LAKE_URL=str(tmp_path / "lake"),
        **extra,
    )


def test_commands_share_one_local_server_and_import_only_what_they_run(
    tmp_path: Path, sandbox_url: str
) -> None:
    env = ingest_env(tmp_path, sandbox_url)
    api = f"http://127.0.0.1:{env['PREFECT_SERVER_API_PORT']}/api"
    pid_file = tmp_path / "prefect" / "gmp-server.pid"
    with stopping_local_server(env, tmp_path):
        # Two commands at once, no server yet: one of them starts it, both use it.
        together = [
            subprocess.Popen(
                [sys.executable, "-m", "gmp", "ingest-all", "--date", DAY],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
                env={**env, "LAKE_URL": str(tmp_path / f"lake-{n}")},
            )
            for n in range(2)
        ]
        errors = [command.communicate(timeout=300)[1] for command in together]
        assert [command.returncode for command in together] == [0, 0], errors
        assert sum("Starting a local Prefect server" in e for e in errors) == 1, errors
        server_pid = pid_file.read_text()

        later = subprocess.run(
            [sys.executable, "-c", IMPORTS_PROBE, "ingest-all", "--date", DAY],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )
        assert later.returncode == 0, later.stderr[-3000:]
        assert json.loads(later.stdout.splitlines()[-1]) == {"code": 0, "imported": []}
        assert "Starting a local Prefect server" not in later.stderr
        assert pid_file.read_text() == server_pid

        # Every run is in the server's API, and so in its UI.
        runs = httpx.post(
            f"{api}/flow_runs/filter",
            json={"flow_runs": {"name": {"any_": [f"ingest-all-{DAY}"]}}},
        ).json()
        assert [run["state_type"] for run in runs] == ["COMPLETED"] * 3

        stopped = run_gmp("server", "stop", env=env, cwd=tmp_path)
        assert stopped.stdout.strip() == f"Stopped the local Prefect server (pid {server_pid})."
    assert not pid_file.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api}/health")


def test_an_unreachable_prefect_api_url_is_one_line_naming_the_fix(
    tmp_path: Path, sandbox_url: str
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/api"
    env = ingest_env(tmp_path, sandbox_url, PREFECT_API_URL=nowhere)
    result = run_gmp("ingest-all", "--date", DAY, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: No Prefect server answers at PREFECT_API_URL={nowhere}")
    assert "unset PREFECT_API_URL" in last
    assert not (tmp_path / "prefect" / "gmp-server.pid").exists()


def test_a_port_taken_by_another_program_is_one_line_naming_the_fix(
    tmp_path: Path, sandbox_url: str
) -> None:
    taken = str(urlparse(sandbox_url).port)
    env = ingest_env(tmp_path, sandbox_url, PREFECT_SERVER_API_PORT=taken)
    result = run_gmp("ingest-all", "--date", DAY, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: Port {taken} answers, but not as a Prefect server: stop what listens there "
        f"or set PREFECT_SERVER_API_PORT to a free port for gmp's local Prefect server."
    )
