"""Run dates: parsed and checked once, with one sentence that names the fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from game_market.errors import PipelineError


def today_utc() -> date:
    return datetime.now(UTC).date()


def parse_date(value: str, flag: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PipelineError(
            f"{flag} must be a calendar date like 2026-01-05, not {value!r}."
        ) from None
    return check_not_future(parsed, flag)


def check_not_future(day: date, name: str) -> date:
    if day > today_utc():
        raise PipelineError(
            f"{name} {day} is in the future: RAWG has no data for it yet; pick today or earlier."
        )
    return day


def date_range(
    start: date, end: date | None, names: tuple[str, str] = ("--date", "--end")
) -> list[date]:
    """Every day from ``start`` through ``end`` (inclusive); just ``start`` without an end."""
    if end is None:
        return [start]
    if end < start:
        raise PipelineError(
            f"{names[1]} {end} is before {names[0]} {start}: give the earlier date first."
        )
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
