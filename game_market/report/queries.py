"""Reading a ``MarketReport`` from the report marts: rows selected, nothing computed.

Every number comes from a dbt model (transforms/models/marts, the ``mart_report_*`` marts,
``fct_trending_games_daily``, ``agg_platform_share_monthly``, ``agg_rating_distribution`` and
``agg_publisher_leaderboard``); the queries below only pick the report day's rows and the top
ranks, in SQL both DuckDB and Snowflake run.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from game_market.errors import PipelineError
from game_market.report.model import (
    ChartSeries,
    MarketReport,
    PlatformShare,
    PublisherRow,
    RatingBucket,
    ReleaseChart,
    ShareRow,
    TrendingGame,
)
from game_market.warehouse import Reader, Warehouse, WarehouseNotReady

logger = logging.getLogger(__name__)

MARTS = (
    "mart_report_periods",
    "mart_report_genres",
    "mart_report_platforms",
    "mart_report_releases",
    "fct_trending_games_daily",
    "agg_platform_share_monthly",
    "agg_rating_distribution",
    "agg_publisher_leaderboard",
)
TOP_GENRES = 10
TOP_PLATFORMS = 10
TOP_TRENDING = 10
TOP_PUBLISHERS = 5
# Lines and facets past six get hard to tell apart (and Okabe-Ito has seven colours).
CHART_PLATFORMS = 6
CHART_GENRES = 6

PERIOD = """
select period_start, period_days, games_known, games_seen, games_released
from {schema}.mart_report_periods
where report_date = ?
"""
GENRES = """
select genre_rank, genre_id, genre_name, games, share_of_games_seen
from {schema}.mart_report_genres
where report_date = ? and genre_rank <= ?
order by genre_rank
"""
PLATFORMS = """
select platform_rank, parent_platform_id, parent_platform_name, games, share_of_games_seen
from {schema}.mart_report_platforms
where report_date = ? and platform_rank <= ?
order by platform_rank
"""
TRENDING_DATE = "select max(dt) from {schema}.fct_trending_games_daily where dt <= ?"
TRENDING = """
select
    trending_rank, game_id, game_name, added_count, added_delta, days_since_previous,
    added_per_day
from {schema}.fct_trending_games_daily
where dt = ? and trending_rank <= ?
order by trending_rank
"""
RELEASES = """
select release_month, series_rank, series_name, is_other, releases, month_releases
from {schema}.mart_report_releases
where report_date = ?
order by series_rank, release_month
"""
# The period's top platforms, as ranked in its platforms table, over the chart's months.
PLATFORM_SHARES = """
select
    shares.release_month, shares.parent_platform_id, shares.parent_platform_name,
    shares.releases, shares.share_of_releases
from {schema}.agg_platform_share_monthly as shares
inner join {schema}.mart_report_platforms as platforms
    on shares.parent_platform_id = platforms.parent_platform_id
where
    platforms.report_date = ? and platforms.platform_rank <= ?
    and shares.release_month between ? and ?
order by platforms.platform_rank, shares.release_month
"""
RATING_YEAR = (
    "select max(release_year) from {schema}.agg_rating_distribution where release_year < ?"
)
# The period's top genres, as ranked in its genres table; bands sort lowest first, unrated last.
RATINGS = """
select ratings.genre_id, ratings.genre_name, ratings.rating_bucket, ratings.games
from {schema}.agg_rating_distribution as ratings
inner join {schema}.mart_report_genres as genres on ratings.genre_id = genres.genre_id
where genres.report_date = ? and genres.genre_rank <= ? and ratings.release_year = ?
order by genres.genre_rank, ratings.rating_bucket
"""
PUBLISHER_YEAR = (
    "select max(release_year) from {schema}.agg_publisher_leaderboard where release_year < ?"
)
PUBLISHERS = """
select
    leaderboard_rank, publisher_id, publisher_name, games, ratings_count, avg_rating,
    bayesian_rating
from {schema}.agg_publisher_leaderboard
where release_year = ? and leaderboard_rank <= ?
order by leaderboard_rank
"""


class ReportDayMissing(PipelineError):
    """The warehouse holds no report rows for the day asked for."""


def build_report(warehouse: Warehouse, date: datetime.date | None = None) -> MarketReport:
    """The report for ``date`` (default: the latest report day) from ``warehouse``'s marts."""
    with warehouse.reader() as reader:
        _check_marts(reader, warehouse)
        report = _read_report(reader, warehouse, date)
    logger.info(
        "Market report for %s (%d days) read from %s",
        report.report_date,
        report.period_days,
        warehouse.name,
    )
    return report


def _check_marts(reader: Reader, warehouse: Warehouse) -> None:
    present = reader.tables()
    missing = [name for name in MARTS if name not in present]
    if missing:
        raise WarehouseNotReady(
            f"The warehouse at {warehouse.name} has no {', '.join(missing)} yet: "
            f"{warehouse.fill_commands}."
        )
    if not reader.rows("select count(*) from {schema}.mart_report_periods")[0][0]:
        raise WarehouseNotReady(
            f"The warehouse at {warehouse.name} has empty marts (mart_report_periods): "
            f"{warehouse.fill_commands}."
        )


