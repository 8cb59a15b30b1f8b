"""The market report: a read-only look at the DuckDB marts, rendered as text, Markdown or HTML.

Plain Python (no Prefect): ``build_report`` reads the marts once into a ``MarketReport``, and
the renderers only format what it holds. Every rendering credits RAWG, as its terms require.
"""

from __future__ import annotations

import datetime
import html
import logging
import math
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from game_market import ATTRIBUTION
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
RAWG_URL = "https://rawg.io"
TEXT_WIDTH = 96
TEXT_CELL_WIDTH = 40


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

    @property
    def title(self) -> str:
        return f"Game market report for {self.report_date.isoformat()}"

    @property
    def subtitle(self) -> str:
        return (
            f"Period: {self.period_start.isoformat()} to {self.period_end.isoformat()} "
            f"({self.period_days} days); warehouse {self.warehouse}"
        )

    def to_text(self) -> str:
        """A terminal report: aligned columns, one block per section, the attribution last."""
        lines = [self.title, self.subtitle]
        for section in _sections(self):
            lines += ["", section.title, "-" * len(section.title)]
            if section.note:
                lines += textwrap.wrap(section.note, width=TEXT_WIDTH)
            if section.table is None:
                lines.append(f"  ({section.empty})")
            else:
                lines += ["  " + line for line in _text_table(section.table)]
        lines += ["", ATTRIBUTION]
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """Markdown for a Prefect artifact: a table per section, the attribution last."""
        lines = [f"# {_md(self.title)}", "", _md(self.subtitle)]
        for section in _sections(self):
            lines += ["", f"## {_md(section.title)}", ""]
            if section.note:
                lines += [f"_{_md(section.note)}_", ""]
            if section.table is None:
                lines.append(f"_{_md(section.empty)}_")
            else:
                lines += _markdown_table(section.table)
        lines += ["", "---", "", ATTRIBUTION]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A self-contained page (inline CSS and SVG, no scripts or external assets)."""
        body = [
            f"<h1>{_h(self.title)}</h1>",
            f'<p class="subtitle">{_h(self.subtitle)}</p>',
        ]
        for section in _sections(self):
            body.append(f'<section id="{section.key}">')
            body.append(f"<h2>{_h(section.title)}</h2>")
            if section.key == "releases":
                body.append(
                    f'<figure class="chart">{_release_chart_svg(self.release_chart)}</figure>'
                )
            if section.note:
                body.append(f'<p class="note">{_h(section.note)}</p>')
            if section.table is None:
                body.append(f'<p class="empty">{_h(section.empty)}</p>')
            else:
                body.append(_html_table(section.table))
            body.append("</section>")
        attribution = _h(ATTRIBUTION).replace(
            _h(RAWG_URL), f'<a href="{_h(RAWG_URL)}">{_h(RAWG_URL)}</a>'
        )
        body.append(f"<footer>{attribution}</footer>")
        return _HTML_PAGE.format(title=_h(self.title), style=_CSS, body="\n".join(body))

    def write_html(self, path: str | Path) -> Path:
        """Write ``to_html()`` to ``path``, creating its folders; returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_html(), encoding="utf-8")
        return target


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
        # DuckDB's first sentence: "Could not set lock on file ...", "... not a valid DuckDB ...".
        reason = re.split(r"[.!]\s", str(error).strip() + " ")[0]
        raise WarehouseNotReady(
            f"Cannot open the warehouse at {path} read-only ({reason}): wait for the dbt build "
            f"writing it to finish, or rebuild it with `make transform`."
        ) from error
    try:
        _check_marts(con, path)
        report = _read_report(con, path, date, period_days)
    finally:
        con.close()
    logger.info(
        "Market report for %s (%d days) read from %s", report.report_date, period_days, path
    )
    return report


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


# --- rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    """Right-aligned columns."""


@dataclass(frozen=True)
class _Section:
    key: str
    title: str
    note: str | None
    table: _Table | None
    empty: str = ""
    """Shown instead of the table when there is none."""


_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _count(value: int) -> str:
    return f"{value:,}"


def _share(value: float) -> str:
    return f"{value:.1%}"


