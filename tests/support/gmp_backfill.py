"""`gmp backfill` of three dates as fresh processes, run to the end or SIGKILLed on a cue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import harness_env
from tests.support.layout import WAREHOUSE
from tests.support.sandbox import SECRET_KEY

START, END = "2026-01-14", "2026-01-16"
COMMAND = [sys.executable, "-m", "gmp", "backfill", "--start", START, "--end", END]
COMMAND += ["--detail-budget", "5"]


class Backfill:
    """`gmp backfill` as fresh processes sharing one lake and warehouse, reporting to the test
    process's Prefect server (see harness_env): run in
    ``root``, the lake and warehouse at a clone's defaults under it (tests/support/layout.py)."""

    def __init__(self, root: Path, sandbox: str, **settings: str) -> None:
        self.root = root
        self.warehouse = root / WAREHOUSE
        self.env = harness_env(
            root, RAWG_API_KEY=SECRET_KEY, RAWG_BASE_URL=sandbox, PYTHONUNBUFFERED="1", **settings
        )

    def complete(self) -> None:
        result = subprocess.run(
            COMMAND, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def killed_when(self, ready: Callable[[list[str]], bool], timeout: float = 300) -> None:
        """Start a run, SIGKILL it once ``ready(lines printed so far)`` holds."""
        run = subprocess.Popen(
            COMMAND,
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        assert run.stdout is not None
        threading.Thread(target=lambda: lines.extend(run.stdout), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready(lines):
            assert run.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.02)
        os.kill(run.pid, signal.SIGKILL)
        assert run.wait(30) == -signal.SIGKILL, "".join(lines)
