"""Completeness: the distinct game ids a day landed against RAWG's own count for the day.

RAWG's ``count`` (the first page's total for ``updated=D,D``) is what the day holds; the
partition's manifest records it beside the distinct ids that landed, the items set aside in
quarantine and the rows RAWG's 500-page window keeps from any request. What is missing
beyond those two changed while paging (or never arrived).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from game_market.checks import Verdict
from game_market.lake import Lake, Manifest

# Shares of RAWG's count that landed: under WARN_BELOW a person should look, under
# ERROR_BELOW the day's marts are visibly wrong. Rows change while a big day is paged, so a
# real day lands a little under its count.
WARN_BELOW = 0.99
ERROR_BELOW = 0.90


@dataclass(frozen=True)
class Landing:
    """What the day's games partition holds against what RAWG reported."""

    landed: int  # distinct ids
    expected: int | None  # RAWG's count
    quarantined: int = 0
    unreachable: int = 0
    truncated: bool = False

    @classmethod
    def of(cls, manifest: Manifest) -> Landing:
        return cls(
            landed=manifest.rows,
            expected=manifest.expected_rows,
            quarantined=manifest.quarantined,
            unreachable=manifest.unreachable,
            truncated=manifest.truncated,
        )


def completeness_verdict(day: date, landing: Landing | None) -> Verdict:
    figures: dict[str, int | float | None] = {
        "landed": None if landing is None else landing.landed,
        "expected": None if landing is None else landing.expected,
        "share": None,
        "quarantined": 0 if landing is None else landing.quarantined,
        "unreachable": 0 if landing is None else landing.unreachable,
    }

    def verdict(status: str, message: str) -> Verdict:
        return Verdict("completeness", status, day.isoformat(), message, figures)  # type: ignore[arg-type]

    if landing is None:
        return verdict("error", f"No games partition landed for {day}: gmp daily --date {day}.")
    if landing.truncated:
        return verdict(
            "ok", f"{landing.landed:,} games landed for {day}: capped by max_pages, as asked."
        )
    if not landing.expected:
        return verdict("ok", f"RAWG counted no games updated on {day}.")
    share = landing.landed / landing.expected
    figures["share"] = round(share, 4)
    status = "ok" if share >= WARN_BELOW else "warn" if share >= ERROR_BELOW else "error"
    missing = max(0, landing.expected - landing.landed)
    head = (
        f"{landing.landed:,} of the {landing.expected:,} games RAWG counted for {day} "
        f"landed ({share:.1%})"
    )
    if not missing:
        return verdict(status, head + ".")
    causes = []
    if landing.unreachable:
        causes.append(f"{landing.unreachable:,} beyond RAWG's 500-page window")
    if landing.quarantined:
        causes.append(f"{landing.quarantined:,} set aside in the lake's quarantine folder")
    other = missing - landing.unreachable - landing.quarantined
    if other > 0:
        causes.append(f"{other:,} changed while paging or never arrived (rerun the day)")
    return verdict(status, f"{head}; missing: {', '.join(causes)}.")


def read_completeness(lake: Lake, days: Sequence[date]) -> list[Verdict]:
    verdicts = []
    for day in days:
        manifest = lake.read_manifest("games", day)
        verdicts.append(
            completeness_verdict(day, None if manifest is None else Landing.of(manifest))
        )
    return verdicts
