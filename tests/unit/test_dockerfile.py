"""The worker image, read as text (no Docker engine here): Dockerfile and .dockerignore.

What the image must be (issue 4, requirement 4): multi-stage, a locked uv install, non-root,
carrying the dbt project, starting the worker or running a flow, and fit to be the ECS task
image, which runs `prefect flow-run execute` from /opt/prefect.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = "/opt/prefect"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                values[key] = value
        return values


def parse_dockerfile(text: str) -> list[Stage]:
    """Instructions per stage; continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        lines.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.I)
            assert match, line
            stages.append(Stage(base=match.group(1), name=match.group(2)))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


@dataclass(frozen=True)
class Copy:
    options: dict[str, str]
    sources: list[str]
    destination: str


def copies(stage: Stage) -> list[Copy]:
    found = []
    for args in stage.all("COPY"):
        words = shlex.split(args)
        options = dict(w[2:].partition("=")[::2] for w in words if w.startswith("--"))
        paths = [w for w in words if not w.startswith("--")]
        found.append(Copy(options, paths[:-1], paths[-1]))
    return found


def read_dockerignore() -> list[tuple[bool, re.Pattern[str]]]:
    """The patterns in order, as (is_exception, regex), in Docker's matching rules."""
    patterns = []
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip().lstrip("/").rstrip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            else:
                char = pattern[i]
                regex += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
                i += 1
        patterns.append((negate, re.compile(regex + r"\Z")))
    return patterns


def excluded(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """A path is out of the build context when the last pattern matching it, or one of its
    parent folders, is not an exception."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for negate, regex in patterns:
        if any(regex.match(candidate) for candidate in candidates):
            result = not negate
    return result


STAGES = parse_dockerfile((REPO / "Dockerfile").read_text())
FINAL = STAGES[-1]
BUILD = next((stage for stage in STAGES if (stage.name or "").lower() == "build"), None)
IGNORE = read_dockerignore()


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
    "source", ["game_market", "flows", "tasks", "transforms", "prefect.yaml", "uv.lock"]
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


def copy_sources() -> list[str]:
    return sorted(
        {s for stage in STAGES for c in copies(stage) if "from" not in c.options for s in c.sources}
    )


@pytest.mark.parametrize("source", copy_sources())
def test_every_copy_source_exists_and_is_in_the_build_context(source: str) -> None:
    assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
    assert not excluded(source, IGNORE), f"COPY {source}: excluded by .dockerignore"
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--", source],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked, f"COPY {source}: nothing tracked by git"
    left_out = [path for path in tracked if excluded(path, IGNORE)]
    assert not left_out, f"COPY {source}: .dockerignore drops tracked files {left_out[:5]}"
