"""The native platform a newcomer starts (`make start-native OFFLINE=1`): the script's Prefect
server on SQLite, the deployments of prefect.yaml, a process worker, moto as the lake's S3 and
the RAWG sandbox, all real processes. One per test session, shared by the modules
tests/support/scheduling.py names (tests/integration's ``native_platform`` fixture), and read
through the same API, lake and warehouse a user reads."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import boto3
import polars as pl
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
)

from gmp.server import REGISTERED_BLOCKS_ENV
from rawg_simulator import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The key the script gives the worker's runs with OFFLINE=1 (the sandbox takes any).
OFFLINE_KEY = "offline-sandbox"
DAILY = "daily-game-market-update/daily"
BACKFILL = "game-market-backfill/backfill"


class NativePlatform:
    """`scripts/platform_native.sh` with OFFLINE=1 and no RAWG setting at all, on free ports."""

    def __init__(self, tmp: Path) -> None:
        self.server_port, self.s3_port, sandbox_port = free_port(), free_port(), free_port()
        self.bucket = f"lake-{uuid4().hex[:8]}"
        self.ui = f"http://127.0.0.1:{self.server_port}"
        self.api = f"{self.ui}/api"
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}/api"
        self.run_dir = tmp / "run"
        self.warehouse = tmp / "warehouse" / "game_market.duckdb"
        # The sandbox's today (its updates end the day before), taken as it starts.
        self.today = dt.datetime.now(dt.UTC).date()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAWG_")}
        self.env = {
            **inherited,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "OFFLINE": "1",
            "SANDBOX_GAMES": "1500",
            "GMP_SANDBOX_PORT": str(sandbox_port),
            "GMP_RUN_DIR": str(self.run_dir),
            "GMP_SERVER_PORT": str(self.server_port),
            "GMP_S3_PORT": str(self.s3_port),
            "LAKE_BUCKET": self.bucket,
            "DUCKDB_PATH": str(self.warehouse),
            "PREFECT_HOME": str(tmp / "prefect"),
            "PREFECT_API_URL": self.api,
        }

    def script(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/platform_native.sh", command],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    # -- runs -------------------------------------------------------------------------------
    # The synchronous client throughout: Playwright's sync API already runs an event loop in
    # the browser tests.

    def deployment_run(self, name: str, *params: str, env: dict[str, str] | None = None) -> UUID:
        """`prefect deployment run` exactly as docs/operations.md shows it; ``env`` is the run's
        own environment on the worker (``--job-variable env=...``)."""
        args = [str(BIN / "prefect"), "deployment", "run", name]
        for param in params:
            args += ["--param", param]
        if env:
            args += ["--job-variable", f"env={json.dumps(env)}"]
        result = subprocess.run(
            args, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return UUID(re.search(r"UUID: ([0-9a-f-]{36})", result.stdout).group(1))

    def create_run(
        self, name: str, parameters: dict[str, Any], env: dict[str, str] | None = None
    ) -> UUID:
        """A run of deployment ``name``, created through the API as the UI creates one, with
        the parameters as given (the server validates them against the deployment's schema
        when the run starts) and ``env`` as its own environment on the worker."""
        with SyncPrefectClient(api=self.api) as client:
            deployment = client.read_deployment_by_name(name)
            run = client.create_flow_run_from_deployment(
                deployment.id,
                parameters=parameters,
                job_variables={"env": env} if env else None,
            )
        return run.id

    def final_run(self, flow_run_id: UUID, timeout: float = 420) -> Any:
        """The flow run once its state is final."""
        deadline = time.monotonic() + timeout
        with SyncPrefectClient(api=self.api) as client:
            while True:
                run = client.read_flow_run(flow_run_id)
                if run.state and run.state.is_final():
                    return run
                assert time.monotonic() < deadline, f"flow run still {run.state}"
                time.sleep(1)

    def outcome(self, flow_run_id: UUID) -> tuple[str, str | None]:
        """The run's final state type and message."""
        state = self.final_run(flow_run_id).state
        return state.type.value, state.message

    def runs_of(self, deployment: str) -> list[Any]:
        with SyncPrefectClient(api=self.api) as client:
            found = client.read_deployment_by_name(deployment)
            return [r for r in client.read_flow_runs() if r.deployment_id == found.id]

    def child_runs(self, parent_id: UUID) -> list[tuple[str, str]]:
        """The runs a backfill fanned out, each a run of the ingest-day deployment."""
        with SyncPrefectClient(api=self.api) as client:
            deployment = client.read_deployment_by_name("ingest-all/ingest-day")
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id])
                )
            )
        return [(r.name, r.state.type.value) for r in runs if r.deployment_id == deployment.id]

    def artifacts(self, flow_run_id: UUID) -> dict[str, str]:
        """The run's keyed artifacts' markdown, by key."""
        with SyncPrefectClient(api=self.api) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )
        return {a.key: str(a.data) for a in found if a.key}

    def limits(self) -> dict[str, int]:
        """The global concurrency limits the platform created: name -> slots."""
        with SyncPrefectClient(api=self.api) as client:
            limits = client.read_global_concurrency_limits()
        return {limit.name: limit.limit for limit in limits if limit.active}

    def daily_schedule(self) -> tuple[str, str]:
        with SyncPrefectClient(api=self.api) as client:
            deployment = client.read_deployment_by_name(DAILY)
        schedule = deployment.schedules[0].schedule
        return schedule.cron, schedule.timezone

    # -- the lake ---------------------------------------------------------------------------

    def s3(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            region_name="us-east-1",
        )

    def lake_keys(self) -> list[str]:
        pages = self.s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def lake_object(self, key: str) -> bytes:
        return self.s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def manifest(self, endpoint: str, day: dt.date) -> dict:
        return json.loads(self.lake_object(f"lake/raw/{endpoint}/dt={day}/_manifest.json"))

    def run_ids(self, endpoint: str, day: dt.date) -> set[str]:
        """The runs whose rows a partition's data file holds."""
        data = self.lake_object(f"lake/raw/{endpoint}/dt={day}/data.parquet")
        return set(pl.read_parquet(data, columns=["_run_id"])["_run_id"])

    def partitions(self, endpoint: str) -> set[str]:
        """The dates with a published partition of ``endpoint`` (its manifest) in the lake."""
        pattern = re.compile(rf"^lake/raw/{endpoint}/dt=([\d-]+)/_manifest\.json$")
        return {m.group(1) for key in self.lake_keys() if (m := pattern.match(key))}


