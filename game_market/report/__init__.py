"""The market report: what it says, read from the report marts of either warehouse.

Plain Python (no Prefect). ``build_report`` selects one report day's rows from the marts dbt
built (every number is computed there) into a ``MarketReport`` (``model``); ``sections``
says it as titled tables of display text, its figures formatted once so every rendering
shows the same. The renderings (text, Markdown, HTML and the charts) are in
``game_market.render``.
"""

from __future__ import annotations

from game_market.report.model import MarketReport
from game_market.report.queries import ReportDayMissing, build_report

__all__ = ["MarketReport", "ReportDayMissing", "build_report"]
