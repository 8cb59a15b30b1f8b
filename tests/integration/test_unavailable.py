"""A lake or warehouse that cannot be used ends a run in one sentence naming it and the fix,
reports nothing as success and loses nothing already landed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import polars as pl
import pytest

from flows.transform import transform
from game_market.endpoints import ENDPOINTS
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, free_port, running_sandbox
from tests.support.cli import harness_env, run_gmp
from tests.support.moto import running_moto
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats
from tests.support.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = "2026-01-16"

WAREHOUSE_HOLDER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
    "sys.stdin.read()"
)


@pytest.fixture
def held_warehouse(tmp_path: Path) -> Iterator[Path]:
    """A DuckDB file another program has open for writing (a DuckDB shell, a notebook)."""
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", WAREHOUSE_HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield path
    finally:
        holder.communicate("", timeout=30)


def test_a_warehouse_another_program_holds_fails_the_build_in_one_sentence(
    held_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(held_warehouse))
    monkeypatch.setenv("LAKE_URL", str(tmp_path / "lake"))
    state = transform(return_state=True)
    assert state.is_failed()
    message = state.message or ""
    assert message.startswith(f"Cannot write the warehouse at {held_warehouse} (")
    assert "lock" in message
    assert message.endswith(
        "close the program that has it open, then rerun (what landed in the lake stays)."
    )


def ingest(tmp_path: Path, sandbox: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`gmp ingest-all` for DAY as a fresh process."""
    env = harness_env(tmp_path, RAWG_API_KEY=SECRET_KEY, RAWG_BASE_URL=sandbox, **settings)
    return run_gmp("ingest-all", "--date", DAY, env=env, cwd=tmp_path)


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with one line of error, no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


def s3_settings(endpoint: str, bucket: str, **overrides: str) -> dict[str, str]:
    return {
        "LAKE_URL": f"s3://{bucket}/lake",
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        **overrides,
    }


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


S3_FIX = "check LAKE_URL, that the bucket exists, AWS_ENDPOINT_URL_S3 and the AWS credentials."