def process_environ(pid: str) -> set[bytes]:
    """A service's environment. The pid file names the script's fork that runs `setsid env
    VAR=... <program>`, which becomes the program (Python) by exec: until it has, /proc shows
    the script's environment."""
    deadline = time.monotonic() + 60
    while True:
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        if Path(program.decode()).name.startswith("python"):
            return set(Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"))
        assert time.monotonic() < deadline, f"pid {pid} is still {program!r} after 60 s"
        time.sleep(0.1)


@contextmanager
def started_platform(tmp: Path) -> Iterator[NativePlatform]:
    """The platform as the script starts it, checked as it starts and as it stops."""
    platform = NativePlatform(tmp)
    started = platform.script("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"Prefect UI   {platform.ui}" in started.stdout
        assert f"RAWG         the sandbox on {platform.sandbox_url}" in started.stdout
        assert "(OFFLINE=1: no key, no network)" in started.stdout
        prepared = (platform.run_dir / "prepare.log").read_text()
        assert "prefect.db: a copy of the migrated" in prepared, prepared
        # It holds the template's block types: the server was told not to register them.
        server = process_environ((platform.run_dir / "server.pid").read_text().strip())
        assert {f"{k}={v}".encode() for k, v in REGISTERED_BLOCKS_ENV.items()} <= server
        worker = process_environ((platform.run_dir / "worker.pid").read_text().strip())
        assert b"PREFECT_WORKER_QUERY_SECONDS=2" in worker  # runs start in ~2 s
        assert f"RAWG_API_KEY={OFFLINE_KEY}".encode() in worker
        yield platform
    finally:
        stopped = platform.script("stop")
        assert "4 service(s) stopped" in stopped.stdout, stopped.stdout + stopped.stderr
        status = platform.script("status").stdout.splitlines()
        assert status and all(line.endswith(": stopped") for line in status), status


class SharedPlatform:
    """The session's one platform: started when a module first asks for it, stopped as soon
    as the worker goes on to a test that does not use it (tests/integration/conftest.py), not
    at the session's end: idle, its worker asks the server for runs every 2 s, which costs the
    rest of the session a tenth of a core."""

    def __init__(self, folder: Callable[[], Path]) -> None:
        self._folder = folder
        self._running: tuple[ExitStack, NativePlatform] | None = None

    def get(self) -> NativePlatform:
        if self._running is None:
            stack = ExitStack()
            self._running = stack, stack.enter_context(started_platform(self._folder()))
        return self._running[1]

    def stop(self) -> None:
        if self._running is not None:
            stack, _ = self._running
            self._running = None
            stack.close()