def _rating(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _month(value: datetime.date) -> str:
    return f"{_MONTH_ABBR[value.month - 1]} {value.year}"


def _table(headers: tuple[str, ...], numeric: str, rows: list[tuple[str, ...]]) -> _Table | None:
    """``numeric`` marks each column: ``n`` right-aligned, anything else left-aligned."""
    if not rows:
        return None
    return _Table(headers, tuple(rows), tuple(flag == "n" for flag in numeric))


def _share_table(label: str, rows: tuple[ShareRow, ...]) -> _Table | None:
    return _table(
        ("#", label, "Games", "Share"),
        "nlnn",
        [
            (str(n), row.name, _count(row.games), _share(row.share))
            for n, row in enumerate(rows, start=1)
        ],
    )


def _sections(report: MarketReport) -> list[_Section]:
    chart = report.release_chart
    trending_title = "Trending games"
    trending_note = "Library adds gained per day since each game's previous snapshot."
    if report.trending_date is not None:
        trending_title += f" on {report.trending_date.isoformat()}"
        if report.trending_date != report.report_date:
            trending_note += (
                f" No trending rows on {report.report_date.isoformat()}: showing the latest "
                "earlier day."
            )
    publisher_title = "Top publishers"
    if report.publisher_year is not None:
        publisher_title += f" of {report.publisher_year}"
    return [
        _Section(
            "overview",
            "Overview",
            None,
            _table(
                ("Measure", "Value"),
                "ln",
                [
                    ("Games in the warehouse", _count(report.games_in_warehouse)),
                    ("Games seen in the period", _count(report.games_seen_in_period)),
                    ("Games released in the period", _count(report.releases_in_period)),
                ],
            ),
        ),
        _Section(
            "genres",
            "Top genres of the period",
            "Games seen in the period per genre; shares overlap, as a game has several genres.",
            _share_table("Genre", report.top_genres),
            "no genres for the games seen in the period",
        ),
        _Section(
            "platforms",
            "Top platforms of the period",
            "Games seen in the period per parent platform; a game on several counts in each.",
            _share_table("Platform", report.top_platforms),
            "no platforms for the games seen in the period",
        ),
        _Section(
            "trending",
            trending_title,
            trending_note,
            _table(
                ("#", "Game", "Added", "Gained", "Days", "Added/day"),
                "nlnnnn",
                [
                    (
                        str(game.rank),
                        game.game_name,
                        _count(game.added_count),
                        f"{game.added_delta:+,}",
                        _count(game.days_since_previous),
                        f"{game.added_per_day:,.1f}",
                    )
                    for game in report.trending
                ],
            ),
            NO_TRENDING,
        ),
        _Section(
            "releases",
            "Releases per month by genre",
            (
                f"Games released per month, {_month(chart.months[0])} to "
                f"{_month(chart.months[-1])} (to {report.report_date.isoformat()}), in the "
                f"{len(chart.series) - 1} biggest genres and {OTHER}; a game counts in each of "
                "its genres, Total counts it once."
            ),
            _table(
                ("Month", *chart.series, "Total"),
                "l" + "n" * (len(chart.series) + 1),
                [
                    (
                        _month(month),
                        *(_count(counts[index]) for counts in chart.counts),
                        _count(chart.totals[index]),
                    )
                    for index, month in enumerate(chart.months)
                ],
            ),
        ),
        _Section(
            "publishers",
            publisher_title,
            "Ranked by Bayesian-weighted rating (ratings-weighted, shrunk to the year's mean).",
            _table(
                ("#", "Publisher", "Games", "Ratings", "Avg rating", "Weighted"),
                "nlnnnn",
                [
                    (
                        str(row.rank),
                        row.publisher_name,
                        _count(row.games),
                        _count(row.ratings_count),
                        _rating(row.avg_rating),
                        _rating(row.bayesian_rating),
                    )
                    for row in report.top_publishers
                ],
            ),
            f"no publisher leaderboard for a year before {report.report_date.year} yet",
        ),
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _width(text: str) -> int:
    """Terminal columns: wide (CJK, emoji) characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def _clip(text: str, limit: int = TEXT_CELL_WIDTH) -> str:
    text = _one_line(text)
    if _width(text) <= limit:
        return text
    while _width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _text_table(table: _Table) -> list[str]:
    rows = [tuple(_clip(cell) for cell in row) for row in table.rows]
    widths = [
        max(_width(table.headers[column]), *(_width(row[column]) for row in rows))
        for column in range(len(table.headers))
    ]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            _pad(cell, width, numeric)
            for cell, width, numeric in zip(cells, widths, table.numeric, strict=True)
        ).rstrip()

    return [line(table.headers), line(tuple("-" * width for width in widths)), *map(line, rows)]


# Enough to keep data inert: no emphasis, code, links (no brackets) or table breaks.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    """Text from the data, made inert in Markdown (no markup, no raw HTML, no table breaks)."""
    text = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _markdown_table(table: _Table) -> list[str]:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cells) + " |"

    rule = tuple("---:" if numeric else "---" for numeric in table.numeric)
    return [
        line(tuple(_md(header) for header in table.headers)),
        line(rule),
        *(line(tuple(_md(cell) for cell in row)) for row in table.rows),
    ]


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(table: _Table) -> str:
    def cells(tag: str, row: tuple[str, ...]) -> str:
        return "".join(
            f'<{tag} class="num">{_h(cell)}</{tag}>' if numeric else f"<{tag}>{_h(cell)}</{tag}>"
            for cell, numeric in zip(row, table.numeric, strict=True)
        )

    body = "\n".join(f"<tr>{cells('td', row)}</tr>" for row in table.rows)
    return (
        f"<table>\n<thead><tr>{cells('th', table.headers)}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


# Okabe-Ito: distinguishable with the common colour-vision deficiencies; grey is "Other".
_SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_OTHER_COLOUR = "#999999"


def _y_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 to at least ``top``, about five of them, 1-2-5 steps."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _release_chart_svg(chart: ReleaseChart) -> str:
    """Grouped bars: one group per month, one bar per genre, and a legend.

    Grouped rather than stacked: a game counts in each of its genres, so stacked genre
    counts would add up to more games than were released.
    """
    n_series = len(chart.series)
    bar = 9 if n_series <= 7 else 6
    gap = 14
    group = n_series * bar + gap
    left, top, bottom, legend = 64, 56, 72, 190
    plot_w, plot_h = group * len(chart.months), 260
    width, height = left + plot_w + 24 + legend, top + plot_h + bottom
    ticks = _y_ticks(max((max(counts) for counts in chart.counts), default=0))
    scale = plot_h / ticks[-1]
    colours = [
        _OTHER_COLOUR if name == OTHER and index == n_series - 1 else _SERIES_COLOURS[index % 7]
        for index, name in enumerate(chart.series)
    ]
    title = f"Releases per month by genre, {_month(chart.months[0])} to {_month(chart.months[-1])}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="release-chart-title" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="release-chart-title">{_h(title)}</title>',
        f'<text x="{width / 2:.0f}" y="24" text-anchor="middle" font-size="16" '
        f'font-weight="600">{_h(title)}</text>',
    ]
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick:,}</text>'
        )
    for index, month in enumerate(chart.months):
        x0 = left + index * group + gap / 2
        parts.append(f'<g class="month-group" data-month="{month:%Y-%m}">')
        for series_index, name in enumerate(chart.series):
            value = chart.counts[series_index][index]
            h = value * scale
            parts.append(
                f'<rect x="{x0 + series_index * bar:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar - 1}" height="{h:.1f}" fill="{colours[series_index]}">'
                f"<title>{_h(name)}, {_month(month)}: {value:,}</title></rect>"
            )
        label_x = x0 + (group - gap) / 2
        parts.append(
            f'<text x="{label_x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
            f"{_MONTH_ABBR[month.month - 1]}</text>"
            f'<text x="{label_x:.1f}" y="{top + plot_h + 30}" text-anchor="middle" '
            f'fill="#666">{month.year}</text></g>'
        )
    parts += [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 12}" text-anchor="middle" '
        'font-weight="600">Release month</text>',
        f'<text transform="translate(18 {top + plot_h / 2:.0f}) rotate(-90)" '
        'text-anchor="middle" font-weight="600">Games released</text>',
    ]
    if not any(chart.totals):
        parts.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" '
            'text-anchor="middle" fill="#666">No games released in these months</text>'
        )
    legend_x = left + plot_w + 24
    parts.append(f'<g class="legend"><text x="{legend_x}" y="{top}" font-weight="600">Genre</text>')
    for index, name in enumerate(chart.series):
        y = top + 14 + index * 20
        parts.append(
            f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{colours[index]}"/>'
            f'<text x="{legend_x + 18}" y="{y + 10}">{_h(name)}</text>'
        )
    parts += ["</g>", "</svg>"]
    return "\n".join(parts)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  max-width: 1200px; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; }
.subtitle, .note, .empty { color: #555; }
section { margin-top: 2rem; }
table { border-collapse: collapse; margin-top: 0.5rem; }
th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #e3e3e3; text-align: left; }
th { background: #f5f5f5; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1rem 0; overflow-x: auto; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid #ddd; color: #555; }
"""

_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""
