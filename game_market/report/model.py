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
