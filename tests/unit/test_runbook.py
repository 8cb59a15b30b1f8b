"""docs/runbook.md's commands work as written: each `gmp` line parses, each `make` target
exists, each `prefect deployment run` names a deployment of prefect.yaml and parameters its
flow takes; and every alert the automations send is explained there."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from gmp.alerts import declared
from gmp.main import build_parser

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = (REPO / "docs" / "runbook.md").read_text()
DEPLOYMENTS = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]


def commands(program: str) -> list[list[str]]:
    """The runbook's shell lines that run ``program``, as words."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", RUNBOOK, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if (words and words[0] == program) or words[:3] == ["uv", "run", program]:
                lines.append(words[words.index(program) + 1 :])
    return lines


def flow_of(deployment: dict[str, Any]) -> Any:
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def test_every_gmp_command_parses() -> None:
    lines = commands("gmp")
    assert lines
    for argv in lines:
        build_parser().parse_args(argv)


def test_every_make_target_exists() -> None:
    makefile = (REPO / "Makefile").read_text()
    lines = commands("make")
    assert lines
    for argv in lines:
        targets = [word for word in argv if "=" not in word and not word.startswith("-")]
        for target in targets:
            assert re.search(rf"^{re.escape(target)}:", makefile, re.M), target


@pytest.mark.parametrize(
    "argv",
    [argv for argv in commands("prefect") if argv[:2] == ["deployment", "run"]],
    ids=lambda argv: argv[2],
)
def test_each_deployment_run_names_a_deployment_and_its_parameters(argv: list[str]) -> None:
    flow_name, name = argv[2].split("/")
    (deployment,) = [d for d in DEPLOYMENTS if d["name"] == name]
    flow = flow_of(deployment)
    assert flow.name == flow_name
    given = [argv[n + 1].split("=")[0] for n, word in enumerate(argv) if word == "--param"]
    assert set(given) <= set(flow.parameters.properties), given


def test_every_alert_is_explained() -> None:
    for automation in declared():
        assert f"| {automation['name']}: `" in RUNBOOK, automation["name"]
    assert all(f"| {check} |" in RUNBOOK for check in ("freshness", "volume", "completeness"))
