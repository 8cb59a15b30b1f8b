"""The platform end to end, with real processes: `make start-native`'s script, the local
deployments from prefect.yaml, `prefect deployment run` as docs/operations.md shows, a process
worker, the S3 stand-in as the lake and the sandbox as RAWG."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import boto3
import duckdb
import polars as pl
import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.settings import PREFECT_API_URL, temporary_settings

from rawg_simulator import SandboxConfig, free_port, running_sandbox
from tests.support.prefect import run_details
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAILY = "daily-game-market-update/daily"
BACKFILL = "game-market-backfill/backfill"


class Platform:
    def __init__(self, tmp_path: Path, sandbox_url: str) -> None:
        self.server_port, self.s3_port = free_port(), free_port()
        self.bucket = f"lake-{uuid4().hex[:8]}"
        self.warehouse = tmp_path / "warehouse" / "game_market.duckdb"
        self.api_url = f"http://127.0.0.1:{self.server_port}/api"
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "GMP_RUN_DIR": str(tmp_path / "run"),
            "GMP_SERVER_PORT": str(self.server_port),
            "GMP_S3_PORT": str(self.s3_port),
            "LAKE_BUCKET": self.bucket,
            "DUCKDB_PATH": str(self.warehouse),
            "PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_API_URL": self.api_url,
            "RAWG_BASE_URL": sandbox_url,
            "RAWG_API_KEY": SECRET_KEY,
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

    def deployment_run(self, name: str, *params: str, env: dict[str, str] | None = None) -> UUID:
        """`prefect deployment run` exactly as docs/operations.md shows it; ``env`` is the run's own
        environment on the worker (``--job-variable env=...``)."""
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

    async def create_run(
        self, name: str, parameters: dict[str, str], env: dict[str, str] | None
    ) -> UUID:
        """A run of deployment ``name``, created through the API as the UI creates one, with
        the parameters as given (the server validates them against the deployment's schema
        when the run starts) and ``env`` as its own environment on the worker."""
        async with PrefectClient(api=self.api_url) as client:
            deployment = await client.read_deployment_by_name(name)
            run = await client.create_flow_run_from_deployment(
                deployment.id,
                parameters=parameters,
                job_variables={"env": env} if env else None,
            )
        return run.id

    async def wait(self, flow_run_id: UUID, timeout: float = 420) -> tuple[str, str | None]:
        deadline = time.monotonic() + timeout
        async with PrefectClient(api=self.api_url) as client:
            while True:
                run = await client.read_flow_run(flow_run_id)
                if run.state and run.state.is_final():
                    return run.state.type.value, run.state.message
                assert time.monotonic() < deadline, f"flow run still {run.state}"
                await asyncio.sleep(2)

    async def child_runs(self, parent_id: UUID) -> list[tuple[str, str]]:
        """The runs a backfill fanned out, each a run of the ingest-day deployment."""
        async with PrefectClient(api=self.api_url) as client:
            deployment = await client.read_deployment_by_name("ingest-all/ingest-day")
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id])
                )
            )
        return [(r.name, r.state.type.value) for r in runs if r.deployment_id == deployment.id]

    async def details(self, flow_run_id: UUID) -> tuple[str, str]:
        """The run's artifacts (markdown) and log lines, from the platform's API."""
        with temporary_settings({PREFECT_API_URL: self.api_url}):
            return await run_details(flow_run_id)

    async def limits(self) -> dict[str, int]:
        """The global concurrency limits the platform created: name -> slots."""
        async with PrefectClient(api=self.api_url) as client:
            limits = await client.read_global_concurrency_limits()
        return {limit.name: limit.limit for limit in limits if limit.active}

    async def daily_schedule(self) -> tuple[str, str]:
        async with PrefectClient(api=self.api_url) as client:
            deployment = await client.read_deployment_by_name(DAILY)
        schedule = deployment.schedules[0].schedule
        return schedule.cron, schedule.timezone

    def manifest(self, endpoint: str, day: str) -> dict:
        key = f"lake/raw/{endpoint}/dt={day}/_manifest.json"
        return json.loads(self.s3().get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def run_ids(self, endpoint: str, day: str) -> set[str]:
        """The runs whose rows a partition's data file holds."""
        key = f"lake/raw/{endpoint}/dt={day}/data.parquet"
        data = self.s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return set(pl.read_parquet(data, columns=["_run_id"])["_run_id"])

    def lake_keys(self) -> list[str]:
        s3 = self.s3()
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            region_name="us-east-1",
        )


