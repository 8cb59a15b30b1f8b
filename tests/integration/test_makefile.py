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
