"""Reading the Terraform roots for the structural tests (python-hcl2, no terraform needed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)
VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Root:
    """One Terraform root: every top-level block of every .tf file, merged by kind."""

    path: Path
    texts: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.texts.values())

    def named(self, kind: str) -> dict[str, Any]:
        """variable/output/module blocks: name -> body."""
        return {name: body for block in self.blocks.get(kind, []) for name, body in block.items()}

    def typed(self, kind: str) -> dict[tuple[str, str], Any]:
        """resource/data blocks: (type, name) -> body."""
        return {
            (rtype, name): body
            for block in self.blocks.get(kind, [])
            for rtype, named in block.items()
            for name, body in named.items()
        }

    def resources(self) -> dict[tuple[str, str], Any]:
        return self.typed("resource")

    def data(self) -> dict[tuple[str, str], Any]:
        return self.typed("data")

    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for block in self.blocks.get("locals", []):
            merged.update(block)
        return merged

    def referenced_variables(self) -> set[str]:
        return set(VAR_REF.findall(_without_comments(self.text)))


def _without_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def load_root(name: str) -> Root:
    root = Root(INFRA / name)
    for path in sorted(root.path.glob("*.tf")):
        text = path.read_text()
        root.texts[path.name] = text
        for kind, blocks in hcl2.loads(text, serialization_options=_OPTIONS).items():
            root.blocks.setdefault(kind, []).extend(blocks)
    return root


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(root: Root) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every aws_iam_policy_document: (document name, statement)."""
    for (dtype, name), body in root.data().items():
        if dtype == "aws_iam_policy_document":
            for statement in as_list(body.get("statement", [])):
                yield name, statement


def comment_above_statement(text: str, sid: str) -> str:
    """The comment lines right above the `statement {` that holds `sid = "<sid>"`."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if re.search(rf'\bsid\s*=\s*"{sid}"', line))
    while not lines[index].strip().startswith("statement"):
        index -= 1
    comment: list[str] = []
    index -= 1
    while index >= 0 and lines[index].strip().startswith("#"):
        comment.insert(0, lines[index].strip().lstrip("#").strip())
        index -= 1
    return " ".join(comment)
