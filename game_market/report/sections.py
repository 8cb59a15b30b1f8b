"""The report laid out once for every renderer: sections of titled tables of display text.

Numbers are formatted here (thousands separators, percentages, month names), so the text,
Markdown and HTML renderings show the same figures and differ only in markup.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from game_market.report.model import RATING_BUCKETS, MarketReport, ShareRow

NO_TRENDING = "no trending data yet: games need two snapshots"
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str
    """One letter per column: ``r`` right-aligned (numbers), ``l`` left-aligned."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    note: str | None
    table: Table | None
    empty: str = ""
    """Shown instead of the table when there is none."""


def count(value: int) -> str:
    return f"{value:,}"


def share(value: float) -> str:
    return f"{value:.1%}"


def rating(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def month(value: datetime.date) -> str:
    return f"{MONTH_ABBR[value.month - 1]} {value.year}"


def _table(headers: tuple[str, ...], align: str, rows: list[tuple[str, ...]]) -> Table | None:
    return Table(headers, tuple(rows), align) if rows else None


def _share_table(label: str, rows: tuple[ShareRow, ...]) -> Table | None:
    return _table(
        ("#", label, "Games", "Share"),
        "rlrr",
        [(str(row.rank), row.name, count(row.games), share(row.share)) for row in rows],
    )


def _overview(report: MarketReport) -> Section:
    rows = [
        ("Games seen by the daily feed", count(report.games_in_warehouse)),
        ("Games seen in the period", count(report.games_seen_in_period)),
        ("Games released in the period", count(report.releases_in_period)),
    ]
    return Section("overview", "Overview", None, _table(("Measure", "Value"), "lr", rows))


def _trending(report: MarketReport) -> Section:
    title = "Trending games"
    note = "Library adds gained per day since each game's previous snapshot."
    if report.trending_date is not None:
        title += f" on {report.trending_date.isoformat()}"
        if report.trending_date != report.report_date:
            note += (
                f" No trending rows on {report.report_date.isoformat()}: showing the latest "
                "earlier day."
            )
    rows = [
        (
            str(game.rank),
            game.game_name,
            count(game.added_count),
            f"{game.added_delta:+,}",
            count(game.days_since_previous),
            f"{game.added_per_day:,.1f}",
        )
        for game in report.trending
    ]
    table = _table(("#", "Game", "Added", "Gained", "Days", "Added/day"), "rlrrrr", rows)
    return Section("trending", title, note, table, NO_TRENDING)


def _releases(report: MarketReport) -> Section:
    chart = report.release_chart
    genres = [series.name for series in chart.series if not series.is_other]
    others = [series.name for series in chart.series if series.is_other]
    note = (
        f"Games released per month, {month(chart.months[0])} to {month(chart.months[-1])} "
        f"(to {report.report_date.isoformat()}), in the {len(genres)} biggest genres"
        f"{''.join(f' and {name}' for name in others)}; a game counts in each of its genres, "
        "Total counts it once."
    )
    rows = [
        (
            month(value),
            *(count(series.counts[index]) for series in chart.series),
            count(chart.totals[index]),
        )
        for index, value in enumerate(chart.months)
    ]
    headers = ("Month", *(series.name for series in chart.series), "Total")
    table = _table(headers, "l" + "r" * (len(headers) - 1), rows)
    return Section("releases", "Releases per month by genre", note, table)


def _platform_shares(report: MarketReport) -> Section:
    """A month per row, a platform per column; a dash where a platform had no release."""
    platforms = {row.platform_id: row.platform_name for row in report.platform_shares}
    shares = {(row.release_month, row.platform_id): row.share for row in report.platform_shares}
    rows = [
        (
            month(value),
            *(share(shares[value, key]) if (value, key) in shares else "-" for key in platforms),
        )
        for value in report.release_chart.months
    ]
    return Section(
        "platform-share",
        "Platform share of releases per month",
        "Each month's dated releases (the whole month, announced dates included) on the period's "
        "top platforms; a game on several platforms counts on each, so shares add up past 100%.",
        _table(("Month", *platforms.values()), "l" + "r" * len(platforms), rows)
        if platforms
        else None,
        "no releases on the period's top platforms in these months",
    )


def _ratings(report: MarketReport) -> Section:
    """A genre per row, a rating band per column: games released in the rating year."""
    title = "Rating distribution by genre"
    if report.rating_year is not None:
        title = f"Rating distribution of {report.rating_year}'s releases by genre"
    genres = {row.genre_id: row.genre_name for row in report.rating_buckets}
    games = {(row.genre_id, row.bucket): row.games for row in report.rating_buckets}
    rows = [
        (name, *(count(games.get((key, bucket), 0)) for bucket in RATING_BUCKETS))
        for key, name in genres.items()
    ]
    return Section(
        "ratings",
        title,
        "Games per RAWG rating band (stars) in the period's top genres; a game counts in each "
        "of its genres.",
        _table(
            ("Genre", *(band.capitalize() for band in RATING_BUCKETS)),
            "l" + "r" * len(RATING_BUCKETS),
            rows,
        ),
        f"no rating distribution for a year before {report.report_date.year} yet",
    )


def _publishers(report: MarketReport) -> Section:
    title = "Top publishers"
    if report.publisher_year is not None:
        title += f" of {report.publisher_year}"
    rows = [
        (
            str(row.rank),
            row.publisher_name,
            count(row.games),
            count(row.ratings_count),
            rating(row.avg_rating),
            rating(row.bayesian_rating),
        )
        for row in report.top_publishers
    ]
    return Section(
        "publishers",
        title,
        "Ranked by Bayesian-weighted rating (ratings-weighted, shrunk to the year's mean).",
        _table(("#", "Publisher", "Games", "Ratings", "Avg rating", "Weighted"), "rlrrrr", rows),
        f"no publisher leaderboard for a year before {report.report_date.year} yet",
    )


def sections(report: MarketReport) -> list[Section]:
    return [
        _overview(report),
        Section(
            "genres",
            "Top genres of the period",
            "Games seen in the period per genre; shares overlap, as a game has several genres.",
            _share_table("Genre", report.top_genres),
            "no genres for the games seen in the period",
        ),
        _ratings(report),
        Section(
            "platforms",
            "Top platforms of the period",
            "Games seen in the period per parent platform; a game on several counts in each.",
            _share_table("Platform", report.top_platforms),
            "no platforms for the games seen in the period",
        ),
        _platform_shares(report),
        _trending(report),
        _releases(report),
        _publishers(report),
    ]
