"""The dbt build artifact: every node, failures first, data kept inert."""

from __future__ import annotations

from game_market.render.dbt_build import NodeResult, build_markdown


def test_failures_lead_then_the_slowest_nodes() -> None:
    nodes = [
        NodeResult("model", "dim_date", "success", 0.2),
        NodeResult("test", "unique_dim_games_game_id", "pass", 0.1),
        NodeResult("model", "int_games_deduplicated", "success", 1.5),
        NodeResult("test", "not_null_dim_games_game_id", "fail", 0.05, "3 failures"),
        NodeResult("model", "agg_x", "skipped", 0.0),
        NodeResult("model", "dim_games", "error", 0.3, "Binder Error: no column | x"),
    ]
    markdown = build_markdown("dbt build on duckdb", nodes)
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    names = [row.split(" | ")[1] for row in rows]
    assert names == [
        "dim\\_games",
        "not\\_null\\_dim\\_games\\_game\\_id",
        "agg\\_x",
        "int\\_games\\_deduplicated",
        "dim\\_date",
        "unique\\_dim\\_games\\_game\\_id",
    ]
    assert "**error**" in rows[0] and "no column \\| x" in rows[0]
    summary = "6 nodes (error 1, fail 1, pass 1, skipped 1, success 2), 2.1 s of node time."
    assert summary in markdown
