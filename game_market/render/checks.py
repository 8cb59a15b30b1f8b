"""The data checks artifact: one row per check, its status and its sentence, then figures."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from game_market.checks import Verdict, worst
from game_market.render.markdown import escape, strong, table


def checks_markdown(title: str, verdicts: Sequence[Verdict]) -> str:
    """The verdicts as the run's artifact: warnings and errors in bold, figures as JSON."""
    overall = worst(v.status for v in verdicts)
    rows = [
        [v.check, v.status if v.status == "ok" else strong(v.status), v.day, v.message]
        for v in verdicts
    ]
    figures = [
        f"- {escape(v.check)}: `{orjson.dumps(v.figures, option=orjson.OPT_SORT_KEYS).decode()}`"
        for v in verdicts
    ]
    return "\n\n".join(
        [
            f"# {escape(title)}",
            f"Overall: {strong(overall)}. Each check is also a Prefect event "
            "`game-market.data-check.<check>.<status>`.",
            table(["check", "status", "day", "what to know"], rows, align="llll"),
            "Figures:\n\n" + "\n".join(figures),
        ]
    )
