"""The flows page's tables come from prefect.yaml and the flows' own schemas: every deployment
and every parameter a run form shows is on it, with the values a deployment sets."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location(
    "flow_parameters", REPO / "tools" / "mkdocs" / "flow_parameters.py"
)
assert SPEC and SPEC.loader
HOOK = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(HOOK)


def test_the_page_has_the_marker_the_hook_fills() -> None:
    assert HOOK.MARKER in (REPO / "docs" / "flows.md").read_text()
    assert "tools/mkdocs/flow_parameters.py" in (REPO / "mkdocs.yml").read_text()


def test_every_deployment_and_parameter_is_in_the_tables() -> None:
    text = HOOK.flow_sections(REPO / "prefect.yaml")
    for deployment in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]:
        assert f"| `{deployment['name']}` |" in text, deployment["name"]
        flow = HOOK.load_flow(deployment["entrypoint"])
        assert f"### `{flow.name}`" in text
        for name in flow.parameters.properties:
            assert f"| `{name}` |" in text, (flow.name, name)
    assert '`fan_out: "deployments"`' in text  # backfill-ecs fans each day out
    assert "| `start_date` | date | required |" in text
