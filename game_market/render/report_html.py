"""The report as a self-contained HTML page, from the jinja2 templates beside this module."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from game_market import ATTRIBUTION
from game_market.report.model import MarketReport
from game_market.report.sections import sections

RAWG_URL = "https://rawg.io"

# Autoescape everywhere: game and publisher names come from the API.
_TEMPLATES = Environment(
    loader=PackageLoader("game_market.render", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_html(report: MarketReport) -> str:
    """The page: a table per section, charts as inline SVG above theirs, RAWG linked below."""
    # Imported here, not with the module: only a page or an artifact draws (see report_charts).
    from game_market.render.report_charts import charts

    before, url, after = ATTRIBUTION.partition(RAWG_URL)
    return _TEMPLATES.get_template("report.html.j2").render(
        report=report,
        sections=sections(report),
        charts=charts(report),
        attribution=(before, url, after),
    )


def write_html(report: MarketReport, path: str | Path) -> Path:
    """Write ``render_html(report)`` to ``path``, creating its folders; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(report), encoding="utf-8")
    return target
