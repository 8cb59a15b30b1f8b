"""`gmp demo`, the quick start's first command: offline, no key, into ./data; its marts hold
enough of the market for every section to read; then its report read in a real browser, opened
from a file:// URL in headless Chromium the way a person reads it, on a laptop's and a phone's
width."""

from __future__ import annotations

import calendar
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb

from game_market.report import MarketReport, build_report
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.browser import chromium
from tests.support.cli import isolated_env, run_gmp, stopping_local_server

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "data" / "screenshots"


def test_demo_backfills_builds_and_reports_offline_without_a_key(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    with stopping_local_server(env, tmp_path):
        # As a newcomer runs it: its defaults are what the README's screenshot shows.
        result = run_gmp("demo", env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "[1/3] Starting the offline RAWG sandbox" in out
    assert "[3/3] Done in" in out and "dbt build passed" in out
    assert "  [14/14] " in out  # the last of the 14 days' progress lines
    assert "Game market report for" in out and "Trending games" in out
    assert "HTML report: data/reports/market_report.html" in out
    # It ends with what to do next: the report, the UI of the server its runs went to, the key.
    html_path = tmp_path.resolve() / "data/reports/market_report.html"
    ui = f"http://127.0.0.1:{env['PREFECT_SERVER_API_PORT']}"
    assert out.rstrip().splitlines()[-4:] == [
        "What next:",
        f"  Read the report: open {html_path} in a browser.",
        f"  See the demo's flow runs in the Prefect UI: {ui}",
        "  With your RAWG key: cp .env.example .env, rm -rf data (this demo's sandbox data), put "
        "the key in .env as RAWG_API_KEY=..., "
        "then run `gmp doctor` (after `. .venv/bin/activate`); README.md's \"With your RAWG "
        'key" goes on from there.',
    ]
    assert "Traceback" not in result.stderr
    assert "Starting a local Prefect server" in result.stderr

    html = (tmp_path / "data/reports/market_report.html").read_text()
    assert "<svg" in html and "rawg.io" in html
    warehouse = tmp_path / "data/warehouse/game_market.duckdb"
    assert warehouse.exists()
    assert any((tmp_path / "data/lake/raw/games").glob("dt=*/data.parquet"))

    report = build_report(DuckDBWarehouse(warehouse))
    assert_reads_like_a_market_report(warehouse, report)
    with chromium() as browser:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            read_in_the_browser(page, tmp_path / "data/reports/market_report.html", width)
            assert_shows_the_warehouse(page, warehouse, report)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"market-report-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            # One section on its own, the size of a README image.
            trending = SCREENSHOTS / f"market-report-trending-{width}.png"
            page.locator("section#trending").screenshot(path=str(trending))
            assert trending.stat().st_size > 5_000
            page.close()


def assert_reads_like_a_market_report(warehouse: Path, report: MarketReport) -> None:
    """Every section has the data to read: ten publishers ranked, dozens of releases in each
    month charted, rating bars of more than a handful of games, platform shares that drift
    from month to month rather than jump."""
    day = report.report_date
    with duckdb.connect(str(warehouse), read_only=True) as db:
        publishers = db.execute(
            "select count(*) from agg_publisher_leaderboard where release_year = ?",
            [report.publisher_year],
        ).fetchone()[0]
        assert report.publisher_year == day.year - 1 and publishers >= 10, publishers

        months = dict(
            db.execute(
                "select distinct release_month, month_releases from mart_report_releases "
                "where report_date = ?",
                [day],
            ).fetchall()
        )
        assert len(months) == 12
        # The report's own month runs only to the report day: dozens a whole month, pro rata.
        month_days = calendar.monthrange(day.year, day.month)[1]
        for month, releases in months.items():
            needed = 24 if month < day.replace(day=1) else 24 * day.day // month_days
            assert releases >= needed, (month, releases)

        bars = sorted(band.games for band in report.rating_buckets)
        assert report.rating_year == day.year - 1 and len(bars) >= 24
        assert bars[len(bars) // 2] >= 10, bars  # the median bar; today's RAWG has thousands
        genres = {band.genre_name for band in report.rating_buckets}
        for genre in genres:
            assert sum(b.games for b in report.rating_buckets if b.genre_name == genre) >= 50

        shares: dict[str, list[float]] = {}
        for point in report.platform_shares:
            shares.setdefault(point.platform_name, []).append(point.share)
        assert len(shares) == 6 and all(len(line) == 12 for line in shares.values())
        jumps = [abs(b - a) for line in shares.values() for a, b in pairwise(line)]
        assert max(jumps) <= 0.25, shares
        totals = db.execute(
            "select distinct release_month, month_releases from agg_platform_share_monthly "
            "where release_month between ? and ?",
            [report.release_chart.months[0], report.release_chart.months[-1]],
        ).fetchall()
        assert len(totals) == 12 and min(total for _, total in totals) >= 40, totals


def read_in_the_browser(page: Any, html: Path, width: int) -> None:
    """Loaded offline: no console error, no request leaving the file, every chart drawn whole
    within the page's width (scaled down on a phone), the RAWG attribution visible."""
    errors: list[str] = []
    left: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith("file:") else left.append(r.url))
    page.goto(html.as_uri(), wait_until="load")
    assert errors == [] and left == []
    charts = page.query_selector_all("figure.chart svg")
    assert charts
    for chart in charts:
        box = chart.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    attribution = page.locator("footer")
    assert attribution.is_visible() and "rawg.io" in attribution.inner_text()


# section -> the class of its chart's data marks, and the count of the warehouse rows they draw,
# asked of DuckDB here rather than through the report's own queries.
CHARTS = {
    "ratings": (
        "rating_bars_marks",
        """
        select count(*)
        from agg_rating_distribution as ratings
        inner join mart_report_genres as genres on ratings.genre_id = genres.genre_id
        where genres.report_date = $day and genres.genre_rank <= 6
            and ratings.release_year = (
                select max(release_year) from agg_rating_distribution
                where release_year < year($day)
            )
        """,
    ),
    "platform-share": (
        "platform_points_marks",
        """
        select count(*)
        from agg_platform_share_monthly as shares
        inner join mart_report_platforms as platforms
            on shares.parent_platform_id = platforms.parent_platform_id
        where platforms.report_date = $day and platforms.platform_rank <= 6
            and shares.release_month between
                (select min(release_month) from mart_report_releases where report_date = $day)
                and (select max(release_month) from mart_report_releases where report_date = $day)
        """,
    ),
    "trending": (
        "trending_bars_marks",
        """
        select count(*) from fct_trending_games_daily
        where trending_rank <= 10
            and dt = (select max(dt) from fct_trending_games_daily where dt <= $day)
        """,
    ),
    "releases": (
        "release_bars_marks",
        "select count(*) from mart_report_releases where report_date = $day",
    ),
}


def assert_shows_the_warehouse(page: Any, warehouse: Path, report: MarketReport) -> None:
    """One chart per section that has one, a mark per data point of each, titled and crediting
    RAWG; and the tables' numbers are the marts'."""
    assert len(page.query_selector_all("figure.chart svg")) == len(CHARTS)
    with duckdb.connect(str(warehouse), read_only=True) as db:
        for section, (marks, points) in CHARTS.items():
            expected = db.execute(points, {"day": report.report_date}).fetchone()[0]
            chart = page.locator(f"section#{section} figure.chart svg")
            assert chart.locator(f"g.{marks} > *").count() == expected > 0, section
            texts = chart.locator("text").all_text_contents()
            assert "Data: RAWG (rawg.io)" in texts, section
            assert (
                page.locator(f"section#{section} figure.chart").get_attribute("aria-label") in texts
            )

        for section, mart, name, rank in (
            ("genres", "mart_report_genres", "genre_name", "genre_rank"),
            ("platforms", "mart_report_platforms", "parent_platform_name", "platform_rank"),
        ):
            expected = db.execute(
                f"select {name}, games from {mart} where report_date = ? and {rank} <= 10 "
                f"order by {rank}",
                [report.report_date],
            ).fetchall()
            shown = table(page, section)
            assert [(row[1], int(row[2].replace(",", ""))) for row in shown] == expected

        ratings = db.execute(
            "select genre_name, rating_bucket, games from agg_rating_distribution "
            "where release_year = ? and genre_id in (select genre_id from mart_report_genres "
            "where report_date = ? and genre_rank <= 6)",
            [report.rating_year, report.report_date],
        ).fetchall()
        headers = page.locator("section#ratings thead th").all_inner_texts()
        shown_ratings = {
            (row[0], band.lower()): int(cell)
            for row in table(page, "ratings")
            for band, cell in zip(headers[1:], row[1:], strict=True)
            if cell != "0"
        }
        assert shown_ratings == {(genre, band): games for genre, band, games in ratings}

        shares = db.execute(
            "select release_month, parent_platform_name, share_of_releases "
            "from agg_platform_share_monthly where release_month between ? and ? "
            "and parent_platform_id in (select parent_platform_id from mart_report_platforms "
            "where report_date = ? and platform_rank <= 6)",
            [report.release_chart.months[0], report.release_chart.months[-1], report.report_date],
        ).fetchall()
        headers = page.locator("section#platform-share thead th").all_inner_texts()
        shown_shares = {
            (row[0], platform): cell
            for row in table(page, "platform-share")
            for platform, cell in zip(headers[1:], row[1:], strict=True)
            if cell != "-"
        }
        assert shown_shares == {
            (f"{month:%b %Y}", platform): f"{share:.1%}" for month, platform, share in shares
        }

        trending = db.execute(
            "select game_name, added_per_day from fct_trending_games_daily "
            "where trending_rank <= 10 and dt = ? order by trending_rank",
            [report.trending_date],
        ).fetchall()
        shown = table(page, "trending")
        assert [(row[1], row[5]) for row in shown] == [
            (name, f"{per_day:,.1f}") for name, per_day in trending
        ]


def table(page: Any, section: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"section#{section} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )
