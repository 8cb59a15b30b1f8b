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


def parse_month(value: str, flag: str) -> date:
    """``YYYY-MM`` as the month's first day; a month after the current one is refused."""
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise PipelineError(f"{flag} must be a month like 2026-01, not {value!r}.") from None
    if first > today_utc().replace(day=1):
        raise PipelineError(
            f"{flag} {value} is after the current month: RAWG lists no release of it yet; "
            "pick the current month or an earlier one."
        )
    return first


def month_end(first: date) -> date:
    """The last day of the month that starts on ``first``."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month_range(
    start: date, end: date, names: tuple[str, str] = ("--start", "--end")
) -> list[date]:
    """The first day of every month from ``start``'s through ``end``'s (inclusive)."""
    start, end = start.replace(day=1), end.replace(day=1)
    if end < start:
        raise PipelineError(
            f"{names[1]} {end:%Y-%m} is before {names[0]} {start:%Y-%m}: give the earlier month "
            "first."
        )
    months = [start]
    while months[-1] < end:
        months.append(month_end(months[-1]) + timedelta(days=1))
    return months


def recent_months(count: int = 12, last: date | None = None) -> tuple[date, date]:
    """The first days of the first and last of the ``count`` months up to and including
    ``last``'s month (default: the current UTC month)."""
    last = first = (last or today_utc()).replace(day=1)
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last
