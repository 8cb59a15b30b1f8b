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


LONG_RANGE_DAYS = 3 * 366  # a backfill longer than this must be confirmed
REQUESTS_A_DAY = 120  # a default day: ~68 pages of games and 50 details (docs/rawg-key.md)


def check_long_range(days: list[date], confirmed: bool) -> None:
    """A backfill over 3 years spends months of the free tier: it runs only when confirmed."""
    if len(days) > LONG_RANGE_DAYS and not confirmed:
        raise PipelineError(
            f"{days[0]}..{days[-1]} is {len(days):,} days, over 3 years: at ~{REQUESTS_A_DAY} "
            f"RAWG requests a day that is ~{REQUESTS_A_DAY * len(days):,} requests, against "
            "20,000 a month on the free tier; pass confirm_long_range=true "
            "(gmp: --confirm-long-range) to run it."
        )
