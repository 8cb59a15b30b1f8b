"""The report as Markdown, for the market-summary Prefect artifact."""

from __future__ import annotations

from game_market import ATTRIBUTION
from game_market.render.markdown import emphasis, escape, table
from game_market.report.model import MarketReport
from game_market.report.sections import sections


def render_markdown(report: MarketReport) -> str:
    """A chart and a table per section, data made inert, the attribution last.

    Charts are SVG images in ``data:`` URIs: Prefect's UI shows ``data:image/`` sources in
    Markdown artifacts (its React UI allows them through its sanitiser, the Vue one renders
    every image), and an SVG in an ``<img>`` runs no script and loads nothing. The tables
    below them keep the numbers readable where images are not shown.
    """
    # Imported here, not with the module: only a page or an artifact draws (see report_charts).
    from game_market.render.report_charts import charts

    drawn = charts(report)
    lines = [f"# {escape(report.title)}", "", escape(report.subtitle)]
    for section in sections(report):
        lines += ["", f"## {escape(section.title)}", ""]
        if section.note:
            lines += [emphasis(section.note), ""]
        if chart := drawn.get(section.key):
            lines += [f"![{escape(chart.title)}]({chart.data_uri})", ""]
        if section.table is None:
            lines.append(emphasis(section.empty))
        else:
            lines.append(
                table(section.table.headers, section.table.rows, align=section.table.align)
            )
    lines += ["", "---", "", ATTRIBUTION]
    return "\n".join(lines) + "\n"
