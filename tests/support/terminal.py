"""A command in a pseudo-terminal, as a person at a terminal runs it, with nobody typing."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Colors and cursor moves of a terminal UI, so assertions read the plain text.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


@dataclass
class TerminalRun:
    returncode: int | None  # None: it was still waiting when the time ran out
    output: str


def run_in_terminal(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float
) -> TerminalRun:
    """Run ``args`` with a pseudo-terminal as stdin, stdout and stderr and type nothing: a
    command that asks a question waits until ``timeout``, then is stopped and reported with
    what it printed."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        list(args),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env={**env, "TERM": "xterm", "COLUMNS": "200", "LINES": "50"},
        start_new_session=True,
    )
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    data = os.read(controller, 65536)
                except OSError:  # the terminal closed: every writer has exited
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        try:
            returncode: int | None = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            returncode = None
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    finally:
        os.close(controller)
    return TerminalRun(returncode, ANSI.sub("", b"".join(chunks).decode(errors="replace")))
