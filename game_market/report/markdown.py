"""The report as Markdown, for the market-summary Prefect artifact."""

from __future__ import annotations

from game_market import ATTRIBUTION
from game_market.render.markdown import emphasis, escape, table
from game_market.report.model import MarketReport
from game_market.report.sections import sections


def render_markdown(report: MarketReport) -> str:
    """A table per section, data made inert, the attribution last."""
    lines = [f"# {escape(report.title)}", "", escape(report.subtitle)]
    for section in sections(report):
        lines += ["", f"## {escape(section.title)}", ""]
        if section.note:
            lines += [emphasis(section.note), ""]
        if section.table is None:
            lines.append(emphasis(section.empty))
        else:
            lines.append(
                table(section.table.headers, section.table.rows, align=section.table.align)
            )
    lines += ["", "---", "", ATTRIBUTION]
    return "\n".join(lines) + "\n"
