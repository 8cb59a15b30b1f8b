"""scripts/platform_native.sh's choices, against stub `gmp`, `prefect`, `moto_server` and
`python` commands that record how they were called: where the worker's runs get RAWG from,
and what the script refuses. The whole platform, started for real with OFFLINE=1, is the
integration tests' ``native_platform``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rawg_simulator import free_port
from tests.support.hcl import REPO

STUB = r"""
import json, os, socket, sys, time
from pathlib import Path

name, args = Path(sys.argv[0]).name, sys.argv[1:]
kept = ("RAWG_", "PREFECT_", "LAKE_", "AWS_", "GMP_STUB_")
env = {k: v for k, v in os.environ.items() if k.startswith(kept)}
with open(os.environ["STUB_CALLS"], "a") as log:
    log.write(json.dumps({"cmd": [name, *args], "env": env}) + "\n")
if name == "gmp" and args[:2] == ["server", "prepare"]:
    print("prefect.db: a copy of the migrated template")
    print("Start its server with GMP_STUB_REGISTERED=1: it holds the block types")
elif name == "gmp" and args[:1] == ["setup-platform"]:
    print("alerts: no destination set")
elif name == "moto_server":
    server = socket.create_server(("127.0.0.1", int(args[args.index("-p") + 1])))
    time.sleep(600)
elif name == "prefect" and args[1:2] == ["start"]:  # server start, worker start
    time.sleep(600)
elif name == "python":
    sys.stdin.read()
"""


@dataclass
class Script:
    cwd: Path
    env: dict[str, str]
    calls_file: Path

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(REPO / "scripts" / "platform_native.sh"), command],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def call(self, *prefix: str) -> dict:
        """The first recorded call whose argv starts with ``prefix``, waited for: the script
        starts its services in the background."""
        deadline = time.monotonic() + 10
        while True:
            lines = self.calls_file.read_text().splitlines() if self.calls_file.exists() else []
            for call in map(json.loads, lines):
                if call["cmd"][: len(prefix)] == list(prefix):
                    return call
            assert time.monotonic() < deadline, f"no call of {prefix}: {lines}"
            time.sleep(0.05)


@pytest.fixture
def script(tmp_path: Path) -> Iterator[Script]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("gmp", "prefect", "moto_server", "python"):
        (bin_dir / name).write_text(f"#!{sys.executable}\n{STUB}")
        (bin_dir / name).chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RAWG_", "OFFLINE"))}
    env = {
        **inherited,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "STUB_CALLS": str(tmp_path / "calls.jsonl"),
        "GMP_RUN_DIR": str(tmp_path / "run"),
        "GMP_SERVER_PORT": str(free_port()),
        "GMP_S3_PORT": str(free_port()),
        "LAKE_BUCKET": "lake-stub",
        "DUCKDB_PATH": str(work / "warehouse.duckdb"),
    }
    yield Script(work, env, tmp_path / "calls.jsonl")
    Script(work, env, tmp_path / "calls.jsonl").run("stop")


RAWG_FROM_SETTINGS = "RAWG         RAWG_BASE_URL and RAWG_API_KEY from the environment or .env"


def test_a_key_in_the_environment_goes_to_the_worker_as_it_is(script: Script) -> None:
    script.env["RAWG_API_KEY"] = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    started = script.run("start")
    assert started.returncode == 0, started.stderr
    assert RAWG_FROM_SETTINGS in started.stdout
    worker = script.call("prefect", "worker", "start", "--pool", "local", "--type", "process")
    assert worker["env"]["RAWG_API_KEY"] == script.env["RAWG_API_KEY"]
    assert "RAWG_BASE_URL" not in worker["env"]
    assert worker["env"]["PREFECT_WORKER_QUERY_SECONDS"] == "2"
    assert worker["env"]["LAKE_URL"] == "s3://lake-stub/lake"
    assert worker["env"]["AWS_ENDPOINT_URL_S3"] == f"http://127.0.0.1:{script.env['GMP_S3_PORT']}"
    # The server is told what prepare named, and where the UI finds the API.
    server = script.call("prefect", "server", "start")
    assert server["env"]["GMP_STUB_REGISTERED"] == "1"
    port = script.env["GMP_SERVER_PORT"]
    assert server["env"]["PREFECT_UI_API_URL"] == f"http://127.0.0.1:{port}/api"
    assert script.call("prefect", "--no-prompt", "deploy")["cmd"].count("-n") == 6

    stopped = script.run("stop")
    assert stopped.stdout == "Native platform: 3 service(s) stopped.\n"


def test_a_key_in_dot_env_is_found_and_left_to_the_runs_to_read(script: Script) -> None:
    (script.cwd / ".env").write_text("RAWG_API_KEY=f0e1d2c3b4a5968778695a4b3c2d1e0f\n")
    started = script.run("start")
    assert started.returncode == 0, started.stderr
    assert RAWG_FROM_SETTINGS in started.stdout
    assert "RAWG_API_KEY" not in script.call("prefect", "worker", "start")["env"]


def test_without_a_key_the_script_says_runs_fail_until_one_is_set(script: Script) -> None:
    (script.cwd / ".env").write_text("RAWG_API_KEY=\n# RAWG_API_KEY=commented\n")
    started = script.run("start")
    assert started.returncode == 0, started.stderr
    assert (
        "RAWG         NO KEY: runs fail until RAWG_API_KEY is in .env; or restart with OFFLINE=1"
        in started.stdout
    )


def test_offline_takes_only_0_or_1(script: Script) -> None:
    script.env["OFFLINE"] = "yes"
    refused = script.run("start")
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: OFFLINE must be 0 or 1, not 'yes': OFFLINE=1 runs against the RAWG sandbox\n"
    )
    assert not Path(script.env["GMP_RUN_DIR"]).exists()
    assert not script.calls_file.exists()
