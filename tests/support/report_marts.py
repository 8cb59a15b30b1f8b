"""A warehouse holding only what the report reads: the report marts and the four others, with
rows written directly (what dbt would have computed), in schema main as dbt-duckdb builds.

The default rows describe one report day, 2026-03-15, with a 14-day period: 7 games known, 5
seen in the period, 2 released in it; the same figures tests/integration/test_report_marts.py
has dbt compute from the games behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

REPORT_DAY = date(2026, 3, 15)
SCRIPT_NAME = "<script>alert('x')</script> & Co"
CHART_MONTHS = tuple(date(2025 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(12))

# (report_date, period_start, period_days, games_known, games_seen, games_released)
PERIODS: list[tuple[Any, ...]] = [
    (date(2026, 3, 14), date(2026, 3, 1), 14, 7, 5, 2),
    (REPORT_DAY, date(2026, 3, 2), 14, 7, 5, 2),
    (date(2026, 3, 16), date(2026, 3, 3), 14, 7, 4, 2),
]
# (report_date, genre_id, genre_name, games, share_of_games_seen, genre_rank)
GENRES: list[tuple[Any, ...]] = [
    (REPORT_DAY, 4, "Action", 2, 0.4, 1),
    (REPORT_DAY, 51, "Indie", 2, 0.4, 2),
    (REPORT_DAY, 5, "RPG", 1, 0.2, 3),
]
# (report_date, parent_platform_id, parent_platform_name, games, share, platform_rank)
PLATFORMS: list[tuple[Any, ...]] = [
    (REPORT_DAY, 1, "PC", 2, 0.4, 1),
    (REPORT_DAY, 2, "PlayStation", 2, 0.4, 2),
    (REPORT_DAY, 3, "Xbox", 1, 0.2, 3),
]
# series -> (genre_id, is_other, {month: releases}); month totals below.
CHART: dict[str, tuple[int | None, bool, dict[date, int]]] = {
    "Action": (4, False, {date(2026, 2, 1): 1, date(2026, 3, 1): 1}),
    "Indie": (51, False, {date(2026, 3, 1): 1}),
    "RPG": (5, False, {date(2025, 4, 1): 1}),
    "Other": (None, True, {date(2026, 3, 1): 1}),
}
MONTH_TOTALS = {date(2025, 4, 1): 1, date(2026, 2, 1): 1, date(2026, 3, 1): 2}
# (release_month, parent_platform_id, parent_platform_name, releases, month_releases,
#  share_of_releases, added_count, share_of_added)
PLATFORM_SHARES: list[tuple[Any, ...]] = [
    (date(2025, 3, 1), 1, "PC", 1, 1, 1.0, 10, 1.0),  # the month before the chart's
    (date(2025, 4, 1), 3, "Xbox", 1, 1, 1.0, 10, 1.0),
    (date(2026, 2, 1), 1, "PC", 1, 1, 1.0, 10, 1.0),
    (date(2026, 3, 1), 1, "PC", 2, 3, 2 / 3, 20, 0.5),  # announced for after the report day too
    (date(2026, 3, 1), 2, "PlayStation", 1, 3, 1 / 3, 5, 0.125),
    (date(2026, 3, 1), 9, "SEGA", 1, 3, 1 / 3, 5, 0.125),  # not among the period's platforms
]
# (release_year, genre_id, genre_name, rating_bucket, games, share_of_year_genre)
RATINGS: list[tuple[Any, ...]] = [
    (2025, 4, "Action", "4-5", 2, 2 / 3),
    (2025, 4, "Action", "unrated", 1, 1 / 3),
    (2025, 51, "Indie", "3-4", 1, 1.0),
    (2025, 5, "RPG", "0-1", 1, 1.0),
    (2025, 7, "Puzzle", "3-4", 5, 1.0),  # not among the period's genres
    (2026, 4, "Action", "4-5", 9, 1.0),  # the report day's own year
    (2024, 51, "Indie", "2-3", 1, 1.0),  # an older year
]
# (dt, game_id, game_name, added_count, added_delta, days_since_previous, added_per_day, rank)
TRENDING: list[tuple[Any, ...]] = [
    *(
        (
            date(2026, 3, 14),
            100 + rank,
            f"Riser {rank}",
            5000 + rank,
            130 - rank,
            1,
            130.0 - rank,
            rank,
        )
        for rank in range(2, 13)
    ),
    (date(2026, 3, 14), 5, SCRIPT_NAME, 9000, 1500, 1, 1500.0, 1),
    (date(2026, 3, 16), 1, "Alpha", 100, 90, 1, 90.0, 1),  # after the report day
    (date(2026, 3, 1), 2, "Beta", 100, 20, 2, 10.0, 1),  # an older day
]
# (publisher_id, publisher_name, release_year, games, ratings_count, avg_rating, bayes, rank)
PUBLISHERS: list[tuple[Any, ...]] = [
    *(
        (
            10 + rank,
            f"Studio {rank}",
            2025,
            rank,
            1000 * rank,
            4.5 - rank / 10,
            4.4 - rank / 10,
            rank,
        )
        for rank in range(1, 7)
    ),
    (99, "Future Co", 2026, 1, 10, 5.0, 4.9, 1),
    (98, "Old Co", 2024, 1, 10, 5.0, 4.9, 1),
]

SCHEMA = {
    "mart_report_periods": "report_date date, period_start date, period_days integer, "
    "games_known bigint, games_seen bigint, games_released bigint",
    "mart_report_genres": "report_date date, genre_id bigint, genre_name varchar, games bigint, "
    "share_of_games_seen double, genre_rank bigint",
    "mart_report_platforms": "report_date date, parent_platform_id bigint, "
    "parent_platform_name varchar, games bigint, share_of_games_seen double, platform_rank bigint",
    "mart_report_releases": "report_date date, release_month date, series_rank bigint, "
    "genre_id bigint, series_name varchar, is_other boolean, releases bigint, "
    "month_releases bigint",
    "fct_trending_games_daily": "dt date, game_id bigint, game_name varchar, added_count bigint, "
    "added_delta bigint, days_since_previous bigint, added_per_day double, trending_rank bigint",
    "agg_platform_share_monthly": "release_month date, parent_platform_id bigint, "
    "parent_platform_name varchar, releases bigint, month_releases bigint, "
    "share_of_releases double, added_count bigint, share_of_added double",
    "agg_rating_distribution": "release_year integer, genre_id bigint, genre_name varchar, "
    "rating_bucket varchar, games bigint, share_of_year_genre double",
    "agg_publisher_leaderboard": "publisher_id bigint, publisher_name varchar, "
    "release_year integer, games bigint, ratings_count bigint, avg_rating double, "
    "bayesian_rating double, leaderboard_rank bigint",
}


def chart_rows(
    report_date: date,
    chart: dict[str, tuple[int | None, bool, dict[date, int]]],
    totals: dict[date, int],
    months: Sequence[date] = CHART_MONTHS,
) -> list[tuple[Any, ...]]:
    """mart_report_releases rows: every month of every series, zeros included."""
    return [
        (
            report_date,
            month,
            rank,
            genre_id,
            name,
            is_other,
            counts.get(month, 0),
            totals.get(month, 0),
        )
        for rank, (name, (genre_id, is_other, counts)) in enumerate(chart.items(), start=1)
        for month in months
    ]


def write_marts(
    path: Path,
    *,
    periods: Sequence[tuple[Any, ...]] = PERIODS,
    genres: Sequence[tuple[Any, ...]] = GENRES,
    platforms: Sequence[tuple[Any, ...]] = PLATFORMS,
    releases: Sequence[tuple[Any, ...]] | None = None,
    trending: Sequence[tuple[Any, ...]] = TRENDING,
    platform_shares: Sequence[tuple[Any, ...]] = PLATFORM_SHARES,
    ratings: Sequence[tuple[Any, ...]] = RATINGS,
    publishers: Sequence[tuple[Any, ...]] = PUBLISHERS,
    skip: Sequence[str] = (),
) -> Path:
    """The warehouse file at ``path``, holding the given rows (the defaults above)."""
    if releases is None:
        releases = [row for day, *_ in periods for row in chart_rows(day, CHART, MONTH_TOTALS)]
    data = {
        "mart_report_periods": list(periods),
        "mart_report_genres": list(genres),
        "mart_report_platforms": list(platforms),
        "mart_report_releases": list(releases),
        "fct_trending_games_daily": list(trending),
        "agg_platform_share_monthly": list(platform_shares),
        "agg_rating_distribution": list(ratings),
        "agg_publisher_leaderboard": list(publishers),
    }
    with duckdb.connect(str(path)) as con:
        for table, columns in SCHEMA.items():
            if table in skip:
                continue
            con.execute(f"create table main.{table} ({columns})")
            if data[table]:
                marks = ", ".join("?" * len(data[table][0]))
                con.executemany(f"insert into main.{table} values ({marks})", data[table])
    return path
