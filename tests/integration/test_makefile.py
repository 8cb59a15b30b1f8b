"""Makefile targets that need no engine: run against stub commands in a scratch folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    shutil.copy(REPO / ".env.example", tmp_path / ".env.example")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    docker = stubs / "docker"  # no engine answers, as on this machine
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    docker.chmod(0o755)
    return tmp_path


def make(scratch: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{scratch / 'stubs'}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), *args],
        cwd=scratch,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_without_a_docker_engine_offers_start_native(scratch: Path) -> None:
    result = make(scratch, "start")
    assert result.returncode != 0
    assert (
        "No Docker engine answers here: run 'make start-native' for the same platform "
        "without Docker." in result.stdout
    )
    assert (scratch / ".env").read_text() == (scratch / ".env.example").read_text()
    for folder in ("postgres", "minio", "warehouse", "run"):
        assert (scratch / "data" / folder).is_dir(), folder


def test_clean_asks_first_and_force_skips_the_question(scratch: Path) -> None:
    (scratch / "data" / "lake").mkdir(parents=True)
    kept = make(scratch, "clean", stdin="n\n")
    assert "Kept ./data." in kept.stdout and (scratch / "data").exists()
    gone = make(scratch, "clean", "FORCE=1")
    assert "Deleted ./data." in gone.stdout and not (scratch / "data").exists()


def test_backfill_needs_both_dates(scratch: Path) -> None:
    result = make(scratch, "backfill", "START=2026-01-01", "-o", ".venv/.synced")
    assert result.returncode == 2
    assert "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD" in result.stdout


def test_env_compiles_the_bytecode_once_at_sync(scratch: Path) -> None:
    """With PYTHONDONTWRITEBYTECODE set, only a compiling sync spares every process compiling
    prefect and dbt again (docs/development.md)."""
    log = scratch / "uv.log"
    uv = scratch / "stubs" / "uv"
    uv.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    uv.chmod(0o755)
    for name in ("pyproject.toml", "uv.lock"):
        (scratch / name).touch()
    (scratch / ".venv").mkdir()
    result = make(scratch, "env")
    assert result.returncode == 0, result.stderr
    assert "sync --frozen --compile-bytecode" in log.read_text().splitlines()


def answering_docker(scratch: Path) -> Path:
    """A docker stub with an engine that answers: it logs each call and succeeds."""
    log = scratch / "docker.log"
    docker = scratch / "stubs" / "docker"
    docker.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit 0\n')
    return log


def test_start_offline_adds_the_sandbox_file_to_every_compose_call(scratch: Path) -> None:
    log = answering_docker(scratch)
    result = make(scratch, "start", "OFFLINE=1")
    assert result.returncode == 0, result.stdout + result.stderr
    compose = [c for c in log.read_text().splitlines() if c.startswith("compose -f")]
    assert compose[0] == (
        "compose -f docker-compose.yml -f docker-compose.offline.yml up -d --build --wait"
    )
    assert all("-f docker-compose.offline.yml" in call for call in compose), compose
    log.unlink()
    make(scratch, "start")
    online = [c for c in log.read_text().splitlines() if c.startswith("compose -f")]
    assert online[0] == "compose -f docker-compose.yml up -d --build --wait"
    # The pool and the limits in one process of the worker's image (gmp setup-platform).
    assert "compose -f docker-compose.yml exec -T worker gmp setup-platform --rawg-limit 8" in (
        online
    )
    assert not any("offline" in call for call in online)


def test_down_stops_the_sandbox_too_and_offline_takes_only_0_or_1(scratch: Path) -> None:
    log = answering_docker(scratch)
    make(scratch, "down")
    assert "compose -f docker-compose.yml -f docker-compose.offline.yml down" in log.read_text()
    result = make(scratch, "start", "OFFLINE=yes")
    assert result.returncode == 2
    assert "OFFLINE must be 0 or 1, not 'yes': OFFLINE=1 runs against the RAWG sandbox" in (
        result.stdout
    )


def test_start_native_passes_offline_to_the_script(scratch: Path) -> None:
    result = make(scratch, "-n", "start-native", "OFFLINE=1", "-o", ".venv/.synced")
    script = next(line for line in result.stdout.splitlines() if "platform_native.sh" in line)
    assert "OFFLINE=1 " in script and script.endswith("bash scripts/platform_native.sh start")
