"""Secret hygiene: with RAWG_API_KEY, AWS_SECRET_ACCESS_KEY and SNOWFLAKE_PASSWORD each set to a
marker of its own, the demo, a daily run against a faulty API onto an S3 lake and a run that
fails on its key leave no marker anywhere the project writes: their output, what the Prefect
server keeps (logs and artifacts through its API, and its database file), the lake (data,
manifests, quarantine, locks), dbt's logs and target, the reports and the warehouse.
(The snowflake build on the emulator is held to the same in test_snowflake_flows.py.)"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import boto3
from prefect.client.orchestration import PrefectClient

from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.cli import isolated_env, run_gmp, stopping_local_server
from tests.support.sandbox import SANDBOX_TODAY

DAY = "2026-01-16"


async def everything_the_server_keeps(api_url: str) -> str:
    async with PrefectClient(api=api_url) as client:
        logs: list[str] = []
        while page := await client.read_logs(offset=len(logs)):
            logs += [log.message for log in page]
        artifacts = await client.read_artifacts()
        runs = await client.read_flow_runs()
    states = [f"{run.name} {run.parameters} {run.state and run.state.message}" for run in runs]
    return "\n".join(logs + [str(a.data) for a in artifacts] + states)


def holding(markers: dict[str, str], text: str | bytes, where: str) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [f"{name} in {where}" for name, marker in markers.items() if marker.encode() in data]


def test_no_secret_reaches_anything_the_project_writes(tmp_path: Path, moto_endpoint: str) -> None:
    markers = {
        name: f"marker{name.split('_')[0].lower()}{uuid.uuid4().hex}"
        for name in ("RAWG_API_KEY", "AWS_SECRET_ACCESS_KEY", "SNOWFLAKE_PASSWORD")
    }
    bucket = f"hygiene-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key=markers["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=bucket)
    env = isolated_env(
        tmp_path,
        **markers,
        AWS_ACCESS_KEY_ID="testing",
        AWS_ENDPOINT_URL_S3=moto_endpoint,
        AWS_REGION="us-east-1",
        SNOWFLAKE_ACCOUNT="emulated",
        SNOWFLAKE_USER="dbt",
        RAWG_MAX_RETRIES="10",
        LAKE_URL=f"s3://{bucket}/lake",
        DUCKDB_PATH=str(tmp_path / "warehouse.duckdb"),
        DBT_TARGET_PATH=str(tmp_path / "dbt-target"),
        DBT_LOG_PATH=str(tmp_path / "dbt-logs"),
    )
    api_url = f"http://127.0.0.1:{env['PREFECT_SERVER_API_PORT']}/api"
    base = {"games": 1500, "seed": 11, "days": 30, "today": SANDBOX_TODAY}
    faulty = SandboxConfig(
        **base, fault_rate=0.3, slow_ms=200, valid_keys=frozenset([markers["RAWG_API_KEY"]])
    )
    refusing = SandboxConfig(**base, valid_keys=frozenset(["another-key"]))
    outputs: list[str] = []
    with (
        stopping_local_server(env, tmp_path),
        running_sandbox(faulty) as faulty_url,
        running_sandbox(refusing) as refusing_url,
    ):
        demo = run_gmp("demo", "--days", "2", "--games", "400", env=env, cwd=tmp_path)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        daily = run_gmp(
            "daily", "--date", DAY, env={**env, "RAWG_BASE_URL": faulty_url}, cwd=tmp_path
        )
        assert daily.returncode == 0, daily.stdout + daily.stderr
        failing = run_gmp(
            "daily", "--date", DAY, env={**env, "RAWG_BASE_URL": refusing_url}, cwd=tmp_path
        )
        assert failing.returncode == 1 and "RAWG rejected the API key" in failing.stderr
        outputs = [r.stdout + r.stderr for r in (demo, daily, failing)]
        kept = asyncio.run(everything_the_server_keeps(api_url))
    assert "RAWG requests used" in kept and "dbt build on duckdb" in kept

    leaks = [leak for out in outputs for leak in holding(markers, out, "command output")]
    leaks += holding(markers, kept, "the Prefect API")
    objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert any(o["Key"].endswith("/data.parquet") for o in objects)
    for item in objects:
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        leaks += holding(markers, body, f"s3://{bucket}/{item['Key']}")
    # Prefect's home and database, dbt's target and logs, ./data, the reports, the warehouse
    assert (tmp_path / "dbt-target" / "partial_parse.msgpack").is_file()
    assert list((tmp_path / "dbt-logs").glob("*.log"))
    for path in tmp_path.rglob("*"):
        if path.is_file():
            leaks += holding(markers, path.read_bytes(), str(path))
    assert not leaks