def test_a_missing_bucket_is_one_sentence_before_any_request(
    tmp_path: Path, sandbox_url: str, moto_endpoint: str
) -> None:
    reset_sandbox(sandbox_url)
    result = ingest(tmp_path, sandbox_url, **s3_settings(moto_endpoint, "no-such-bucket"))
    line = one_sentence(result)
    assert line.startswith("error: Cannot write to the lake at s3://no-such-bucket/lake (")
    assert "bucket does not exist" in line and line.endswith(S3_FIX)
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_an_unreachable_s3_endpoint_is_one_sentence_before_any_request(
    tmp_path: Path, sandbox_url: str
) -> None:
    reset_sandbox(sandbox_url)
    closed = f"http://127.0.0.1:{free_port()}"
    result = ingest(tmp_path, sandbox_url, **s3_settings(closed, "lake"))
    line = one_sentence(result)
    assert line.startswith("error: Cannot write to the lake at s3://lake/lake (")
    assert closed.removeprefix("http://") in line and line.endswith(S3_FIX)
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_wrong_credentials_are_one_sentence_before_any_request(
    tmp_path: Path, sandbox_url: str
) -> None:
    reset_sandbox(sandbox_url)
    # moto checks credentials after its first request (the bucket's creation).
    with running_moto(free_port(), env={"INITIAL_NO_AUTH_ACTION_COUNT": "1"}) as endpoint:
        s3_client(endpoint).create_bucket(Bucket="guarded")
        result = ingest(tmp_path, sandbox_url, **s3_settings(endpoint, "guarded"))
    line = one_sentence(result)
    assert line.startswith("error: Cannot write to the lake at s3://guarded/lake (")
    assert "Access Key Id" in line and line.endswith(S3_FIX)
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_s3_cut_mid_run_fails_in_one_sentence_and_keeps_what_landed(
    tmp_path: Path, moto_endpoint: str
) -> None:
    bucket = f"cut-{time.monotonic_ns()}"
    s3 = s3_client(moto_endpoint)
    s3.create_bucket(Bucket=bucket)

    def landed() -> dict[str, dict]:
        listing = s3.list_objects_v2(Bucket=bucket, Prefix="lake/raw/").get("Contents", [])
        return {
            item["Key"].split("/")[2]: json.loads(
                s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            )
            for item in listing
            if item["Key"].endswith("_manifest.json")
        }

    # Slow answers keep the run going for a while after its first partition lands.
    slow = SandboxConfig(games=1500, seed=11, days=30, today=SANDBOX_TODAY, latency_ms=300)
    moto_port = int(moto_endpoint.rsplit(":", 1)[1])
    with running_sandbox(slow) as sandbox, tcp_proxy(moto_port) as s3_link:
        env = harness_env(
            tmp_path,
            RAWG_API_KEY=SECRET_KEY,
            RAWG_BASE_URL=sandbox,
            **s3_settings(s3_link.url, bucket),
        )
        run = subprocess.Popen(
            [sys.executable, "-m", "gmp", "ingest-all", "--date", DAY],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 300
        while not landed():
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.1)
        before = landed()
        s3_link.cut()
        cut_at = time.monotonic()
        stdout, stderr = run.communicate(timeout=300)
        waited = time.monotonic() - cut_at
    result = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
    line = one_sentence(result)
    assert line.startswith(f"error: Ingest for {DAY} failed.")
    assert f"Could not publish to the lake at s3://{bucket}/lake (" in line
    assert f"{S3_FIX.removesuffix('.')}, then rerun this date." in line
    assert waited < 120, f"the run took {waited:.0f} s to give up"
    after = landed()
    assert after.keys() >= before.keys() and len(after) < 7
    for endpoint, manifest in after.items():  # whole, as their manifests describe them
        key = f"lake/raw/{endpoint}/dt={DAY}/data.parquet"
        rows = pl.read_parquet(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        assert rows.height == manifest["rows"], endpoint


def in_private_mount(lake: Path, mount: str, out: Path, command: list[str]) -> list[str]:
    """``command`` in a mount namespace of its own where ``lake`` is ``mount`` ("ro": the
    folder read-only; "SIZE": an empty tmpfs of that size), then the lake copied to ``out``.
    An unprivileged user namespace is enough: no root, nothing mounted outside."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"no user namespaces here: {probe.stderr.decode().strip()}")
    lake.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    setup = (
        'mount --bind "$LAKE" "$LAKE" && mount -o remount,bind,ro "$LAKE"'
        if mount == "ro"
        else f'mount -t tmpfs -o size={mount} tmpfs "$LAKE"'
    )
    script = f'{setup} || exit 90; "$@"; status=$?; cp -a "$LAKE/." "$OUT/"; exit $status'
    return ["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", script, "--", *command]


def local_ingest(
    tmp_path: Path, sandbox: str, mount: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    lake, out = tmp_path / "lake", tmp_path / "lake-after"
    env = harness_env(
        tmp_path,
        RAWG_API_KEY=SECRET_KEY,
        RAWG_BASE_URL=sandbox,
        LAKE_URL=str(lake),
        LAKE=str(lake),
        OUT=str(out),
    )
    command = [sys.executable, "-m", "gmp", "ingest-all", "--date", DAY]
    result = subprocess.run(
        in_private_mount(lake, mount, out, command),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 90, result.stderr
    return result, lake, out


def local_fix(lake: Path) -> str:
    return f"check LAKE_URL, that {lake} is writable and that its disk has space"


def test_a_read_only_lake_folder_is_one_sentence_before_any_request(
    tmp_path: Path, sandbox_url: str
) -> None:
    reset_sandbox(sandbox_url)
    result, lake, _ = local_ingest(tmp_path, sandbox_url, "ro")
    line = one_sentence(result)
    assert line.startswith(f"error: Cannot write to the lake at {lake} (")
    assert "Read-only file system" in line and line.endswith(f"{local_fix(lake)}.")
    assert sandbox_stats(sandbox_url)["requests"] == 0


def test_a_full_disk_fails_in_one_sentence_and_keeps_what_landed(
    tmp_path: Path, sandbox_url: str
) -> None:
    # Room for the small reference lists, not for the day's games.
    result, lake, after = local_ingest(tmp_path, sandbox_url, "192k")
    line = one_sentence(result)
    assert line.startswith(f"error: Ingest for {DAY} failed.")
    assert f"Could not publish to the lake at {lake} (OSError: [Errno 28] No space" in line
    assert f"{local_fix(lake)}, then rerun this date." in line
    landed = Lake(str(after))
    complete = [e for e in ENDPOINTS if landed.is_complete(e, date.fromisoformat(DAY))]
    assert "games" not in complete and complete, complete
    for endpoint in complete:
        manifest = landed.read_manifest(endpoint, date.fromisoformat(DAY))
        rows = landed.read_partition(endpoint, date.fromisoformat(DAY))
        assert manifest is not None and rows.height == manifest.rows, endpoint
    assert not list(after.rglob("*.tmp"))
