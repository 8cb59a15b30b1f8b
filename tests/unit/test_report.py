"""The market report: small DuckDB warehouses with known rows, read and rendered."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import pytest

from game_market import ATTRIBUTION
from game_market.errors import PipelineError
from game_market.report import (
    NO_TRENDING,
    OTHER,
    MarketReport,
    WarehouseNotReady,
    build_report,
)

REPORT_DAY = date(2026, 3, 15)
SCRIPT_NAME = "<script>alert('x')</script> & Co"

# (game_id, game_name, released_on, is_released)
GAMES: list[tuple[Any, ...]] = [
    (1, "Alpha", date(2026, 3, 5), True),
    (2, "Beta", date(2026, 2, 10), True),
    (3, "Gamma", date(2025, 4, 1), True),
    (4, "Delta", date(2025, 3, 20), True),  # the month before the 12-month window
    (5, SCRIPT_NAME, date(2026, 3, 20), True),  # announced, after the report day
    (6, "Someday", None, False),
    (7, "Epsilon", date(2026, 3, 10), True),  # no genre
]
# (game_id, dt): games 1, 2, 3, 5, 7 are seen in the 14 days ending 2026-03-15.
SNAPSHOTS: list[tuple[Any, ...]] = [
    (1, date(2026, 3, 10)),
    (1, date(2026, 3, 15)),
    (2, date(2026, 3, 2)),
    (3, date(2026, 3, 15)),
    (4, date(2026, 3, 1)),  # the day before the period
    (5, date(2026, 3, 14)),
    (7, date(2026, 3, 15)),
    (6, date(2026, 2, 1)),
]
# (game_id, genre_id, genre_name)
GAME_GENRES: list[tuple[Any, ...]] = [
    (1, 4, "Action"),
    (1, 51, "Indie"),
    (2, 4, "Action"),
    (3, 5, "RPG"),
    (4, 4, "Action"),
    (5, 51, "Indie"),
]
# (platform_id, platform_name, parent_platform_id, parent_platform_name)
PLATFORMS: list[tuple[Any, ...]] = [
    (4, "PC", 1, "PC"),
    (18, "PlayStation 4", 2, "PlayStation"),
    (187, "PlayStation 5", 2, "PlayStation"),
    (1, "Xbox One", 3, "Xbox"),
    (9, "Orphan", None, None),
]
# (game_id, platform_id)
GAME_PLATFORMS: list[tuple[Any, ...]] = [
    (1, 4),
    (1, 18),
    (1, 187),
    (2, 18),
    (3, 1),
    (4, 4),
    (5, 4),
    (7, 9),
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
    "dim_games": "game_id bigint, game_name varchar, released_on date, release_month date, "
    "release_year integer, is_released boolean",
    "fct_game_daily_snapshots": "game_id bigint, dt date",
    "fct_trending_games_daily": "dt date, game_id bigint, game_name varchar, added_count bigint, "
    "added_delta bigint, days_since_previous bigint, added_per_day double, trending_rank bigint",
    "bridge_game_genres": "game_id bigint, genre_id bigint, genre_name varchar",
    "bridge_game_platforms": "game_id bigint, platform_id bigint",
    "dim_platforms": "platform_id bigint, platform_name varchar, parent_platform_id bigint, "
    "parent_platform_name varchar",
    "agg_publisher_leaderboard": "publisher_id bigint, publisher_name varchar, "
    "release_year integer, games bigint, ratings_count bigint, avg_rating double, "
    "bayesian_rating double, leaderboard_rank bigint",
}


def _game_rows(games: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [
        (
            game_id,
            name,
            released_on,
            released_on.replace(day=1) if released_on else None,
            released_on.year if released_on else None,
            is_released,
        )
        for game_id, name, released_on, is_released in games
    ]


def write_warehouse(
    path: Path,
    *,
    games: Sequence[tuple[Any, ...]] = GAMES,
    snapshots: Sequence[tuple[Any, ...]] = SNAPSHOTS,
    game_genres: Sequence[tuple[Any, ...]] = GAME_GENRES,
    platforms: Sequence[tuple[Any, ...]] = PLATFORMS,
    game_platforms: Sequence[tuple[Any, ...]] = GAME_PLATFORMS,
    trending: Sequence[tuple[Any, ...]] = TRENDING,
    publishers: Sequence[tuple[Any, ...]] = PUBLISHERS,
    skip: Sequence[str] = (),
) -> Path:
    """A warehouse holding only the columns the report reads, in schema main as dbt builds."""
    data = {
        "dim_games": _game_rows(games),
        "fct_game_daily_snapshots": list(snapshots),
        "fct_trending_games_daily": list(trending),
        "bridge_game_genres": list(game_genres),
        "bridge_game_platforms": list(game_platforms),
        "dim_platforms": list(platforms),
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


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return write_warehouse(tmp_path / "game_market.duckdb")


@pytest.fixture
def report(warehouse: Path) -> MarketReport:
    return build_report(warehouse, REPORT_DAY)


def test_the_report_day_defaults_to_the_latest_snapshot_day(warehouse: Path) -> None:
    report = build_report(warehouse)

    assert report.report_date == date(2026, 3, 15)
    assert report.period_start == date(2026, 3, 2)
    assert report.period_end == date(2026, 3, 15)


def test_counts_cover_the_period(report: MarketReport) -> None:
    assert report.games_in_warehouse == 7
    assert report.games_seen_in_period == 5  # games 1, 2, 3, 5, 7
    assert report.releases_in_period == 2  # games 1 and 7; game 5 comes out after the day


def test_a_shorter_period_counts_fewer_games(warehouse: Path) -> None:
    report = build_report(warehouse, REPORT_DAY, period_days=1)

    assert report.period_start == REPORT_DAY
    assert report.games_seen_in_period == 3  # games 1, 3, 7 on 2026-03-15
    assert report.releases_in_period == 0


def test_top_genres_count_each_game_seen_once_per_genre(report: MarketReport) -> None:
    assert [(row.name, row.games, row.share) for row in report.top_genres] == [
        ("Action", 2, 0.4),
        ("Indie", 2, 0.4),
        ("RPG", 1, 0.2),
    ]


def test_top_platforms_count_a_game_once_per_parent_platform(report: MarketReport) -> None:
    # Alpha is on PS4 and PS5: it counts once for PlayStation; the parentless platform is out.
    assert [(row.id, row.name, row.games, row.share) for row in report.top_platforms] == [
        (1, "PC", 2, 0.4),
        (2, "PlayStation", 2, 0.4),
        (3, "Xbox", 1, 0.2),
    ]


def test_trending_falls_back_to_the_latest_earlier_day_with_rows(report: MarketReport) -> None:
    assert report.trending_date == date(2026, 3, 14)
    assert [game.rank for game in report.trending] == list(range(1, 11))
    first = report.trending[0]
    assert (first.game_id, first.game_name, first.added_delta, first.added_per_day) == (
        5,
        SCRIPT_NAME,
        1500,
        1500.0,
    )
    assert report.trending[9].game_name == "Riser 10"


def test_trending_uses_the_report_day_when_it_has_rows(warehouse: Path) -> None:
    report = build_report(warehouse, date(2026, 3, 16))

    assert report.trending_date == date(2026, 3, 16)
    assert [(game.game_name, game.added_per_day) for game in report.trending] == [("Alpha", 90.0)]


def test_no_trending_data_is_reported_not_raised(tmp_path: Path) -> None:
    report = build_report(write_warehouse(tmp_path / "w.duckdb", trending=[]), REPORT_DAY)

    assert report.trending_date is None
    assert report.trending == ()


def test_release_counts_per_month_by_genre(report: MarketReport) -> None:
    chart = report.release_chart

    assert chart.months[0] == date(2025, 4, 1)
    assert chart.months[-1] == date(2026, 3, 1)
    assert len(chart.months) == 12
    assert chart.series == ("Action", "Indie", "RPG", OTHER)
    assert [(row.month, row.genre_name, row.releases) for row in report.releases_by_genre] == [
        (date(2025, 4, 1), "RPG", 1),
        (date(2026, 2, 1), "Action", 1),
        (date(2026, 3, 1), "Action", 1),
        (date(2026, 3, 1), "Indie", 1),
    ]
    totals = dict(zip(chart.months, chart.totals, strict=True))
    assert {month: n for month, n in totals.items() if n} == {
        date(2025, 4, 1): 1,
        date(2026, 2, 1): 1,
        date(2026, 3, 1): 2,  # Alpha and Epsilon; the announced game 5 is not out yet
    }
    assert chart.count(OTHER, date(2026, 3, 1)) == 1  # Epsilon has no genre
    assert chart.count("Action", date(2026, 3, 1)) == 1
    assert sum(chart.counts[chart.series.index(OTHER)]) == 1


def test_the_chart_keeps_six_genres_and_folds_the_rest_into_other(tmp_path: Path) -> None:
    month = date(2026, 3, 1)
    games = [(n, f"Game {n}", date(2026, 3, n), True) for n in range(1, 11)]
    # Genre g (1..8) is on games 1..(9 - g): genre 1 on 8 games, genre 8 on game 1 only;
    # game 9 has no genre and game 10 is only in genre 8: both are "Other".
    genres = [(n, g, f"Genre {g}") for g in range(1, 9) for n in range(1, 10 - g)]
    genres.append((10, 8, "Genre 8"))
    path = write_warehouse(tmp_path / "w.duckdb", games=games, game_genres=genres)

    chart = build_report(path, REPORT_DAY).release_chart

    assert chart.series == (*(f"Genre {g}" for g in range(1, 7)), OTHER)
    assert [chart.count(name, month) for name in chart.series] == [8, 7, 6, 5, 4, 3, 2]
    assert chart.totals[-1] == 10


def test_top_publishers_are_from_the_latest_full_year(report: MarketReport) -> None:
    assert report.publisher_year == 2025
    assert [(row.rank, row.publisher_name) for row in report.top_publishers] == [
        (rank, f"Studio {rank}") for rank in range(1, 6)
    ]
    assert report.top_publishers[0].ratings_count == 1000
    assert report.top_publishers[0].avg_rating == pytest.approx(4.4)


def test_the_warehouse_is_opened_read_only_and_closed(warehouse: Path) -> None:
    before = warehouse.read_bytes()

    build_report(warehouse)

    assert warehouse.read_bytes() == before
    # A read-write connection in this process fails while a read-only one is still open.
    duckdb.connect(str(warehouse)).close()


def _assert_names_the_fix(message: str) -> None:
    assert "`make demo`" in message
    assert "`gmp daily`" in message
    assert "`gmp backfill" in message
    assert message.endswith(".")
    assert ". " not in message  # one sentence


def test_a_missing_warehouse_names_the_commands_that_fill_it(tmp_path: Path) -> None:
    with pytest.raises(WarehouseNotReady) as raised:
        build_report(tmp_path / "data" / "warehouse" / "game_market.duckdb")

    assert isinstance(raised.value, PipelineError)
    assert str(raised.value).startswith("No warehouse at ")
    _assert_names_the_fix(str(raised.value))


@pytest.mark.parametrize(
    ("setup", "names"),
    [
        (lambda path: write_warehouse(path, skip=["fct_trending_games_daily"]), "trending"),
        (lambda path: write_warehouse(path, skip=list(SCHEMA)), "dim_games"),
        (lambda path: write_warehouse(path, snapshots=[]), "fct_game_daily_snapshots"),
        (lambda path: write_warehouse(path, games=[], snapshots=[]), "dim_games"),
    ],
    ids=["missing-mart", "no-marts", "empty-snapshots", "empty-games"],
)
def test_missing_or_empty_marts_name_the_commands_that_fill_them(
    tmp_path: Path, setup: Callable[[Path], Path], names: str
) -> None:
    path = setup(tmp_path / "w.duckdb")

    with pytest.raises(WarehouseNotReady) as raised:
        build_report(path)

    assert names in str(raised.value)
    _assert_names_the_fix(str(raised.value))


def test_a_file_that_is_not_a_warehouse_is_a_pipeline_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    path.write_text("not a database")

    with pytest.raises(WarehouseNotReady, match="make transform"):
        build_report(path)


def test_period_days_must_be_positive(warehouse: Path) -> None:
    with pytest.raises(ValueError, match="period_days"):
        build_report(warehouse, period_days=0)


# --- rendering ----------------------------------------------------------------------------------


def _renderings(report: MarketReport) -> dict[str, str]:
    return {"text": report.to_text(), "markdown": report.to_markdown(), "html": report.to_html()}


@pytest.mark.parametrize("kind", ["text", "markdown", "html"])
def test_every_rendering_credits_rawg(report: MarketReport, kind: str) -> None:
    rendered = _renderings(report)[kind]

    assert ATTRIBUTION in re.sub(r"<[^>]+>", "", rendered)


def test_the_text_report_ends_with_the_attribution(report: MarketReport) -> None:
    assert report.to_text().rstrip("\n").splitlines()[-1] == ATTRIBUTION


def test_the_html_footer_links_to_rawg(report: MarketReport) -> None:
    footer = report.to_html().split("<footer>")[1]

    assert '<a href="https://rawg.io">' in footer


def test_no_trending_data_is_said_in_every_rendering(tmp_path: Path) -> None:
    report = build_report(write_warehouse(tmp_path / "w.duckdb", trending=[]), REPORT_DAY)

    for rendered in _renderings(report).values():
        assert NO_TRENDING in rendered


def test_the_text_report_aligns_columns_and_formats_numbers(report: MarketReport) -> None:
    text = report.to_text()
    lines = text.splitlines()
    genre_rows = [line for line in lines if re.match(r"\s+\d+\s+(Action|Indie|RPG)\s", line)]
    publisher_row = next(line for line in lines if "Studio 1 " in line)
    trending_row = next(line for line in lines if "Riser 2" in line)

    assert len(genre_rows) == 3
    assert genre_rows[0].endswith("2  40.0%")
    assert genre_rows[2].endswith("1  20.0%")
    assert len({len(row) for row in genre_rows}) == 1  # right-aligned numbers end together
    assert publisher_row.split()[-4:] == ["1", "1,000", "4.40", "4.30"]
    assert trending_row.split()[-4:] == ["5,002", "+128", "1", "128.0"]
    assert "Trending games on 2026-03-14" in text
    assert "No trending rows on 2026-03-15: showing the latest" in " ".join(text.split())
    assert "Top publishers of 2025" in text


def test_the_text_report_aligns_wide_characters_and_clips_long_names(tmp_path: Path) -> None:
    trending = [
        (REPORT_DAY, 1, "Fjörd 🎮 ゲーム", 10, 5, 1, 5.0, 1),
        (REPORT_DAY, 2, "A" * 60, 10, 4, 1, 4.0, 2),
    ]
    path = write_warehouse(tmp_path / "w.duckdb", trending=trending)
    lines = build_report(path, REPORT_DAY).to_text().splitlines()

    wide = next(line for line in lines if "Fjörd" in line)
    long = next(line for line in lines if "AAAA" in line)
    assert "A" * 39 + "…" in long and "A" * 40 not in long
    # "🎮" and the three kana take two terminal columns each: 4 columns more than characters,
    # so both rows end in the same column.
    assert len(wide) + 4 == len(long)


def test_the_markdown_report_has_tables_and_inert_data(tmp_path: Path) -> None:
    publishers = [(1, "Pipe | *Bold* [link](x)", 2025, 3, 12345, 4.123, 4.0, 1)]
    path = write_warehouse(tmp_path / "w.duckdb", publishers=publishers)

    markdown = build_report(path, REPORT_DAY).to_markdown()

    assert "| # | Genre | Games | Share |" in markdown.replace("\\#", "#")
    assert "| 1 | Action | 2 | 40.0% |" in markdown
    assert r"Pipe \| \*Bold\* \[link\](x)" in markdown
    assert "| 12,345 | 4.12 | 4.00 |" in markdown
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


def test_the_html_report_draws_one_bar_group_per_month(report: MarketReport) -> None:
    page = report.to_html()
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL)

    assert svg is not None
    root = ElementTree.fromstring(svg.group(0))  # well-formed SVG
    groups = root.findall(".//{http://www.w3.org/2000/svg}g[@class='month-group']")
    assert [group.get("data-month") for group in groups] == [
        f"{month:%Y-%m}" for month in report.release_chart.months
    ]
    series = len(report.release_chart.series)
    assert all(len(group.findall("{http://www.w3.org/2000/svg}rect")) == series for group in groups)
    texts = "".join(root.itertext())
    assert "Releases per month by genre" in texts  # title
    assert "Release month" in texts and "Games released" in texts  # axis labels
    legend = root.find(".//{http://www.w3.org/2000/svg}g[@class='legend']")
    assert legend is not None
    labels = [text.text for text in legend.findall("{http://www.w3.org/2000/svg}text")]
    assert labels == ["Genre", "Action", "Indie", "RPG", "Other"]
    march = groups[-1].findall("{http://www.w3.org/2000/svg}rect")
    assert [float(rect.get("height", "0")) > 0 for rect in march] == [True, True, False, True]


def test_the_html_report_escapes_data_and_loads_nothing(report: MarketReport) -> None:
    page = report.to_html()

    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
    assert re.findall(r"""(?:src|href)=["']([^"']*)""", page) == ["https://rawg.io"]
    assert "@import" not in page and "url(" not in page


def test_write_html_creates_the_folders(report: MarketReport, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026" / "market.html"

    written = report.write_html(target)

    assert written == target
    assert target.read_text(encoding="utf-8") == report.to_html()
