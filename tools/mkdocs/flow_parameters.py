"""mkdocs hook: the flows page's parameter tables, generated from prefect.yaml and the flows.

Each flow a deployment of prefect.yaml runs gets a section: its entry point, the deployments that
run it with the parameters each sets, and every parameter from the flow's own schema (the one the
Prefect UI's run form shows), so the page cannot drift from the code.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

import yaml

MARKER = "<!-- flow-parameters -->"
REPO = Path(__file__).resolve().parents[2]


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, flow_sections(REPO / "prefect.yaml"))


def flow_sections(prefect_yaml: Path) -> str:
    deployments = yaml.safe_load(prefect_yaml.read_text())["deployments"]
    by_entrypoint: dict[str, list[dict[str, Any]]] = {}
    for deployment in deployments:
        by_entrypoint.setdefault(deployment["entrypoint"], []).append(deployment)
    return "\n\n".join(flow_section(ep, deps) for ep, deps in by_entrypoint.items())


def load_flow(entrypoint: str) -> Any:
    path, name = entrypoint.split(":")
    # Prefect reads each flow's docstring with griffe at import; its notes about parameters
    # without a type in the docstring would count as warnings of the strict build.
    logging.disable(logging.WARNING)
    try:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    finally:
        logging.disable(logging.NOTSET)
    return getattr(module, name)


def flow_section(entrypoint: str, deployments: list[dict[str, Any]]) -> str:
    flow = load_flow(entrypoint)
    lines = [f"### `{flow.name}`", "", f"Entry point: `{entrypoint}`.", ""]
    if flow.description:  # its first paragraph; the Args are the table below
        lines += [" ".join(flow.description.split("\n\n")[0].split()), ""]
    lines += ["| deployment | work pool | parameters it sets |", "|---|---|---|"]
    for deployment in deployments:
        preset = deployment.get("parameters") or {}
        shown = ", ".join(f"`{k}: {json.dumps(v)}`" for k, v in preset.items()) or "none"
        pool = deployment.get("work_pool", {}).get("name", "")
        lines.append(f"| `{deployment['name']}` | `{pool}` | {shown} |")
    lines += ["", "| parameter | type | default | what it does |", "|---|---|---|---|"]
    schema = flow.parameters.model_dump()
    required = set(schema.get("required", []))
    definitions = schema.get("definitions", {})
    for name, prop in schema["properties"].items():
        if "$ref" in prop:
            prop = {**definitions[prop["$ref"].rsplit("/", 1)[-1]], **prop}
        default = "required" if name in required else f"`{json.dumps(prop.get('default'))}`"
        description = " ".join(prop.get("description", "").split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {type_of(prop)} | {default} | {description} |")
    return "\n".join(lines)


def type_of(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return " or ".join(f"`{value}`" for value in prop["enum"])
    if "anyOf" in prop:
        options = [option for option in prop["anyOf"] if option != {"type": "null"}]
        return " or ".join(type_of(option) for option in options)
    if prop.get("format") == "date":
        return "date"
    if prop.get("type") == "object":
        return "mapping"
    return prop.get("type", "any")
