"""The report for a terminal: rich tables rendered to plain text (no colour, no markup)."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from game_market import ATTRIBUTION
from game_market.report.model import MarketReport
from game_market.report.sections import Table, sections

TEXT_WIDTH = 96
CELL_WIDTH = 40
"""Text cells longer than this end in an ellipsis; numbers are never cut."""


def _rich_table(table: Table) -> RichTable:
    rendered = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="")
    for header, side in zip(table.headers, table.align, strict=True):
        rendered.add_column(
            Text(header),
            justify="right" if side == "r" else "left",
            max_width=None if side == "r" else CELL_WIDTH,
            overflow="ellipsis",
            no_wrap=True,
        )
    for row in table.rows:
        rendered.add_row(*(Text(" ".join(cell.split())) for cell in row))
    return rendered


def render_text(report: MarketReport) -> str:
    """Aligned columns (wide characters take two), one block per section, the attribution last."""
    console = Console(
        file=io.StringIO(),
        width=TEXT_WIDTH,
        color_system=None,
        markup=False,
        emoji=False,
        highlight=False,
    )
    console.print(report.title, soft_wrap=True)
    console.print(report.subtitle, soft_wrap=True)
    for section in sections(report):
        console.print()
        console.print(section.title, soft_wrap=True)
        console.print("-" * len(section.title))
        if section.note:
            console.print(Text(section.note))
        if section.table is None:
            console.print(f"  ({section.empty})", soft_wrap=True)
        else:
            console.print(Padding(_rich_table(section.table), (0, 0, 0, 2)))
    console.print()
    console.print(ATTRIBUTION, soft_wrap=True)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())