def worker_environ(pid: str) -> list[bytes]:
    """The worker's environment. The pid file names the script's fork that runs `setsid env
    VAR=... prefect worker start`, which becomes the worker (Python) by exec: until it has,
    /proc shows the script's environment."""
    deadline = time.monotonic() + 60
    while True:
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        if Path(program.decode()).name.startswith("python"):
            return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert time.monotonic() < deadline, f"pid {pid} is still {program!r} after 60 s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, sandbox_url: str) -> Iterator[Platform]:
    platform = Platform(tmp_path_factory.mktemp("platform"), sandbox_url)
    started = platform.script("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"Prefect UI   http://127.0.0.1:{platform.server_port}" in started.stdout
        assert "RAWG_BASE_URL and RAWG_API_KEY from the environment or .env" in started.stdout
        worker = (Path(platform.env["GMP_RUN_DIR"]) / "worker.pid").read_text().strip()
        assert b"PREFECT_WORKER_QUERY_SECONDS=2" in worker_environ(worker)  # runs start in ~2 s
        yield platform
    finally:
        stopped = platform.script("stop")
        assert "3 service(s) stopped" in stopped.stdout, stopped.stdout + stopped.stderr
        assert "stopped" in platform.script("status").stdout


def test_deployments_run_end_to_end_on_the_native_platform(
    platform: Platform, sandbox_url: str
) -> None:
    assert asyncio.run(platform.daily_schedule()) == ("0 3 * * *", "UTC")
    limits = asyncio.run(platform.limits())
    assert (limits["dbt-build"], limits["rawg-api"]) == (1, 8)

    reset_sandbox(sandbox_url)
    # Both at once, over a date they share: each partition of 2026-01-18 is one run's whole,
    # and their dbt builds take turns on the one DuckDB file (the dbt-build limit).
    daily = platform.deployment_run(DAILY, "date=2026-01-18")
    backfill = platform.deployment_run(BACKFILL, "start_date=2026-01-15", "end_date=2026-01-18")
    for run in (daily, backfill):
        state, message = asyncio.run(platform.wait(run))
        assert state == "COMPLETED", message

    keys = platform.lake_keys()
    for day in ("2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18"):
        assert f"lake/raw/games/dt={day}/data.parquet" in keys, day
        assert f"lake/raw/game_details/dt={day}/_manifest.json" in keys, day
    for endpoint in ("games", "game_details"):
        manifest = platform.manifest(endpoint, "2026-01-18")
        assert platform.run_ids(endpoint, "2026-01-18") == {manifest["run_id"]}, endpoint
    with duckdb.connect(str(platform.warehouse), read_only=True) as db:
        days = db.execute("select count(distinct dt) from fct_game_daily_snapshots").fetchall()
        assert days == [(4,)]
        assert db.execute("select count(*) from agg_releases_monthly").fetchall()[0][0] > 0

    reset_sandbox(sandbox_url)
    again = platform.deployment_run(BACKFILL, "start_date=2026-01-15", "end_date=2026-01-18")
    assert asyncio.run(platform.wait(again))[0] == "COMPLETED"
    assert sandbox_stats(sandbox_url)["requests"] == 0  # only_missing: nothing refetched

    fanned = platform.deployment_run(
        BACKFILL,
        "start_date=2026-01-12",
        "end_date=2026-01-13",
        "fan_out=deployments",
        'max_pages={"developers": 1}',  # passed on to the day that takes the reference lists
    )
    assert asyncio.run(platform.wait(fanned))[0] == "COMPLETED"
    children = asyncio.run(platform.child_runs(fanned))
    assert sorted(children) == [
        ("ingest-all-2026-01-12", "COMPLETED"),
        ("ingest-all-2026-01-13", "COMPLETED"),
    ]
    keys = platform.lake_keys()
    assert "lake/raw/games/dt=2026-01-12/data.parquet" in keys
    assert "lake/raw/games/dt=2026-01-13/data.parquet" in keys
    assert platform.manifest("developers", "2026-01-13")["pages"] == 1


# One of each way a run's input is refused, each with the sentence it ends in: a parameter the
# deployment's schema rejects, one the flow's own checks reject, and a setting in the run's
# environment. The other checks of each kind run in-process, in test_market_flows.py's
# bad-input tests.
BAD_RUNS = [  # (deployment, parameters, the run's environment, what its one sentence says)
    (DAILY, {"date": "2026-02-30"}, None, "date: Input should be a valid date"),
    (
        BACKFILL,
        {"start_date": "2026-01-10", "end_date": "2026-01-05"},
        None,
        "end_date 2026-01-05 is before start_date 2026-01-10: give the earlier date first.",
    ),
    (
        DAILY,
        {"date": "2026-01-14"},
        {"LAKE_URL": "ftp://nowhere/lake"},
        "uses unsupported scheme 'ftp'; use a folder or s3://",
    ),
]


def test_bad_input_through_deployment_run_is_one_sentence_before_any_side_effect(
    platform: Platform, sandbox_url: str
) -> None:
    reset_sandbox(sandbox_url)
    keys = set(platform.lake_keys())
    runs = [
        (asyncio.run(platform.create_run(name, params, env)), expected)
        for name, params, env, expected in BAD_RUNS
    ]
    for run, expected in runs:
        state, message = asyncio.run(platform.wait(run))
        assert state == "FAILED" and expected in (message or ""), message
        assert "Traceback" not in message
    assert sandbox_stats(sandbox_url)["requests"] == 0
    assert set(platform.lake_keys()) == keys


def test_malformed_items_from_a_deployment_run_are_quarantined_and_counted(
    platform: Platform,
) -> None:
    config = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, malformed_items=True)
    with running_sandbox(config) as malformed:
        run = platform.deployment_run(DAILY, "date=2026-01-11", env={"RAWG_BASE_URL": malformed})
        assert asyncio.run(platform.wait(run))[0] == "COMPLETED"
    assert "lake/quarantine/games/dt=2026-01-11/items.parquet" in platform.lake_keys()
    manifest = platform.manifest("games", "2026-01-11")
    assert manifest["quarantined"] == 4
    assert manifest["quarantine_reasons"] == {
        "missing id": 1,
        "id is not an integer (str)": 1,
        "item is not an object": 1,
        "results is not a list": 1,
    }
    markdown, _ = asyncio.run(platform.details(run))
    assert "**Quarantined: 4**" in markdown
    with duckdb.connect(str(platform.warehouse), read_only=True) as db:
        snapshots = db.execute(
            "select count(*), count(game_id) from fct_game_daily_snapshots "
            "where dt = date '2026-01-11'"
        ).fetchall()
    assert snapshots == [(manifest["rows"], manifest["rows"])]


def test_the_platform_writes_no_secret(platform: Platform) -> None:
    """After every run above: the worker's and the server's logs, and every lake object."""
    leaks = [
        str(path)
        for path in Path(platform.env["GMP_RUN_DIR"]).rglob("*")
        if path.is_file() and SECRET_KEY.encode() in path.read_bytes()
    ]
    assert list(Path(platform.env["GMP_RUN_DIR"]).glob("*.log"))
    s3 = platform.s3()
    for key in platform.lake_keys():
        if SECRET_KEY.encode() in s3.get_object(Bucket=platform.bucket, Key=key)["Body"].read():
            leaks.append(key)
    assert not leaks
