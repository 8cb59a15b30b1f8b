"""scripts/install_test_tools.sh against stub commands: apt installs the programs the tests
call (Chromium, shellcheck, docker-compose) only where they are missing, in one call; without
apt or root it names the command and leaves the tests that need them to skip."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.hcl import REPO

SCRIPT = REPO / "scripts" / "install_test_tools.sh"
TOOLS = ("chromium", "shellcheck", "docker-compose")


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


def test_apt_installs_what_is_missing_in_one_call(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    stub(tmp_path, "shellcheck", "exit 0")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq chromium docker-compose"]


def test_nothing_to_do_when_every_program_is_there(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    stub(tmp_path, "chromium-browser", "exit 0")  # the other name Chromium goes by
    for tool in TOOLS[1:]:
        stub(tmp_path, tool, "exit 0")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert (result.returncode, calls, result.stdout) == (0, [], "")


def test_without_root_or_sudo_it_names_the_command(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 1000")
    stub(tmp_path, "sudo", "exit 1")
    stub(tmp_path, "apt-get", f'echo "apt-get $*" >> {tmp_path}/calls')
    result, calls = run(tmp_path)
    assert (result.returncode, calls) == (0, [])
    assert "sudo apt-get install chromium shellcheck docker-compose" in result.stdout


def test_with_passwordless_sudo_it_installs_through_sudo(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 1000")
    stub(tmp_path, "sudo", f'echo "sudo $*" >> {tmp_path}/calls; shift; "$@"')
    stub(tmp_path, "chromium", "exit 0")
    stub(tmp_path, "docker-compose", "exit 0")
    stub(tmp_path, "true", "exit 0")
    stub(tmp_path, "apt-get", "exit 0")
    result, calls = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert calls == [
        "sudo -n true",
        "sudo -n apt-get update -qq",
        "sudo -n apt-get install -y -qq shellcheck",
    ]


def test_without_apt_it_says_the_tests_skip(tmp_path: Path) -> None:
    stub(tmp_path, "id", "echo 0")
    result, _ = run(tmp_path)
    assert result.returncode == 0
    assert "install chromium shellcheck docker-compose yourself" in result.stdout
