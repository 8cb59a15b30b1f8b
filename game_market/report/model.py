"""What the market report shows: plain records read from the report marts, no formatting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class ShareRow:
    """Games seen in the period that carry a genre or run on a parent platform."""

    rank: int
    id: int
    name: str
    games: int
    share: float
    """Of the games seen in the period; shares overlap (a game has several genres)."""


@dataclass(frozen=True)
class TrendingGame:
    rank: int
    game_id: int
    game_name: str
    added_count: int
    added_delta: int
    days_since_previous: int
    added_per_day: float


@dataclass(frozen=True)
class ChartSeries:
    name: str
    is_other: bool
    """Released games in none of the chart's genres."""
    counts: tuple[int, ...]
    """Released games per month of the chart, in the order of ``ReleaseChart.months``."""


@dataclass(frozen=True)
class ReleaseChart:
    """Releases per month for the top genres and Other, up to the report day."""

    months: tuple[datetime.date, ...]
    series: tuple[ChartSeries, ...]
    totals: tuple[int, ...]
    """Released games per month, each counted once whatever its genres."""


@dataclass(frozen=True)
class PlatformShare:
    """A parent platform's share of one month's releases (agg_platform_share_monthly)."""

    release_month: datetime.date
    platform_id: int
    platform_name: str
    releases: int
    share: float
    """Of the month's releases; shares add up past 1, as a game ships on several platforms."""


RATING_BUCKETS = ("0-1", "1-2", "2-3", "3-4", "4-5", "unrated")
"""agg_rating_distribution's whole-star bands, lowest first; unrated games have their own."""


@dataclass(frozen=True)
class RatingBucket:
    """Games of one genre released in the rating year in one band (agg_rating_distribution)."""

    genre_id: int
    genre_name: str
    bucket: str
    games: int


@dataclass(frozen=True)
class PublisherRow:
    rank: int
    publisher_id: int
    publisher_name: str
    games: int
    ratings_count: int
    avg_rating: float | None
    bayesian_rating: float | None


@dataclass(frozen=True)
class MarketReport:
    """Everything the report shows for one report day, read from one warehouse's marts."""

    warehouse: str
    report_date: datetime.date
    period_start: datetime.date
    period_days: int
    games_in_warehouse: int
    """Games with a snapshot on or before the report day."""
    games_seen_in_period: int
    releases_in_period: int
    top_genres: tuple[ShareRow, ...]
    top_platforms: tuple[ShareRow, ...]
    trending_date: datetime.date | None
    """The day the trending games are from: the report day or the latest earlier one."""
    trending: tuple[TrendingGame, ...]
    release_chart: ReleaseChart
    platform_shares: tuple[PlatformShare, ...]
    """The top platforms' shares over the release chart's months, in rank then month order."""
    rating_year: int | None
    """The latest release year before the report day's with a rating distribution."""
    rating_buckets: tuple[RatingBucket, ...]
    """The top genres' games per band in the rating year, in rank then band order."""
    publisher_year: int | None
    top_publishers: tuple[PublisherRow, ...]

    @property
    def period_end(self) -> datetime.date:
        return self.report_date

    @property
    def title(self) -> str:
        return f"Game market report for {self.report_date.isoformat()}"

    @property
    def subtitle(self) -> str:
        return (
            f"Period: {self.period_start.isoformat()} to {self.period_end.isoformat()} "
            f"({self.period_days} days); warehouse {self.warehouse}"
        )
