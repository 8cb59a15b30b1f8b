"""Fill the ECS work pool's base job template from deployments/cloud.env.

The committed template (deployments/ecs-base-job-template.json) is prefect-aws's default ECS
template with our defaults, written as ${GMP_...} placeholders: a string that is exactly one
placeholder becomes the value (GMP_SUBNET_IDS becomes a list), a placeholder inside a longer
string is substituted in place. Values come from the env file (written by
scripts/build_and_push.sh), overridden by GMP_ variables of the environment. The rendered
file is untracked; `make cloud-pool` hands it to `prefect work-pool create`.

usage: python scripts/render_job_template.py [--env-file F] [--template F] [--output F]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = REPO / "deployments" / "ecs-base-job-template.json"
DEFAULT_ENV_FILE = REPO / "deployments" / "cloud.env"
DEFAULT_OUTPUT = REPO / "deployments" / "ecs-base-job-template.rendered.json"

PLACEHOLDER = re.compile(r"\$\{(GMP_[A-Z0-9_]+)\}")
LIST_VALUES = {"GMP_SUBNET_IDS"}


class RenderError(Exception):
    """The template cannot be filled; the message says what is missing."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as build_and_push.sh writes them; comments and blanks skipped."""
    if not path.exists():
        raise RenderError(f"{path} does not exist: run scripts/build_and_push.sh first")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            raise RenderError(f"{path}:{number}: not a KEY=value line: {line!r}")
        values[key] = value.strip().strip("'\"")
    return values


def placeholders(node: Any) -> set[str]:
    return set(PLACEHOLDER.findall(json.dumps(node)))


def fill(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [fill(value, values) for value in node]
    if isinstance(node, str):
        whole = PLACEHOLDER.fullmatch(node)
        if whole and whole.group(1) in LIST_VALUES:
            return [item.strip() for item in values[whole.group(1)].split(",") if item.strip()]
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], node)
    return node


def render(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    missing = sorted(name for name in placeholders(template) if not values.get(name))
    if missing:
        raise RenderError(
            "no value for " + ", ".join(missing) + ": run scripts/build_and_push.sh, "
            "which writes them to deployments/cloud.env"
        )
    return fill(template, values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        values = read_env_file(args.env_file)
        values.update({k: v for k, v in os.environ.items() if k.startswith("GMP_") and v})
        rendered = render(json.loads(args.template.read_text()), values)
    except RenderError as error:
        print(f"render_job_template: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_name(args.output.name + ".partial")
    partial.write_text(json.dumps(rendered, indent=2) + "\n")
    partial.replace(args.output)
    print(f"render_job_template: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
