"""The dbt build artifact: every node of a build with its status and time, failures first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from game_market.render.markdown import strong, table

FAILED = frozenset({"error", "fail", "runtime error"})


@dataclass(frozen=True)
class NodeResult:
    resource: str  # model, test, unit_test, operation
    name: str
    status: str  # dbt's: success, pass, warn, fail, error, skipped, ...
    seconds: float
    detail: str = ""  # "3 failures", or the error on one line

    @property
    def failed(self) -> bool:
        return self.status in FAILED


def build_markdown(title: str, nodes: Sequence[NodeResult]) -> str:
    """A summary line, then one row per node: failed, warned and skipped first, then by time."""
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.status] = counts.get(node.status, 0) + 1
    summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    total = sum(node.seconds for node in nodes)
    order = {"error": 0, "runtime error": 0, "fail": 1, "warn": 2, "skipped": 3}
    rows = [
        [
            node.resource,
            node.name,
            strong(node.status) if node.failed else node.status,
            f"{node.seconds:.2f}",
            node.detail,
        ]
        for node in sorted(nodes, key=lambda n: (order.get(n.status, 4), -n.seconds, n.name))
    ]
    return "\n\n".join(
        [
            f"# {title}",
            f"{len(nodes)} nodes ({summary}), {total:.1f} s of node time.",
            table(["node", "name", "status", "seconds", "detail"], rows, align="lllrl"),
        ]
    )
