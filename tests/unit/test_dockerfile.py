"""The worker image, read as text (no Docker engine here): Dockerfile and .dockerignore.

What the image must be (issue 4, requirement 4): multi-stage, a locked uv install, non-root,
carrying the dbt project, starting the worker or running a flow, and fit to be the ECS task
image, which runs `prefect flow-run execute` from /opt/prefect.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.dockerfile import IGNORE, REPO, STAGES, copies, excluded

APP = "/opt/prefect"


FINAL = STAGES[-1]
BUILD = next((stage for stage in STAGES if (stage.name or "").lower() == "build"), None)


def test_build_is_multi_stage() -> None:
    assert len(STAGES) >= 2
    assert BUILD is not None, "no `FROM ... AS build` stage"
    assert FINAL is not BUILD
    # The venv is built in one stage and carried to the final one, whose Python it links to.
    assert any(c.options.get("from") == "build" and c.sources == [APP] for c in copies(FINAL)), (
        "the final stage does not COPY --from=build /opt/prefect"
    )
    assert FINAL.base == BUILD.base, "the venv's Python comes from the build stage's base image"


def test_install_is_locked_without_dev_dependencies_and_with_a_pinned_uv() -> None:
    assert BUILD is not None
    syncs = [run for run in BUILD.all("RUN") if re.search(r"\buv sync\b", run)]
    assert syncs, "no `uv sync` in the build stage"
    for run in syncs:
        assert "--frozen" in run.split() and "--no-dev" in run.split(), run
        # flows/transform.py finds transforms/ beside itself: only an editable install (the
        # venv pointing at /opt/prefect) keeps that true for every entry point.
        assert "--no-editable" not in run.split(), run
    text = (REPO / "Dockerfile").read_text()
    uv_sources = re.findall(r"ghcr\.io/astral-sh/uv:(\S+)|\buv==(\S+)", text)
    assert uv_sources, "uv is not pinned (ghcr.io/astral-sh/uv:<version> or uv==<version>)"
    for tag, pinned in uv_sources:
        assert re.fullmatch(r"\d+\.\d+\.\d+", tag or pinned), tag or pinned
    assert not re.search(r"pip install[^\n]*\buv\b(?!==)", text), "an unpinned `pip install uv`"
    env = BUILD.env()
    assert env.get("UV_NO_CACHE") == "1"
    assert env.get("UV_PYTHON_DOWNLOADS") == "never"
    assert env.get("UV_PROJECT_ENVIRONMENT") == f"{APP}/.venv"


def test_final_stage_runs_as_a_non_root_user_from_opt_prefect() -> None:
    users = FINAL.all("USER")
    assert users, "the final stage never leaves root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert any(re.search(rf"\buseradd\b.*\b{re.escape(user)}$", run) for run in FINAL.all("RUN")), (
        f"user {user!r} is not created in the final stage"
    )
    assert FINAL.all("WORKDIR")[-1] == APP
    assert f"{APP}/.venv/bin" in FINAL.env()["PATH"].split(":")


def test_it_starts_the_worker_and_lets_ecs_run_a_flow() -> None:
    # The ECS worker sets the container's command to `prefect flow-run execute`: an
    # ENTRYPOINT would be prepended to it.
    assert not FINAL.all("ENTRYPOINT")
    (cmd,) = FINAL.all("CMD")
    assert json.loads(cmd)[:3] == ["prefect", "worker", "start"]  # exec form


@pytest.mark.parametrize(
    "source",
    [
        "game_market",
        "rawg_simulator",
        "gmp",
        "flows",
        "tasks",
        "transforms",
        "prefect.yaml",
        "uv.lock",
    ],
)
def test_the_image_carries_the_code_dbt_project_and_prefect_yaml(source: str) -> None:
    assert BUILD is not None
    assert BUILD.all("WORKDIR")[0] == APP
    destinations = {
        c.destination for c in copies(BUILD) if source in c.sources and "from" not in c.options
    }
    assert destinations & {"./", ".", f"./{source}", f"{APP}/", f"{APP}/{source}", source}, (
        f"{source} is not copied into {APP}"
    )


def test_dbt_and_data_folders_are_writable_by_the_runtime_user() -> None:
    user = FINAL.all("USER")[-1].split(":")[0]
    chowns = " ".join(run for run in FINAL.all("RUN") if f"chown {user}" in run)
    for folder in ("transforms/target", "transforms/logs", "data"):
        assert f"{APP}/{folder}" in chowns.split(), f"{folder} is not writable by {user}"
    # Everything else stays root's: the code is read-only to the process that runs it.
    assert not any("--chown" in c.options for c in copies(FINAL) if c.options.get("from"))


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "deployments/.env",
        ".env.local",
        "deployments/cloud.env",
        "data",
        "data/lake/games/date=2026-01-05/part-0.parquet",
        "data/warehouse/game_market.duckdb",
        ".venv/bin/python",
        ".git",
        ".git/config",
        "transforms/target/manifest.json",
        "transforms/logs/dbt.log",
        "infra/aws/terraform.tfvars",
    ],
)
def test_dockerignore_keeps_secrets_data_and_local_state_out(path: str) -> None:
    assert excluded(path, IGNORE), f"{path} would be sent to the Docker build"
