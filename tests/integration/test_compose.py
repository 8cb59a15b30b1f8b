"""docker-compose.yml, alone and with docker-compose.offline.yml (`make start OFFLINE=1`), is
validated with Debian's docker-compose (no engine needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BASE = ["-f", "docker-compose.yml"]
OFFLINE = [*BASE, "-f", "docker-compose.offline.yml"]


def copy_stack(tmp_path: Path) -> None:
    for name in ("docker-compose.yml", "docker-compose.offline.yml", "Dockerfile"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copy(REPO / ".env.example", tmp_path / ".env")


@pytest.mark.parametrize("files", [BASE, OFFLINE], ids=["base", "offline"])
def test_compose_file_is_valid(tmp_path: Path, files: list[str]) -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(
                "docker-compose is missing: .ci/run installs it (apt-get install docker-compose)"
            )
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    copy_stack(tmp_path)
    result = subprocess.run(
        [binary, *files, "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def compose_config(tmp_path: Path, files: list[str] = OFFLINE) -> dict:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    copy_stack(tmp_path)
    result = subprocess.run(
        [binary, *files, "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return yaml.safe_load(result.stdout)


def readme_services() -> list[tuple[str, set[int], set[str]]]:
    """(service, ports, env vars) from the service table of docs/operations.md."""
    section = (REPO / "docs" / "operations.md").read_text()
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            ports = {int(p) for p in re.findall(r"\d+", cells[1])}
            env = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[3]))
            rows.append((cells[0].strip("`"), ports, env))
    return rows


def test_every_service_port_and_variable_the_docs_name_is_in_compose(tmp_path: Path) -> None:
    services = compose_config(tmp_path)["services"]
    named = readme_services()
    assert {name for name, _, _ in named} == set(services)
    for name, ports, env in named:
        service = services[name]
        published = {int(p["published"]) for p in service.get("ports", [])}
        assert ports == published, name
        assert env <= set(service.get("environment", {})), (name, env)


def test_the_stack_waits_on_health_and_keeps_data_under_data(tmp_path: Path) -> None:
    services = compose_config(tmp_path, BASE)["services"]
    assert "sandbox" not in services
    for name in ("postgres", "prefect-server", "minio", "worker"):
        assert "healthcheck" in services[name], name
    assert services["worker"]["depends_on"] == {
        "prefect-server": {"condition": "service_healthy"},
        "minio-init": {"condition": "service_completed_successfully"},
    }
    assert services["minio-init"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    init = " ".join(services["minio-init"]["command"])
    assert "mc anonymous set none" in init  # the lake bucket is private
    for name in ("postgres", "minio", "worker"):
        for volume in services[name]["volumes"]:  # docker-compose 1.29: "host:container"
            assert volume.startswith(str(tmp_path / "data") + "/"), (name, volume)
    worker = services["worker"]
    assert "--pool" in worker["command"] and "local" in worker["command"]
    assert worker["environment"]["LAKE_URL"].startswith("s3://")
    assert worker["environment"]["AWS_ENDPOINT_URL_S3"] == "http://minio:9000"
    raw_worker = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["worker"]
    assert raw_worker["env_file"] == ".env"
    assert "RAWG_API_KEY" not in raw_worker["environment"]  # from .env, never from the file


def test_offline_points_the_worker_at_the_sandbox_once_it_answers(tmp_path: Path) -> None:
    """`make start OFFLINE=1`: the worker's runs ask the sandbox, whatever .env says of RAWG."""
    env_file = (REPO / ".env.example").read_text()
    services = compose_config(tmp_path)["services"]
    worker, sandbox = services["worker"], services["sandbox"]
    assert "healthcheck" in sandbox
    assert worker["depends_on"]["sandbox"] == {"condition": "service_healthy"}
    assert worker["environment"]["RAWG_BASE_URL"] == "http://sandbox:8765/api"
    assert worker["environment"]["RAWG_API_KEY"]  # a placeholder: the sandbox takes any key
    assert "RAWG_BASE_URL=https://api.rawg.io/api" in env_file
    assert sandbox["command"][:2] == ["gmp", "sandbox"] and "8765" in sandbox["command"]
