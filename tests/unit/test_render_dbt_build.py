"""The dbt build artifact: every node, failures first, data kept inert."""

from __future__ import annotations

from types import SimpleNamespace

from dbt.contracts.results import RunExecutionResult

from flows.transform import node_results
from game_market.render.dbt_build import NodeResult, build_markdown


def test_failures_lead_then_the_slowest_nodes() -> None:
    nodes = [
        NodeResult("model", "dim_date", "success", 0.2),
        NodeResult("test", "primary_key_dim_games_game_id", "pass", 0.1),
        NodeResult("model", "int_games_deduplicated", "success", 1.5),
        NodeResult("test", "not_null_dim_games_game_name", "fail", 0.05, "3 failures"),
        NodeResult("model", "agg_x", "skipped", 0.0),
        NodeResult("model", "dim_games", "error", 0.3, "Binder Error: no column | x"),
    ]
    markdown = build_markdown("dbt build on duckdb", nodes)
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    names = [row.split(" | ")[1] for row in rows]
    assert names == [
        "dim\\_games",
        "not\\_null\\_dim\\_games\\_game\\_name",
        "agg\\_x",
        "int\\_games\\_deduplicated",
        "dim\\_date",
        "primary\\_key\\_dim\\_games\\_game\\_id",
    ]
    assert "**error**" in rows[0] and "no column \\| x" in rows[0]
    summary = "6 nodes (error 1, fail 1, pass 1, skipped 1, success 2), 2.1 s of node time."
    assert summary in markdown


def test_an_error_is_named_on_one_line_with_its_cause() -> None:
    """dbt's message starts with the error's kind on a line of its own; alone, "Internal
    Error" would leave the person on call nothing to go on."""
    message = "Internal Error\n  Node test.x was not found in the manifest, with  spaces"
    result = SimpleNamespace(
        node=SimpleNamespace(resource_type="test", name="unique_x"),
        status="error",
        failures=None,
        message=message,
        execution_time=0.1,
    )
    [node] = node_results(RunExecutionResult(results=[result], elapsed_time=0.1))
    assert node.detail == "Internal Error Node test.x was not found in the manifest, with spaces"
    assert node.failed
