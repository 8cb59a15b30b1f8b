"""The market report: read from report marts with known rows, then rendered.

The marts' numbers are dbt's (tests/integration/test_report_marts.py has dbt compute them);
here the report only selects one report day's rows, and the renderers lay them out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from game_market import ATTRIBUTION
from game_market.errors import PipelineError
from game_market.render.report_html import render_html, write_html
from game_market.render.report_markdown import render_markdown
from game_market.render.report_text import render_text
from game_market.report import MarketReport, ReportDayMissing, build_report
from game_market.report.sections import NO_TRENDING
from game_market.warehouse import WarehouseNotReady
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.report_marts import (
    CHART_MONTHS,
    PUBLISHERS,
    RATINGS,
    REPORT_DAY,
    SCHEMA,
    SCRIPT_NAME,
    write_marts,
)


def read(path: Path, day: date | None = REPORT_DAY) -> MarketReport:
    return build_report(DuckDBWarehouse(path), day)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return write_marts(tmp_path / "game_market.duckdb")


@pytest.fixture
def report(warehouse: Path) -> MarketReport:
    return read(warehouse)


def test_the_report_day_defaults_to_the_latest_report_day(warehouse: Path) -> None:
    report = read(warehouse, None)

    assert report.report_date == date(2026, 3, 16)
    assert report.period_start == date(2026, 3, 3)
    assert report.period_end == date(2026, 3, 16)


def test_counts_are_the_report_days_row(report: MarketReport) -> None:
    assert (report.period_start, report.period_days) == (date(2026, 3, 2), 14)
    assert report.games_in_warehouse == 7
    assert report.games_seen_in_period == 5
    assert report.releases_in_period == 2


def test_top_genres_and_platforms_are_read_in_rank_order(report: MarketReport) -> None:
    assert [(row.rank, row.name, row.games, row.share) for row in report.top_genres] == [
        (1, "Action", 2, 0.4),
        (2, "Indie", 2, 0.4),
        (3, "RPG", 1, 0.2),
    ]
    assert [(row.id, row.name, row.games) for row in report.top_platforms] == [
        (1, "PC", 2),
        (2, "PlayStation", 2),
        (3, "Xbox", 1),
    ]


def test_only_the_ten_first_genres_are_shown(tmp_path: Path) -> None:
    genres = [(REPORT_DAY, 100 + n, f"Genre {n}", 20 - n, (20 - n) / 25, n) for n in range(1, 13)]
    report = read(write_marts(tmp_path / "w.duckdb", genres=genres))

    assert [row.rank for row in report.top_genres] == list(range(1, 11))


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
    report = read(warehouse, date(2026, 3, 16))

    assert report.trending_date == date(2026, 3, 16)
    assert [(game.game_name, game.added_per_day) for game in report.trending] == [("Alpha", 90.0)]


def test_no_trending_data_is_reported_not_raised(tmp_path: Path) -> None:
    report = read(write_marts(tmp_path / "w.duckdb", trending=[]))

    assert report.trending_date is None
    assert report.trending == ()


def test_the_release_chart_is_the_report_days_series_in_rank_order(report: MarketReport) -> None:
    chart = report.release_chart

    assert chart.months == CHART_MONTHS
    assert (chart.months[0], chart.months[-1]) == (date(2025, 4, 1), date(2026, 3, 1))
    assert [(series.name, series.is_other) for series in chart.series] == [
        ("Action", False),
        ("Indie", False),
        ("RPG", False),
        ("Other", True),
    ]
    march = chart.months.index(date(2026, 3, 1))
    assert [series.counts[march] for series in chart.series] == [1, 1, 0, 1]
    assert sum(chart.series[2].counts) == 1  # RPG: April 2025 only
    totals = dict(zip(chart.months, chart.totals, strict=True))
    assert {month: n for month, n in totals.items() if n} == {
        date(2025, 4, 1): 1,
        date(2026, 2, 1): 1,
        date(2026, 3, 1): 2,
    }


def test_platform_shares_are_the_top_platforms_over_the_chart_months(
    report: MarketReport,
) -> None:
    shares = [(row.platform_name, row.release_month, row.share) for row in report.platform_shares]

    # In the platforms table's rank order; March 2025 is before the chart, SEGA not ranked.
    assert shares == [
        ("PC", date(2026, 2, 1), 1.0),
        ("PC", date(2026, 3, 1), pytest.approx(2 / 3)),
        ("PlayStation", date(2026, 3, 1), pytest.approx(1 / 3)),
        ("Xbox", date(2025, 4, 1), 1.0),
    ]
    assert report.platform_shares[1].releases == 2


def test_the_platform_chart_keeps_the_six_first_platforms(tmp_path: Path) -> None:
    platforms = [(REPORT_DAY, n, f"P{n}", 10 - n, 0.1, n) for n in range(1, 9)]
    shares = [(date(2026, 3, 1), n, f"P{n}", 1, 8, 0.125, 1, 0.125) for n in range(1, 9)]
    report = read(write_marts(tmp_path / "w.duckdb", platforms=platforms, platform_shares=shares))

    assert [row.platform_name for row in report.platform_shares] == [f"P{n}" for n in range(1, 7)]


def test_the_rating_distribution_is_the_latest_full_years_in_the_top_genres(
    report: MarketReport,
) -> None:
    assert report.rating_year == 2025
    # Bands lowest first, unrated last; Puzzle is not among the period's genres.
    assert [(row.genre_name, row.bucket, row.games) for row in report.rating_buckets] == [
        ("Action", "4-5", 2),
        ("Action", "unrated", 1),
        ("Indie", "3-4", 1),
        ("RPG", "0-1", 1),
    ]


def test_no_earlier_rating_year_is_reported_not_raised(tmp_path: Path) -> None:
    ratings = [row for row in RATINGS if row[0] == 2026]
    report = read(write_marts(tmp_path / "w.duckdb", ratings=ratings))

    assert (report.rating_year, report.rating_buckets) == (None, ())


def test_top_publishers_are_from_the_latest_full_year(report: MarketReport) -> None:
    assert report.publisher_year == 2025
    assert [(row.rank, row.publisher_name) for row in report.top_publishers] == [
        (rank, f"Studio {rank}") for rank in range(1, 6)
    ]
    assert report.top_publishers[0].ratings_count == 1000
    assert report.top_publishers[0].avg_rating == pytest.approx(4.4)


def test_no_earlier_publisher_year_is_reported_not_raised(tmp_path: Path) -> None:
    publishers = [row for row in PUBLISHERS if row[2] == 2026]
    report = read(write_marts(tmp_path / "w.duckdb", publishers=publishers))

    assert (report.publisher_year, report.top_publishers) == (None, ())


def test_the_warehouse_is_opened_read_only_and_closed(warehouse: Path) -> None:
    before = warehouse.read_bytes()

    read(warehouse)

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
        read(tmp_path / "data" / "warehouse" / "game_market.duckdb")

    assert isinstance(raised.value, PipelineError)
    assert str(raised.value).startswith("No warehouse at ")
    _assert_names_the_fix(str(raised.value))


@pytest.mark.parametrize(
    ("setup", "names"),
    [
        (lambda path: write_marts(path, skip=["fct_trending_games_daily"]), "trending"),
        (lambda path: write_marts(path, skip=list(SCHEMA)), "mart_report_periods"),
        (lambda path: write_marts(path, skip=["mart_report_releases"]), "mart_report_releases"),
        (lambda path: write_marts(path, skip=["agg_rating_distribution"]), "rating_distribution"),
        (lambda path: write_marts(path, periods=[]), "mart_report_periods"),
    ],
    ids=["missing-mart", "no-marts", "missing-report-mart", "missing-chart-mart", "empty-periods"],
)
def test_missing_or_empty_marts_name_the_commands_that_fill_them(
    tmp_path: Path, setup: Callable[[Path], Path], names: str
) -> None:
    path = setup(tmp_path / "w.duckdb")

    with pytest.raises(WarehouseNotReady) as raised:
        read(path, None)

    assert names in str(raised.value)
    _assert_names_the_fix(str(raised.value))


def test_a_day_outside_the_report_days_names_the_days_there_are(warehouse: Path) -> None:
    with pytest.raises(ReportDayMissing) as raised:
        read(warehouse, date(2026, 4, 1))

    message = str(raised.value)
    assert "no report for 2026-04-01, only for 2026-03-14 to 2026-03-16" in message
    assert message.endswith(".") and ". " not in message


def test_a_file_that_is_not_a_warehouse_is_a_pipeline_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    path.write_text("not a database")

    with pytest.raises(WarehouseNotReady, match="make transform"):
        read(path)


# --- rendering ----------------------------------------------------------------------------------


def _renderings(report: MarketReport) -> dict[str, str]:
    return {
        "text": render_text(report),
        "markdown": render_markdown(report),
        "html": render_html(report),
    }


@pytest.mark.parametrize("kind", ["text", "markdown", "html"])
def test_every_rendering_credits_rawg(report: MarketReport, kind: str) -> None:
    rendered = _renderings(report)[kind]

    assert ATTRIBUTION in re.sub(r"<[^>]+>", "", rendered)


def test_the_text_report_ends_with_the_attribution(report: MarketReport) -> None:
    assert render_text(report).rstrip("\n").splitlines()[-1] == ATTRIBUTION


def test_the_html_footer_links_to_rawg(report: MarketReport) -> None:
    footer = render_html(report).split("<footer>")[1]

    assert '<a href="https://rawg.io">' in footer


def test_no_trending_data_is_said_in_every_rendering(tmp_path: Path) -> None:
    report = read(write_marts(tmp_path / "w.duckdb", trending=[]))

    for rendered in _renderings(report).values():
        assert NO_TRENDING in rendered


def _column_ends(line: str) -> list[int]:
    return [match.end() for match in re.finditer(r"\S+", line)]


def test_the_text_report_aligns_columns_and_formats_numbers(report: MarketReport) -> None:
    text = render_text(report)
    lines = text.splitlines()
    genre_rows = [line for line in lines if re.match(r"\s+\d+\s+(Action|Indie|RPG)\s", line)]
    publisher_row = next(line for line in lines if "Studio 1 " in line)
    trending_row = next(line for line in lines if "Riser 2" in line)

    assert len(genre_rows) == 3
    assert genre_rows[0].split()[-2:] == ["2", "40.0%"]
    assert genre_rows[2].split()[-2:] == ["1", "20.0%"]
    # right-aligned numbers end in the same columns
    assert len({tuple(_column_ends(row)[-2:]) for row in genre_rows}) == 1
    assert publisher_row.split()[-4:] == ["1", "1,000", "4.40", "4.30"]
    assert trending_row.split()[-4:] == ["5,002", "+128", "1", "128.0"]
    assert "Trending games on 2026-03-14" in text
    assert "No trending rows on 2026-03-15: showing the latest" in " ".join(text.split())
    assert "Top publishers of 2025" in text
    assert "Rating distribution of 2025's releases by genre" in text
    action = next(line for line in lines if re.match(r"\s+Action\s+0\s", line))
    assert action.split() == ["Action", "0", "0", "0", "0", "2", "1"]
    march = next(line for line in lines if line.strip().startswith("Mar 2026") and "%" in line)
    assert march.split()[2:] == ["66.7%", "33.3%", "-"]
    assert all(len(line) <= 96 for line in lines[2:-1])  # rich fits the tables to 96 columns


def test_the_text_report_aligns_wide_characters_and_clips_long_names(tmp_path: Path) -> None:
    trending = [
        (REPORT_DAY, 1, "Fjörd 🎮 ゲーム", 10, 5, 1, 5.0, 1),
        (REPORT_DAY, 2, "A" * 60, 10, 4, 1, 4.0, 2),
    ]
    lines = render_text(read(write_marts(tmp_path / "w.duckdb", trending=trending))).splitlines()

    wide = next(line for line in lines if "Fjörd" in line)
    long = next(line for line in lines if "AAAA" in line)
    assert "A" * 39 + "…" in long and "A" * 40 not in long
    # "🎮" and the three kana take two terminal columns each: 4 columns more than characters,
    # so both rows end in the same column.
    assert len(wide) + 4 == len(long)


def test_the_text_report_shows_data_as_text_not_markup(tmp_path: Path) -> None:
    trending = [(REPORT_DAY, 1, "[bold]Loud[/bold] :smile:", 10, 5, 1, 5.0, 1)]
    text = render_text(read(write_marts(tmp_path / "w.duckdb", trending=trending)))

    assert "[bold]Loud[/bold] :smile:" in text


def test_the_markdown_report_has_tables_and_inert_data(tmp_path: Path) -> None:
    publishers = [(1, "Pipe | *Bold* [link](x)", 2025, 3, 12345, 4.123, 4.0, 1)]

    markdown = render_markdown(read(write_marts(tmp_path / "w.duckdb", publishers=publishers)))

    assert "| # | Genre | Games | Share |" in markdown
    assert "|---:|---|---:|---:|" in markdown
    assert "| 1 | Action | 2 | 40.0% |" in markdown
    assert r"Pipe \| \*Bold\* \[link\](x)" in markdown
    assert "| 12,345 | 4.12 | 4.00 |" in markdown
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown


def test_the_html_report_escapes_data_and_loads_nothing(report: MarketReport) -> None:
    page = render_html(report)

    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in page
    assert re.findall(r"""(?:src|href)=["']([^"']*)""", page) == ["https://rawg.io"]
    assert "@import" not in page and "url(" not in page


def test_write_html_creates_the_folders(report: MarketReport, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026" / "market.html"

    written = write_html(report, target)

    assert written == target
    assert target.read_text(encoding="utf-8") == render_html(report)
