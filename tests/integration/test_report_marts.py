"""The report marts computed by dbt from known games, then read by the report.

The upstream marts (games, snapshots, genres, platforms, calendar) are written directly; dbt
builds the report marts and their tests from them, as `make transform` would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from game_market.report import MarketReport, build_report
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.dbt_run import run_dbt
from tests.support.layout import WAREHOUSE, in_folder
from tests.support.report_marts import REPORT_DAY, SCRIPT_NAME, write_marts

REPORT_MODELS = [
    "fct_game_parent_platforms",
    "mart_report_periods",
    "mart_report_genres",
    "mart_report_platforms",
    "int_chart_months_spanned",
    "int_chart_releases_filtered",
    "int_chart_month_releases_counted",
    "int_chart_genre_releases_counted",
    "int_chart_genres_ranked",
    "int_chart_days_segmented",
    "int_chart_other_releases_counted",
    "mart_report_releases",
]
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
SNAPSHOTS: list[tuple[int, date]] = [
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
GAME_PLATFORMS: list[tuple[int, int]] = [
    (1, 4),
    (1, 18),
    (1, 187),
    (2, 18),
    (3, 1),
    (4, 4),
    (5, 4),
    (7, 9),
]

UPSTREAM = {
    "dim_games": "game_id bigint, game_name varchar, released_on date, release_month date, "
    "release_year integer, is_released boolean",
    "fct_game_daily_snapshots": "game_id bigint, dt date, previous_dt date",
    "fct_game_genres": "game_id bigint, genre_id bigint, genre_name varchar",
    "dim_genres": "genre_id bigint, genre_name varchar",
    "fct_game_platforms": "game_id bigint, platform_id bigint",
    "dim_platforms": "platform_id bigint, platform_name varchar, parent_platform_id bigint, "
    "parent_platform_name varchar",
    "dim_parent_platforms": "parent_platform_id bigint, parent_platform_name varchar",
    "dim_date": "date_day date, month_start date",
}


def with_previous(snapshots: Sequence[tuple[int, date]]) -> list[tuple[Any, ...]]:
    """Each snapshot with the game's snapshot before it, as fct_game_daily_snapshots has."""
    rows, last = [], {}
    for game_id, dt in sorted(snapshots, key=lambda row: row[1]):
        rows.append((game_id, dt, last.get(game_id)))
        last[game_id] = dt
    return rows


def build_marts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    games: Sequence[tuple[Any, ...]] = GAMES,
    game_genres: Sequence[tuple[Any, ...]] = GAME_GENRES,
    variables: dict[str, Any] | None = None,
) -> Path:
    """The upstream marts written, the report marts built by dbt (with their tests)."""
    in_folder(tmp_path, monkeypatch)
    path = tmp_path / WAREHOUSE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_marts(path, skip=[name for name in REPORT_MODELS if name.startswith("mart_")])
    calendar = [date(2024, 1, 1) + timedelta(days=n) for n in range(3 * 366)]
    data = {
        "dim_games": [
            (
                game_id,
                name,
                day,
                day.replace(day=1) if day else None,
                day.year if day else None,
                out,
            )
            for game_id, name, day, out in games
        ],
        "fct_game_daily_snapshots": with_previous(SNAPSHOTS),
        "fct_game_genres": list(game_genres),
        "dim_genres": sorted({(genre_id, name) for _, genre_id, name in game_genres}),
        "fct_game_platforms": GAME_PLATFORMS,
        "dim_platforms": PLATFORMS,
        "dim_parent_platforms": sorted({row[2:] for row in PLATFORMS if row[2] is not None}),
        "dim_date": [(day, day.replace(day=1)) for day in calendar],
    }
    with duckdb.connect(str(path)) as con:
        for table, columns in UPSTREAM.items():
            con.execute(f"create table main.{table} ({columns})")
            marks = ", ".join("?" * len(data[table][0]))
            con.executemany(f"insert into main.{table} values ({marks})", data[table])
    command = ["build", "--select", *REPORT_MODELS]
    if variables:
        command += ["--vars", json.dumps(variables)]
    run_dbt(tmp_path, *command)
    return path


def read(path: Path, day: date = REPORT_DAY) -> MarketReport:
    return build_report(DuckDBWarehouse(path), day)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MarketReport:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return read(build_marts(tmp_path_factory.mktemp("marts"), monkeypatch))


def test_counts_cover_the_period(report: MarketReport) -> None:
    assert (report.period_start, report.period_days) == (date(2026, 3, 2), 14)
    assert report.games_in_warehouse == 7
    assert report.games_seen_in_period == 5  # games 1, 2, 3, 5, 7
    assert report.releases_in_period == 2  # games 1 and 7; game 5 comes out after the day


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


def test_release_counts_per_month_by_genre(report: MarketReport) -> None:
    chart = report.release_chart
    counts = {
        series.name: dict(zip(chart.months, series.counts, strict=True)) for series in chart.series
    }

    assert chart.months[0] == date(2025, 4, 1)
    assert chart.months[-1] == date(2026, 3, 1)
    assert len(chart.months) == 12
    assert list(counts) == ["Action", "Indie", "RPG", "Other"]
    assert [series.is_other for series in chart.series] == [False, False, False, True]
    assert {(month, name): n for name, row in counts.items() for month, n in row.items() if n} == {
        (date(2025, 4, 1), "RPG"): 1,
        (date(2026, 2, 1), "Action"): 1,
        (date(2026, 3, 1), "Action"): 1,
        (date(2026, 3, 1), "Indie"): 1,
        (date(2026, 3, 1), "Other"): 1,  # Epsilon has no genre
    }
    totals = dict(zip(chart.months, chart.totals, strict=True))
    assert {month: n for month, n in totals.items() if n} == {
        date(2025, 4, 1): 1,
        date(2026, 2, 1): 1,
        date(2026, 3, 1): 2,  # Alpha and Epsilon; the announced game 5 is not out yet
    }


def test_the_chart_keeps_six_genres_and_folds_the_rest_into_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    games = [(n, f"Game {n}", date(2026, 3, n), True) for n in range(1, 11)]
    # Genre g (1..8) is on games 1..(9 - g): genre 1 on 8 games, genre 8 on game 1 only;
    # game 9 has no genre and game 10 is only in genre 8: both are "Other".
    genres = [(n, g, f"Genre {g}") for g in range(1, 9) for n in range(1, 10 - g)]
    genres.append((10, 8, "Genre 8"))

    chart = read(build_marts(tmp_path, monkeypatch, games=games, game_genres=genres)).release_chart

    assert [series.name for series in chart.series] == [
        *(f"Genre {g}" for g in range(1, 7)),
        "Other",
    ]
    assert [series.counts[-1] for series in chart.series] == [8, 7, 6, 5, 4, 3, 2]
    assert chart.totals[-1] == 10


# Last in the module: its --vars make dbt parse the whole project, for it and for the next build.
def test_a_shorter_period_counts_fewer_games(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = read(build_marts(tmp_path, monkeypatch, variables={"report_period_days": 1}))

    assert (report.period_start, report.period_days) == (REPORT_DAY, 1)
    assert report.games_seen_in_period == 3  # games 1, 3, 7 on 2026-03-15
    assert report.releases_in_period == 0
