"""The local Prefect server's pid file, against real processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gmp.server import LocalServer
from rawg_simulator import free_port


def test_a_stale_pid_file_never_signals_another_process(tmp_path: Path) -> None:
    # After a reboot the pid in the file may belong to anything: here, a sleeping process.
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        server = LocalServer(home=tmp_path, port=free_port())
        server.pid_file.write_text(str(other.pid))
        assert server.pid() is None
        assert not server.pid_file.exists()
        server.pid_file.write_text(str(other.pid))
        assert server.stop() is None
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
