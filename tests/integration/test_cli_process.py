"""`gmp` as a fresh process, the way a user meets it."""

from __future__ import annotations

import subprocess
import sys


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
