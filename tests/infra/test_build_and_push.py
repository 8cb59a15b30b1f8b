"""scripts/build_and_push.sh against stub git, terraform, aws and docker commands."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.support.cloud_env import EXPECTED_ENV, REGISTRY, REPOSITORY, SHA
from tests.support.stubs import AWS_OUTPUTS, Stubs, as_outputs, make_stubs, restricted_path


@pytest.fixture
def stubs(tmp_path: Path) -> Stubs:
    stubs = make_stubs(tmp_path)
    (stubs.dir / "state" / "aws.json").write_text(as_outputs(AWS_OUTPUTS))
    return stubs


def test_logs_in_builds_pushes_both_tags_and_prints_the_uri(stubs: Stubs) -> None:
    result = stubs.run("build_and_push.sh")
    assert result.returncode == 0, result.stderr
    assert stubs.calls() == [
        ["git", "-C", str(stubs.repo), "rev-parse", "--short=12", "HEAD"],
        ["git", "-C", str(stubs.repo), "status", "--porcelain"],
        ["terraform", "-chdir=infra/aws", "output", "-json"],
        ["aws", "ecr", "get-login-password", "--region", "eu-west-1"],
        ["docker", "login", "--username", "AWS", "--password-stdin", REGISTRY],
        [
            "docker",
            "build",
            "--platform",
            "linux/amd64",
            "--tag",
            f"{REPOSITORY}:{SHA}",
            "--tag",
            f"{REPOSITORY}:latest",
            str(stubs.repo),
        ],
        ["docker", "push", f"{REPOSITORY}:{SHA}"],
        ["docker", "push", f"{REPOSITORY}:latest"],
    ]
    assert result.stdout.splitlines()[-1] == f"{REPOSITORY}:{SHA}"
    # The ECR password went through a pipe, never onto a command line.
    assert "stub-ecr-password" not in json.dumps(stubs.calls())


def test_writes_cloud_env_for_prefect_deploy(stubs: Stubs) -> None:
    assert stubs.run("build_and_push.sh").returncode == 0
    cloud_env = stubs.repo / "deployments" / "cloud.env"
    assert dotenv_values(cloud_env) == EXPECTED_ENV
    # Also what `set -a; . deployments/cloud.env; set +a` gives a shell.
    shell = subprocess.run(
        ["bash", "-c", f"set -a; . {cloud_env}; set +a; env"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    sourced = dict(
        line.split("=", 1) for line in shell.stdout.splitlines() if line.startswith("GMP_")
    )
    assert sourced == EXPECTED_ENV
    assert not list((stubs.repo / "deployments").glob("cloud.env.*")), "temp file left behind"


def test_refuses_a_dirty_tree(stubs: Stubs) -> None:
    (stubs.dir / "git_status").write_text(" M flows/ingest.py\n")
    result = stubs.run("build_and_push.sh")
    assert result.returncode == 1
    assert "uncommitted changes" in result.stderr and "ALLOW_DIRTY=1" in result.stderr
    assert " M flows/ingest.py" in result.stderr
    assert not [c for c in stubs.calls() if c[0] in ("docker", "aws")]
    assert not (stubs.repo / "deployments" / "cloud.env").exists()


def test_allow_dirty_builds_a_dirty_tag(stubs: Stubs) -> None:
    (stubs.dir / "git_status").write_text("?? notes.txt\n")
    result = stubs.run("build_and_push.sh", env=stubs.env(ALLOW_DIRTY="1"))
    assert result.returncode == 0, result.stderr
    assert ["docker", "push", f"{REPOSITORY}:{SHA}-dirty"] in stubs.calls()
    assert result.stdout.splitlines()[-1] == f"{REPOSITORY}:{SHA}-dirty"


def test_dry_run_reads_only_and_writes_nothing(stubs: Stubs) -> None:
    result = stubs.run("build_and_push.sh", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert stubs.calls() == [
        ["git", "-C", str(stubs.repo), "rev-parse", "--short=12", "HEAD"],
        ["git", "-C", str(stubs.repo), "status", "--porcelain"],
        ["terraform", "-chdir=infra/aws", "output", "-json"],
    ]
    assert f"+ docker push {REPOSITORY}:{SHA}" in result.stdout
    assert f"+ docker push {REPOSITORY}:latest" in result.stdout
    assert f"GMP_IMAGE_URI={REPOSITORY}:{SHA}" in result.stdout
    assert not (stubs.repo / "deployments" / "cloud.env").exists()


def test_without_infrastructure_outputs_it_says_to_deploy_first(stubs: Stubs) -> None:
    (stubs.dir / "state" / "aws.json").unlink()
    result = stubs.run("build_and_push.sh")
    assert result.returncode == 1
    assert "run scripts/deploy_infra.sh first" in result.stderr
    assert not [c for c in stubs.calls() if c[0] == "docker"]


def test_missing_tools_one_line_each(stubs: Stubs, tmp_path: Path) -> None:
    env = stubs.env(PATH=restricted_path(tmp_path, ["dirname", "jq"]))
    result = stubs.run("build_and_push.sh", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "build_and_push: missing tool: git (not on PATH)",
        "build_and_push: missing tool: docker (not on PATH)",
        "build_and_push: missing tool: aws (not on PATH)",
        "build_and_push: missing tool: terraform (not on PATH)",
        "build_and_push: 4 prerequisite(s) missing, nothing was built",
    ]
