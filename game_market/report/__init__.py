"""The market report: read from the report marts of either warehouse, rendered three ways.

Plain Python (no Prefect). ``build_report`` selects one report day's rows from the marts dbt
built (every number is computed there) into a ``MarketReport``; ``render_text``,
``render_markdown`` and ``render_html`` only lay it out. Every rendering credits RAWG.
"""

from __future__ import annotations

from game_market.report.html import render_html, write_html
from game_market.report.markdown import render_markdown
from game_market.report.model import MarketReport
from game_market.report.queries import ReportDayMissing, build_report
from game_market.report.text import render_text

__all__ = [
    "MarketReport",
    "ReportDayMissing",
    "build_report",
    "render_html",
    "render_markdown",
    "render_text",
    "write_html",
]
