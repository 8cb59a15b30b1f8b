"""The market report: a read-only look at the DuckDB marts, rendered as text, Markdown or HTML.

Plain Python (no Prefect): ``build_report`` reads the marts once into a ``MarketReport``, and
the renderers only format what it holds. Every rendering credits RAWG, as its terms require.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from game_market.errors import PipelineError

logger = logging.getLogger(__name__)

FILL_COMMANDS = (
    "run `make demo` (offline) or `gmp daily` / `gmp backfill --start YYYY-MM-DD "
    "--end YYYY-MM-DD` first"
)
# Every mart the report reads; the first two must also hold rows.
REQUIRED_TABLES = (
    "dim_games",
    "fct_game_daily_snapshots",
    "fct_trending_games_daily",
    "bridge_game_genres",
    "bridge_game_platforms",
    "dim_platforms",
    "agg_publisher_leaderboard",
)
NON_EMPTY_TABLES = ("dim_games", "fct_game_daily_snapshots")

TOP_GENRES = 10
TOP_PLATFORMS = 10
TOP_TRENDING = 10
TOP_PUBLISHERS = 5
CHART_GENRES = 6
CHART_MONTHS = 12
OTHER = "Other"
NO_TRENDING = "no trending data yet: games need two snapshots"


class WarehouseNotReady(PipelineError):
    """The DuckDB warehouse is missing, unreadable, or its marts are missing or empty."""


@dataclass(frozen=True)
class ShareRow:
    """Games seen in the period that carry a genre or run on a parent platform."""

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
class GenreMonthReleases:
    """Distinct released games of one genre in one release month."""

    month: datetime.date
    genre_id: int
    genre_name: str
    releases: int


@dataclass(frozen=True)
class ReleaseChart:
    """Releases per month for the top genres plus ``Other``: ``counts[series][month]``."""

    months: tuple[datetime.date, ...]
    series: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    totals: tuple[int, ...]
    """Distinct released games per month (a game counts once, whatever its genres)."""

    def count(self, series: str, month: datetime.date) -> int:
        return self.counts[self.series.index(series)][self.months.index(month)]


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
    """Everything the report shows, read from the marts of one warehouse."""

    warehouse: str
    report_date: datetime.date
    period_start: datetime.date
    period_days: int
    games_in_warehouse: int
    games_seen_in_period: int
    releases_in_period: int
    top_genres: tuple[ShareRow, ...]
    top_platforms: tuple[ShareRow, ...]
    trending_date: datetime.date | None
    """The day the trending games are from: the report day or the latest earlier one."""
    trending: tuple[TrendingGame, ...]
    releases_by_genre: tuple[GenreMonthReleases, ...]
    release_chart: ReleaseChart
    publisher_year: int | None
    top_publishers: tuple[PublisherRow, ...]

    @property
    def period_end(self) -> datetime.date:
        return self.report_date


def build_report(
    duckdb_path: str | Path, date: datetime.date | None = None, *, period_days: int = 14
) -> MarketReport:
    """Read the marts of the warehouse at ``duckdb_path`` (read-only) into a ``MarketReport``.

    ``date`` is the report day (default: the latest snapshot day); the period is the
    ``period_days`` days ending on it.
    """
    if period_days < 1:
        raise ValueError(f"period_days must be at least 1, got {period_days}")
    path = Path(duckdb_path)
    if not path.is_file():
        raise WarehouseNotReady(f"No warehouse at {path}: {FILL_COMMANDS}.")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        raise WarehouseNotReady(
            f"Cannot open the warehouse at {path} read-only ({reason}): wait for the dbt build "
            f"writing it to finish, or rebuild it with `make transform`."
        ) from error
    try:
        _check_marts(con, path)
        return _read_report(con, path, date, period_days)
    finally:
        con.close()


def _check_marts(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_catalog = current_database()"
        ).fetchall()
    }
    missing = [name for name in REQUIRED_TABLES if name not in present]
    if missing:
        raise WarehouseNotReady(
            f"The warehouse at {path} has no {', '.join(missing)} yet: {FILL_COMMANDS}."
        )
    empty = [
        name
        for name in NON_EMPTY_TABLES
        if not con.execute(f"select exists (select 1 from main.{name})").fetchall()[0][0]
    ]
    if empty:
        raise WarehouseNotReady(
            f"The warehouse at {path} has empty marts ({', '.join(empty)}): {FILL_COMMANDS}."
        )


def _read_report(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    date: datetime.date | None,
    period_days: int,
) -> MarketReport:
    def rows(sql: str, *params: object) -> list[tuple]:
        return con.execute(sql, list(params)).fetchall()

    def scalar(sql: str, *params: object) -> object:
        return rows(sql, *params)[0][0]

    if date is None:
        date = scalar("select max(dt) from main.fct_game_daily_snapshots")
        assert isinstance(date, datetime.date)
    start = date - datetime.timedelta(days=period_days - 1)

    games_in_warehouse = int(scalar("select count(*) from main.dim_games"))
    seen = int(
        scalar(
            "select count(distinct game_id) from main.fct_game_daily_snapshots "
            "where dt between ? and ?",
            start,
            date,
        )
    )
    releases = int(
        scalar(
            "select count(*) from main.dim_games where is_released and released_on between ? and ?",
            start,
            date,
        )
    )

    seen_games = (
        "with seen as (select distinct game_id from main.fct_game_daily_snapshots "
        "where dt between ? and ?) "
    )
    genre_rows = rows(
        seen_games + "select genres.genre_id, min(genres.genre_name), "
        "count(distinct seen.game_id) as games "
        "from seen inner join main.bridge_game_genres as genres on seen.game_id = genres.game_id "
        "group by genres.genre_id order by games desc, 2, 1 limit ?",
        start,
        date,
        TOP_GENRES,
    )
    # A game on PS4 and PS5 counts once for PlayStation: distinct games per parent platform.
    platform_rows = rows(
        seen_games + "select platforms.parent_platform_id, min(platforms.parent_platform_name), "
        "count(distinct seen.game_id) as games "
        "from seen "
        "inner join main.bridge_game_platforms as game_platforms "
        "on seen.game_id = game_platforms.game_id "
        "inner join main.dim_platforms as platforms "
        "on game_platforms.platform_id = platforms.platform_id "
        "where platforms.parent_platform_id is not null "
        "group by platforms.parent_platform_id order by games desc, 2, 1 limit ?",
        start,
        date,
        TOP_PLATFORMS,
    )

    trending_date = scalar("select max(dt) from main.fct_trending_games_daily where dt <= ?", date)
    trending_rows = (
        rows(
            "select trending_rank, game_id, game_name, added_count, added_delta, "
            "days_since_previous, added_per_day from main.fct_trending_games_daily "
            "where dt = ? order by trending_rank limit ?",
            trending_date,
            TOP_TRENDING,
        )
        if trending_date is not None
        else []
    )

    releases_by_genre, chart = _read_releases(rows, date)

    publisher_year = scalar(
        "select max(release_year) from main.agg_publisher_leaderboard where release_year < ?",
        date.year,
    )
    publisher_rows = (
        rows(
            "select leaderboard_rank, publisher_id, publisher_name, games, ratings_count, "
            "avg_rating, bayesian_rating from main.agg_publisher_leaderboard "
            "where release_year = ? order by leaderboard_rank limit ?",
            publisher_year,
            TOP_PUBLISHERS,
        )
        if publisher_year is not None
        else []
    )

    return MarketReport(
        warehouse=str(path),
        report_date=date,
        period_start=start,
        period_days=period_days,
        games_in_warehouse=games_in_warehouse,
        games_seen_in_period=seen,
        releases_in_period=releases,
        top_genres=tuple(_share_row(row, seen) for row in genre_rows),
        top_platforms=tuple(_share_row(row, seen) for row in platform_rows),
        trending_date=trending_date if trending_rows else None,
        trending=tuple(
            TrendingGame(
                rank=int(rank),
                game_id=int(game_id),
                game_name=name if name is not None else f"game {game_id}",
                added_count=int(added_count or 0),
                added_delta=int(added_delta or 0),
                days_since_previous=int(days or 0),
                added_per_day=float(per_day or 0.0),
            )
            for rank, game_id, name, added_count, added_delta, days, per_day in trending_rows
        ),
        releases_by_genre=releases_by_genre,
        release_chart=chart,
        publisher_year=int(publisher_year) if publisher_rows else None,
        top_publishers=tuple(
            PublisherRow(
                rank=int(rank),
                publisher_id=int(publisher_id),
                publisher_name=name if name is not None else f"publisher {publisher_id}",
                games=int(games),
                ratings_count=int(ratings_count or 0),
                avg_rating=avg_rating,
                bayesian_rating=bayesian_rating,
            )
            for (
                rank,
                publisher_id,
                name,
                games,
                ratings_count,
                avg_rating,
                bayesian_rating,
            ) in publisher_rows
        ),
    )


def _share_row(row: tuple, seen: int) -> ShareRow:
    row_id, name, games = row
    return ShareRow(
        id=int(row_id),
        name=name if name is not None else f"#{row_id}",
        games=int(games),
        share=games / seen if seen else 0.0,
    )


def _read_releases(
    rows, date: datetime.date
) -> tuple[tuple[GenreMonthReleases, ...], ReleaseChart]:
    """Released games per month and genre, for the 12 months up to the report day's month.

    Counted here from dim_games and bridge_game_genres rather than summed from
    agg_releases_monthly: that mart's grain is (month, genre, parent platform), so a game out
    on PC and PlayStation counts twice in its genre once the platforms are summed away.
    Only games released by the report day count, so its month is month-to-date (dim_games
    marks announced future dates as released too).
    """
    last_month = date.replace(day=1)
    months = tuple(_add_months(last_month, offset) for offset in range(1 - CHART_MONTHS, 1))
    released = (
        "with released as (select game_id, release_month from main.dim_games "
        "where is_released and release_month between ? and ? and released_on <= ?) "
    )
    window = (months[0], last_month, date)

    genre_rows = rows(
        released + "select released.release_month, genres.genre_id, min(genres.genre_name), "
        "count(distinct released.game_id) "
        "from released inner join main.bridge_game_genres as genres "
        "on released.game_id = genres.game_id "
        "group by released.release_month, genres.genre_id order by 1, 4 desc, 3",
        *window,
    )
    by_genre = tuple(
        GenreMonthReleases(month=month, genre_id=int(genre_id), genre_name=name, releases=int(n))
        for month, genre_id, name, n in genre_rows
    )
    totals_by_month = dict(
        rows(
            released + "select release_month, count(distinct game_id) from released group by 1",
            *window,
        )
    )

    genre_totals: dict[int, int] = {}
    genre_names: dict[int, str] = {}
    for row in by_genre:
        genre_totals[row.genre_id] = genre_totals.get(row.genre_id, 0) + row.releases
        genre_names[row.genre_id] = row.genre_name
    top_ids = sorted(genre_totals, key=lambda g: (-genre_totals[g], genre_names[g], g))
    top_ids = top_ids[:CHART_GENRES]

    # "Other": released games in none of the top genres, games without a genre included.
    other_by_month = dict(
        rows(
            released + "select release_month, count(distinct game_id) from released "
            "where not exists (select 1 from main.bridge_game_genres as genres "
            "where genres.game_id = released.game_id and list_contains(?, genres.genre_id)) "
            "group by 1",
            *window,
            top_ids,
        )
    )
    cells = {(row.genre_id, row.month): row.releases for row in by_genre}
    counts = [tuple(cells.get((genre_id, month), 0) for month in months) for genre_id in top_ids]
    counts.append(tuple(int(other_by_month.get(month, 0)) for month in months))
    chart = ReleaseChart(
        months=months,
        series=(*(genre_names[genre_id] for genre_id in top_ids), OTHER),
        counts=tuple(counts),
        totals=tuple(int(totals_by_month.get(month, 0)) for month in months),
    )
    return by_genre, chart


def _add_months(month: datetime.date, offset: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)
