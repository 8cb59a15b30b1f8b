"""scripts/install_chromium.sh against stub commands: apt installs Chromium only where it is
missing, and without apt or root it says so and leaves the tests to skip."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.hcl import REPO

SCRIPT = REPO / "scripts" / "install_chromium.sh"


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run(folder: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    log = folder / "calls"
    return result, log.read_text().splitlines() if log.exists() else []


def test_apt_installs_chromium_where_it_is_missing(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq chromium"]


def test_nothing_to_do_when_chromium_is_there(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    stub(tmp_path, "chromium", "exit 0")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert (result.returncode, calls, result.stdout) == (0, [], "")


def test_without_root_or_sudo_it_names_the_command(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 1000")
    stub(tmp_path, "sudo", "exit 1")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert (result.returncode, calls) == (0, [])
    assert "sudo apt-get install chromium" in result.stdout


def test_without_apt_it_says_the_browser_tests_skip(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    result, _ = run(tmp_path)
    assert result.returncode == 0 and "browser tests" in result.stdout
