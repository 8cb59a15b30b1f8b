"""What ``gmp`` prints: tables and milestones through rich, the RAWG attribution last."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from game_market import ATTRIBUTION

# Lines are never wrapped: they are read in terminals, CI logs and pipes alike.
console = Console(highlight=False, soft_wrap=True, emoji=False)


def print_requests(reports: Iterable[Mapping[str, Any]]) -> None:
    """One row per endpoint, summed over the dates of the run, and the RAWG requests used."""
    totals: dict[str, dict[str, Any]] = {}
    for r in reports:
        row = totals.setdefault(
            r["endpoint"], {"dates": set(), "rows": 0, "pages": 0, "requests": 0}
        )
        row["dates"].add(r["dt"])
        for name in ("rows", "pages", "requests"):
            row[name] += r[name]
    table = Table("endpoint", "dates", "rows", "pages", "requests", box=None, pad_edge=False)
    for column in table.columns[1:]:
        column.justify = "right"
    for endpoint, row in totals.items():
        table.add_row(
            str(endpoint),
            f"{len(row['dates'])}",
            f"{row['rows']:,}",
            f"{row['pages']:,}",
            f"{row['requests']:,}",
        )
    console.print(table)
    console.print(f"RAWG requests used: {sum(r['requests'] for r in totals.values()):,}")
    console.print(ATTRIBUTION)


def notice(message: str) -> None:
    """A line about how the command runs, not what it found: on stderr, beside Prefect's."""
    print(message, file=sys.stderr, flush=True)


class _Milestones(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        console.print(f"  {record.getMessage()}", style="dim", markup=False)


def show_progress() -> None:
    """Milestones (the ``game_market.progress`` logger) on the console, one line each."""
    progress = logging.getLogger("game_market.progress")
    progress.addHandler(_Milestones())
    progress.setLevel(logging.INFO)
    progress.propagate = False
