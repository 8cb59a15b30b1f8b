"""Freshness: how long ago each lake source last landed, as ``dbt source freshness`` measures
it from the rows' landing time (``_ingested_at``).

The thresholds are the dbt sources' own (game_market.exports writes them into
``_rawg__sources.yml``), so dbt's status per source is the verdict's input: the daily run
lands every source once a day, and a day late is a warning, two days an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from game_market.checks import Status, Verdict, worst

LOADED_AT_FIELD = "_ingested_at"
WARN_AFTER_HOURS = 26  # a daily run's day plus its schedule's slack
ERROR_AFTER_HOURS = 50  # two daily runs missed
# dbt's freshness statuses; "runtime error" is a source dbt could not read.
DBT_STATUSES: dict[str, Status] = {
    "pass": "ok",
    "warn": "warn",
    "error": "error",
    "runtime error": "error",
}


@dataclass(frozen=True)
class SourceFreshness:
    """One lake source as dbt found it."""

    name: str  # the endpoint, e.g. games
    status: str  # dbt's: pass, warn, error, runtime error
    age_hours: float | None = None  # since its newest row landed
    error: str = ""  # why dbt could not measure it


def freshness_verdict(day: date, sources: Sequence[SourceFreshness], failure: str = "") -> Verdict:
    """The worst of the sources' statuses; ``failure`` is why dbt measured none."""
    figures = {
        "sources": {s.name: s.status for s in sources},
        "age_hours": {
            s.name: None if s.age_hours is None else round(s.age_hours, 2) for s in sources
        },
        "warn_after_hours": WARN_AFTER_HOURS,
        "error_after_hours": ERROR_AFTER_HOURS,
    }
    if not sources:
        why = failure.rstrip(".") or "it measured no lake source"
        message = f"dbt source freshness did not run ({why}): see the run's log."
        return Verdict("freshness", "error", day.isoformat(), message, figures)
    statuses = {s.name: DBT_STATUSES.get(s.status, "error") for s in sources}
    status = worst(statuses.values())
    if status == "ok":
        oldest = max(sources, key=lambda s: s.age_hours or 0)
        message = (
            f"Every lake source landed within {WARN_AFTER_HOURS} h "
            f"(the oldest, {oldest.name}, {oldest.age_hours or 0:.1f} h ago)."
        )
        return Verdict("freshness", status, day.isoformat(), message, figures)
    flagged = [s for s in sources if statuses[s.name] == status]
    unread = [s for s in flagged if s.age_hours is None]
    if unread:
        names = ", ".join(f"{s.name} ({s.error or s.status})" for s in unread)
        message = f"dbt could not measure the freshness of {names}."
    else:
        ages = ", ".join(f"{s.name} {s.age_hours:.1f} h ago" for s in flagged)
        limit = WARN_AFTER_HOURS if status == "warn" else ERROR_AFTER_HOURS
        message = (
            f"The lake's newest rows are older than {limit} h ({ages}): the daily run has not "
            "landed them; see its last run, or run gmp daily."
        )
    return Verdict("freshness", status, day.isoformat(), message, figures)
