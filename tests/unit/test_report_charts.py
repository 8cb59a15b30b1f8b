"""The report's charts, drawn from report marts with known rows: one SVG per chart, titled,
labelled, crediting RAWG, loading nothing, one mark per data point; and where they appear."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from game_market.render.report_charts import OTHER_COLOUR, Chart, charts, count_ticks
from game_market.render.report_html import render_html
from game_market.render.report_markdown import render_markdown
from game_market.report import MarketReport, build_report
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.report_marts import CHART_MONTHS, REPORT_DAY, SCRIPT_NAME, write_marts

SVG = "{http://www.w3.org/2000/svg}"
# section -> (title, axis titles, data points in tests/support/report_marts.py's rows)
EXPECTED = {
    "releases": (
        "Releases per month by genre, Apr 2025 to Mar 2026",
        ("Release month", "Games released", "Genre"),
        12 * 4,  # every month of Action, Indie, RPG and Other, zeros included
    ),
    "platform-share": (
        "Platform share of releases per month, Apr 2025 to Mar 2026",
        ("Release month", "Share of the month's releases", "Platform"),
        4,  # Xbox in April 2025, PC in February and March 2026, PlayStation in March
    ),
    "ratings": (
        "Rating distribution of 2025's releases by genre",
        ("Rating (stars)", "Games"),
        4,  # Action 4-5 and unrated, Indie 3-4, RPG 0-1
    ),
    "trending": (
        "Trending games on 2026-03-14",
        ("Library adds per day",),
        10,
    ),
}


def read(path: Path) -> MarketReport:
    return build_report(DuckDBWarehouse(path), REPORT_DAY)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Chart]:
    return charts(read(write_marts(tmp_path_factory.mktemp("charts") / "w.duckdb")))


def marks(chart: Chart) -> list[ElementTree.Element]:
    """The chart's data marks: every item of its mark groups (one group per facet cell)."""
    root = ElementTree.fromstring(chart.svg)
    return [
        item
        for group in root.iter(f"{SVG}g")
        if chart.marks in group.get("class", "").split()
        for item in group
    ]


def test_every_chart_is_drawn(drawn: dict[str, Chart]) -> None:
    assert sorted(drawn) == sorted(EXPECTED)


@pytest.mark.parametrize("section", list(EXPECTED))
def test_a_chart_is_titled_labelled_and_credits_rawg(drawn: dict[str, Chart], section: str) -> None:
    title, axes, _ = EXPECTED[section]
    chart = drawn[section]
    texts = [text.text for text in ElementTree.fromstring(chart.svg).iter(f"{SVG}text")]

    assert chart.title == title
    assert title in texts
    assert "Data: RAWG (rawg.io)" in texts
    assert set(axes) <= set(texts)


@pytest.mark.parametrize("section", list(EXPECTED))
def test_a_chart_draws_one_mark_per_data_point(drawn: dict[str, Chart], section: str) -> None:
    chart = drawn[section]

    assert len(marks(chart)) == chart.points == EXPECTED[section][2]


@pytest.mark.parametrize("section", list(EXPECTED))
def test_a_chart_is_static_and_loads_nothing(drawn: dict[str, Chart], section: str) -> None:
    svg = drawn[section].svg

    assert svg.startswith("<svg ")
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    lowered = svg.lower()
    for loader in ("<script", "href=", "url(", "@import", "@font-face", "<image", "<foreignobject"):
        assert loader not in lowered
    # Several charts share one page: an id would clash between them.
    assert " id=" not in svg


def test_chart_data_is_escaped_text(drawn: dict[str, Chart]) -> None:
    svg = drawn["trending"].svg
    labels = [text.text for text in ElementTree.fromstring(svg).iter(f"{SVG}text")]

    assert f"1. {SCRIPT_NAME}" in labels
    assert "<script>" not in svg


def test_the_release_chart_keeps_the_okabe_ito_colours_and_greys_other(
    drawn: dict[str, Chart],
) -> None:
    fills = [mark.get("fill") for mark in marks(drawn["releases"])]

    assert fills[:12] == ["#0072B2"] * 12  # Action, every month
    assert fills[-12:] == [OTHER_COLOUR] * 12


def test_count_axes_tick_whole_numbers() -> None:
    assert count_ticks(0) == [0, 1]
    assert count_ticks(2) == [0, 1, 2]
    assert count_ticks(7) == [0, 2, 4, 6, 8]
    assert count_ticks(130) == [0, 50, 100, 150]


@pytest.mark.parametrize(("games", "labels"), [(29, ["10", "20", "30"]), (1400, ["1,000"])])
def test_count_axes_label_whole_numbers_as_written(
    tmp_path: Path, games: int, labels: list[str]
) -> None:
    busy = [(REPORT_DAY, m, 1, 4, "Action", False, games, games) for m in CHART_MONTHS]
    chart = charts(read(write_marts(tmp_path / "w.duckdb", releases=busy)))["releases"]

    texts = [text.text for text in ElementTree.fromstring(chart.svg).iter(f"{SVG}text")]
    assert set(labels) <= set(texts), texts


@pytest.mark.parametrize(
    ("rows", "section", "note"),
    [
        ({"trending": []}, "trending", "no trending data yet"),
        ({"ratings": []}, "ratings", "no rating distribution for a year before 2026 yet"),
        ({"platform_shares": []}, "platform-share", "no releases on the period's top platforms"),
    ],
    ids=["trending", "ratings", "platform-share"],
)
def test_a_section_without_data_has_no_chart_and_says_why(
    tmp_path: Path, rows: dict[str, list[object]], section: str, note: str
) -> None:
    report = read(write_marts(tmp_path / "w.duckdb", **rows))  # type: ignore[arg-type]

    assert section not in charts(report)
    assert note in html.unescape(render_html(report))
    assert note in render_markdown(report)


def test_months_without_releases_draw_no_release_chart(tmp_path: Path) -> None:
    empty = [(REPORT_DAY, m, 1, 4, "Action", False, 0, 0) for m in CHART_MONTHS]

    assert "releases" not in charts(read(write_marts(tmp_path / "w.duckdb", releases=empty)))


def test_the_page_inlines_every_chart_in_its_section(
    tmp_path: Path, drawn: dict[str, Chart]
) -> None:
    page = render_html(read(write_marts(tmp_path / "w.duckdb")))

    for section, chart in drawn.items():
        body = page.split(f'<section id="{section}">')[1].split("</section>")[0]
        assert f'<figure class="chart" aria-label="{chart.title}"><svg ' in html.unescape(body)
        assert body.count("<svg ") == 1


def test_the_artifact_shows_every_chart_as_an_image_above_its_table(
    tmp_path: Path, drawn: dict[str, Chart]
) -> None:
    markdown = render_markdown(read(write_marts(tmp_path / "w.duckdb")))

    images = re.findall(r"!\[([^\]]*)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert [alt for alt, _ in images] == [
        "Rating distribution of 2025's releases by genre",
        "Platform share of releases per month, Apr 2025 to Mar 2026",
        "Trending games on 2026-03-14",
        "Releases per month by genre, Apr 2025 to Mar 2026",
    ]
    for _, data in images:
        assert base64.b64decode(data).decode().startswith("<svg ")
    # Tables still follow each image, for where images are not shown.
    assert "| Genre | 0-1 | 1-2 | 2-3 | 3-4 | 4-5 | Unrated |" in markdown
    assert "| Mar 2026 | 66.7% | 33.3% | - |" in markdown