def _read_report(reader: Reader, warehouse: Warehouse, date: datetime.date | None) -> MarketReport:
    if date is None:
        date = reader.rows("select max(report_date) from {schema}.mart_report_periods")[0][0]
        assert isinstance(date, datetime.date)
    period = reader.rows(PERIOD, [date])
    if not period:
        first, last = reader.rows(
            "select min(report_date), max(report_date) from {schema}.mart_report_periods"
        )[0]
        raise ReportDayMissing(
            f"The warehouse at {warehouse.name} has no report for {date}, only for {first} to "
            f"{last}: pick a date in that range, or build the days up to {date} first."
        )
    period_start, period_days, known, seen, released = period[0]

    trending_date = reader.rows(TRENDING_DATE, [date])[0][0]
    trending = reader.rows(TRENDING, [trending_date, TOP_TRENDING]) if trending_date else []
    publisher_year = reader.rows(PUBLISHER_YEAR, [date.year])[0][0]
    publishers = reader.rows(PUBLISHERS, [publisher_year, TOP_PUBLISHERS]) if publisher_year else []
    release_chart = _release_chart(reader.rows(RELEASES, [date]))
    months = release_chart.months
    shares = (
        reader.rows(PLATFORM_SHARES, [date, CHART_PLATFORMS, months[0], months[-1]])
        if months
        else []
    )
    rating_year = reader.rows(RATING_YEAR, [date.year])[0][0]
    ratings = reader.rows(RATINGS, [date, CHART_GENRES, rating_year]) if rating_year else []

    return MarketReport(
        warehouse=warehouse.name,
        report_date=date,
        period_start=period_start,
        period_days=int(period_days),
        games_in_warehouse=int(known),
        games_seen_in_period=int(seen),
        releases_in_period=int(released),
        top_genres=tuple(map(_share_row, reader.rows(GENRES, [date, TOP_GENRES]))),
        top_platforms=tuple(map(_share_row, reader.rows(PLATFORMS, [date, TOP_PLATFORMS]))),
        trending_date=trending_date if trending else None,
        trending=tuple(map(_trending_game, trending)),
        release_chart=release_chart,
        platform_shares=tuple(map(_platform_share, shares)),
        rating_year=int(rating_year) if ratings else None,
        rating_buckets=tuple(map(_rating_bucket, ratings)),
        publisher_year=int(publisher_year) if publishers else None,
        top_publishers=tuple(map(_publisher_row, publishers)),
    )


def _share_row(row: tuple[Any, ...]) -> ShareRow:
    rank, row_id, name, games, share = row
    return ShareRow(
        rank=int(rank),
        id=int(row_id),
        name=name if name is not None else f"#{row_id}",
        games=int(games),
        share=float(share),
    )


def _trending_game(row: tuple[Any, ...]) -> TrendingGame:
    rank, game_id, name, added_count, added_delta, days, per_day = row
    return TrendingGame(
        rank=int(rank),
        game_id=int(game_id),
        game_name=name if name is not None else f"game {game_id}",
        added_count=int(added_count or 0),
        added_delta=int(added_delta or 0),
        days_since_previous=int(days or 0),
        added_per_day=float(per_day or 0.0),
    )


def _platform_share(row: tuple[Any, ...]) -> PlatformShare:
    release_month, platform_id, name, releases, share = row
    return PlatformShare(
        release_month=release_month,
        platform_id=int(platform_id),
        platform_name=name if name is not None else f"#{platform_id}",
        releases=int(releases),
        share=float(share),
    )


def _rating_bucket(row: tuple[Any, ...]) -> RatingBucket:
    genre_id, name, bucket, games = row
    return RatingBucket(
        genre_id=int(genre_id),
        genre_name=name if name is not None else f"#{genre_id}",
        bucket=bucket,
        games=int(games),
    )


def _publisher_row(row: tuple[Any, ...]) -> PublisherRow:
    rank, publisher_id, name, games, ratings_count, avg_rating, bayesian_rating = row
    return PublisherRow(
        rank=int(rank),
        publisher_id=int(publisher_id),
        publisher_name=name if name is not None else f"publisher {publisher_id}",
        games=int(games),
        ratings_count=int(ratings_count or 0),
        avg_rating=None if avg_rating is None else float(avg_rating),
        bayesian_rating=None if bayesian_rating is None else float(bayesian_rating),
    )


def _release_chart(rows: list[tuple[Any, ...]]) -> ReleaseChart:
    """Rows ordered by series, then month: one series after the other, every month each."""
    months = tuple(sorted({row[0] for row in rows}))
    totals = {month: int(total) for month, *_, total in rows}
    series: list[ChartSeries] = []
    for start in range(0, len(rows), len(months)):
        block = rows[start : start + len(months)]
        _, _, name, is_other, _, _ = block[0]
        series.append(
            ChartSeries(
                name=name, is_other=bool(is_other), counts=tuple(int(row[4]) for row in block)
            )
        )
    return ReleaseChart(
        months=months, series=tuple(series), totals=tuple(totals[month] for month in months)
    )
