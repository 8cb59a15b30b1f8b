"""README.md's commands, as written: the ```bash blocks of "Quick start" and "With your RAWG
key", run in order with bash on a copy of the repository, the RAWG sandbox standing in for RAWG.

What differs from a user's terminal, and why:
- ``RAWG_BASE_URL`` names the sandbox, which accepts only the key the test writes into `.env`
  on the README's ``RAWG_API_KEY=`` line right after the block that copies `.env.example`, as
  the README tells the user to do by hand. The sandbox's "today" is the real UTC today, since
  the README's dates come from ``date -u``. After ``make demo`` the test checks that the demo
  wrote its HTML report (the key steps start the lake afresh).
- The commands of ``tests.support.readme.EXCEPTIONS`` are not run (``make test`` is this suite,
  ``sudo apt install ...`` needs root); the extractor fails when one is no longer there.
- Prefect has its own home and server port (``isolated_env``), and the local server the
  commands start is shut down afterwards.
- The copy links the repository's `.venv` (and `.tools`, the uv ``make`` fetched) and keeps
  the files' times, so ``make env`` and ``make demo`` find the environment up to date, as
  after a user's first ``make``, with no download. ``UV_NO_SYNC=1``: ``uv run`` would
  otherwise reinstall the project from the copy into that shared `.venv`. The environment's
  project is installed editable from the repository, whose files the copy holds unchanged.

All blocks run in one ``bash -euo pipefail`` process, in order: that is a user's terminal, in
which ``. .venv/bin/activate`` holds for every later block and nothing else carries over.
Each block is framed by markers (``tests.support.readme.terminal_script``), so the block that
failed, and what it printed, is named.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from game_market import ATTRIBUTION
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.cli import isolated_env, stopping_local_server
from tests.support.readme import MARK, block_output, steps, terminal_script
from tests.support.sandbox import SECRET_KEY

REPO = Path(__file__).resolve().parents[2]
# The 14-day backfill asks for every game updated each day, 40 a page, and up to 50 details
# a day: a small catalogue keeps the whole run within minutes on 2 cores.
SANDBOX_GAMES = 600
# What the test adds after the block with each line: the check that the demo wrote its page
# (the key steps delete ./data), and the key the README tells the user to put in .env by hand.
AFTER = {
    "make demo": "test -s data/reports/market_report.html\n",
    "cp .env.example .env": (
        "grep -qx 'RAWG_API_KEY=' .env\n"
        f"sed -i 's/^RAWG_API_KEY=$/RAWG_API_KEY={SECRET_KEY}/' .env\n"
    ),
}


@pytest.fixture
def rawg_url() -> Iterator[str]:
    config = SandboxConfig(
        games=SANDBOX_GAMES,
        seed=29,
        today=datetime.now(UTC).date(),
        valid_keys=frozenset({SECRET_KEY}),
    )
    with running_sandbox(config) as url:
        yield url


def copy_of_the_repository(folder: Path) -> Path:
    """The working tree's files (tracked, and new ones not ignored), with their times, and
    links to the repository's `.venv` and `.tools`."""
    synced = REPO / ".venv" / ".synced"
    if not synced.exists() or any(
        (REPO / name).stat().st_mtime > synced.stat().st_mtime
        for name in ("pyproject.toml", "uv.lock")
    ):
        pytest.fail("The .venv is older than uv.lock: run `make env`, then this test again.")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # not a file deleted from the working tree
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(REPO / ".venv")
    if (REPO / ".tools").exists():
        (folder / ".tools").symlink_to(REPO / ".tools")
    return folder


def terminal_env(tmp_path: Path, rawg_url: str) -> dict[str, str]:
    """A new terminal's: no virtualenv active, no make around it, Prefect on its own."""
    env = isolated_env(tmp_path, RAWG_BASE_URL=rawg_url, UV_NO_SYNC="1")
    for name in ("VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(name, None)
    venv_bin = (REPO / ".venv" / "bin").resolve()
    path = env["PATH"].split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in path if p and Path(p).resolve() != venv_bin)
    return env


def test_the_readme_commands_run_as_written_and_the_report_appears(
    tmp_path: Path, rawg_url: str
) -> None:
    blocks = steps((REPO / "README.md").read_text())
    script = terminal_script(blocks, AFTER)
    copy = copy_of_the_repository(tmp_path / "repository")
    env = terminal_env(tmp_path, rawg_url)
    with stopping_local_server(env, copy):
        terminal = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=copy,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=540,
        )
    output = terminal.stdout
    (tmp_path / "terminal.log").write_text(output)  # kept with the test's tmp_path
    ended = [n for n in (b.number for b in blocks) if f"{MARK} {n} exit 0\n" not in output]
    assert terminal.returncode == 0 and not ended, (
        f"README block {ended[:1]} exited {terminal.returncode}:\n{output[-6000:]}"
    )
    key_blocks = [b for b in blocks if b.section == "With your RAWG key"]
    backfill = next(
        block_output(output, b.number) for b in key_blocks if "gmp backfill " in b.commands
    )
    # The key's backfill lands its 13 days from RAWG, not the demo's days already in the lake
    # (`gmp daily` lands the 14th).
    landed = re.search(r"Backfill \S+: (\d+) dates done, ([\d,]+) RAWG requests\.", backfill)
    assert landed and int(landed[1]) == 13 and int(landed[2].replace(",", "")) > 14, backfill
    # `gmp report` is the last command of its block: what the block printed last is its report.
    report = next(block_output(output, b.number) for b in key_blocks if "gmp report" in b.commands)
    assert "Game market report for " in report and report.rstrip().endswith(ATTRIBUTION), report
    assert SECRET_KEY not in output
