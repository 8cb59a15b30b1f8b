"""Markdown for Prefect artifacts: data made inert, and tables.

``escape`` turns any value into text that Markdown shows as is (no emphasis, links, code,
raw HTML or table breaks). ``Markdown`` marks text the caller wrote as markup on purpose;
``strong`` and ``emphasis`` build it from data. ``table`` escapes plain cells and keeps
``Markdown`` cells:

    table(["endpoint", "rows"], [["games", "1,024"], ["genres", strong("failed")]], align="lr")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Enough to keep data inert: no emphasis, code, links (no brackets) or table breaks.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


class Markdown(str):
    """Text that is already Markdown: put in documents and tables as it is."""


def escape(value: object) -> Markdown:
    """``value`` as one line of Markdown that shows exactly its text."""
    if isinstance(value, Markdown):
        return value
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markdown(_SPECIAL.sub(r"\\\1", text))


def strong(value: object) -> Markdown:
    return Markdown(f"**{escape(value)}**")


def emphasis(value: object) -> Markdown:
    return Markdown(f"_{escape(value)}_")


def table(
    headers: Sequence[object], rows: Iterable[Sequence[object]], *, align: str | None = None
) -> Markdown:
    """A table, one line per row; ``align`` has one letter per column, ``l`` or ``r``."""
    align = align or "l" * len(headers)
    if len(align) != len(headers) or set(align) - {"l", "r"}:
        raise ValueError(f"align needs one of l/r per column ({len(headers)}), got {align!r}")

    def line(cells: Sequence[object]) -> str:
        if len(cells) != len(headers):
            raise ValueError(f"a row has {len(cells)} cells for {len(headers)} columns")
        return "| " + " | ".join(escape(cell) for cell in cells) + " |"

    rule = "|" + "|".join("---:" if side == "r" else "---" for side in align) + "|"
    return Markdown("\n".join([line(headers), rule, *map(line, rows)]))
