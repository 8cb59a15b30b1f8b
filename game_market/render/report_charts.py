"""The report's charts: Vega-Lite specs built with altair, drawn to static SVG by vl-convert.

vl-convert runs Vega in its own embedded engine at report time and returns SVG markup (text
as ``<text>``, fonts named, never loaded), so the page gets no JavaScript and loads nothing.
Every chart is titled, labels its axes and credits RAWG in its subtitle; each one's data
marks sit in a group of class ``<name>_marks``, one mark per data point, for the tests.

Imported only to draw (``render_html``, ``render_markdown``): altair and vl-convert take
most of a second to import, which commands that print text never pay.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert

from game_market.report.model import RATING_BUCKETS, MarketReport
from game_market.report.sections import month

SOURCE = "Data: RAWG (rawg.io)"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; grey is Other.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#999999"
# Plots about 460 px wide keep each SVG near 550 px: a phone 390 px wide shows it at ~65%,
# where the 13 px type below still reads at 8-9 px; a laptop shows it whole.
PLOT_WIDTH, PLOT_HEIGHT = 460, 240
CONFIG: dict[str, Any] = {
    "font": "sans-serif",
    "title": {"fontSize": 17, "subtitleFontSize": 13, "subtitleColor": "#555", "anchor": "start"},
    "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 220},
    "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 220},
    "header": {"labelFontSize": 13},
}
# vl-convert's Vega-Lite matching the specs altair writes (major.minor).
VEGA_LITE = ".".join(alt.SCHEMA_VERSION.removeprefix("v").split(".")[:2])


@dataclass(frozen=True)
class Chart:
    section: str
    """The key of the report section the chart draws."""
    title: str
    marks: str
    """The class of the SVG groups holding the chart's data marks."""
    points: int
    """Data points, each drawn as one mark."""
    svg: str

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI, for an ``<img>`` or a Markdown image."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def count_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 to at least ``top``, about five, in 1-2-5 steps: Vega's own
    ``tickMinStep`` is not honoured here, and counts of games read badly as 0.5 or 1.5."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _count_axis(field: str, title: str, top: int) -> alt.Y:
    ticks = count_ticks(top)
    return alt.Y(
        field,
        title=title,
        scale=alt.Scale(domain=[0, ticks[-1]], nice=False),
        # ",d", not ",": d3-format without a type writes 10 as "1e+1"
        axis=alt.Axis(values=ticks, format=",d"),
    )


def _title(text: str) -> alt.Title:
    return alt.Title(text, subtitle=SOURCE)


def _draw(section: str, title: str, name: str, points: int, chart: alt.TopLevelMixin) -> Chart:
    svg = vl_convert.vegalite_to_svg(
        chart.to_dict(), vl_version=VEGA_LITE, config=CONFIG, allowed_base_urls=[]
    )
    return Chart(section, title, f"{name}_marks", points, svg)


def release_chart(report: MarketReport) -> Chart | None:
    """Grouped, not stacked: a game counts in each of its genres, so stacked counts would add
    up to more games than were released."""
    chart = report.release_chart
    if not any(chart.totals):
        return None
    months = [month(value) for value in chart.months]
    names = [series.name for series in chart.series]
    colours = [
        OTHER_COLOUR if series.is_other else COLOURS[rank % len(COLOURS)]
        for rank, series in enumerate(chart.series)
    ]
    rows = [
        {"month": label, "genre": series.name, "games": games}
        for series in chart.series
        for label, games in zip(months, series.counts, strict=True)
    ]
    title = f"Releases per month by genre, {months[0]} to {months[-1]}"
    spec = (
        alt.Chart(alt.Data(values=rows), name="release_bars", title=_title(title))
        .mark_bar()
        .encode(
            x=alt.X("month:N", sort=months, title="Release month", axis=alt.Axis(labelAngle=-45)),
            xOffset=alt.XOffset("genre:N", sort=names),
            y=_count_axis("games:Q", "Games released", max(row["games"] for row in rows)),
            color=alt.Color(
                "genre:N",
                sort=names,
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(title="Genre", orient="bottom", columns=4),
            ),
        )
        .properties(width=PLOT_WIDTH, height=PLOT_HEIGHT)
    )
    return _draw("releases", title, "release_bars", len(rows), spec)


def platform_share_chart(report: MarketReport) -> Chart | None:
    """Lines, not stacked areas: shares overlap (a game ships on several platforms)."""
    if not report.platform_shares:
        return None
    months = [month(value) for value in report.release_chart.months]
    names = list(dict.fromkeys(row.platform_name for row in report.platform_shares))
    shares = {
        (month(row.release_month), row.platform_name): row.share for row in report.platform_shares
    }
    # Every month of every platform, null where it had no release: the line breaks there
    # rather than drawing a share across months nothing was released in.
    rows = [
        {"month": label, "platform": name, "share": shares.get((label, name))}
        for name in names
        for label in months
    ]
    title = f"Platform share of releases per month, {months[0]} to {months[-1]}"
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(
            "month:N",
            sort=months,
            scale=alt.Scale(domain=months),
            title="Release month",
            axis=alt.Axis(labelAngle=-45),
        ),
        y=alt.Y(
            "share:Q",
            title="Share of the month's releases",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        color=alt.Color(
            "platform:N",
            sort=names,
            scale=alt.Scale(domain=names, range=list(COLOURS[: len(names)])),
            legend=alt.Legend(title="Platform", orient="bottom", columns=3),
        ),
    )
    spec = alt.layer(
        base.mark_line(strokeWidth=2),
        base.mark_point(filled=True, size=60, opacity=1)
        .transform_filter("datum.share != null")
        .properties(name="platform_points"),
        title=_title(title),
    ).properties(width=PLOT_WIDTH, height=PLOT_HEIGHT)
    return _draw("platform-share", title, "platform_points", len(shares), spec)


def rating_chart(report: MarketReport) -> Chart | None:
    """A histogram per genre on one shared scale, so genres compare in size as in shape."""
    if not report.rating_buckets:
        return None
    bands = list(RATING_BUCKETS)
    genres = list(dict.fromkeys(row.genre_name for row in report.rating_buckets))
    rows = [
        {"genre": row.genre_name, "band": row.bucket, "games": row.games}
        for row in report.rating_buckets
    ]
    title = f"Rating distribution of {report.rating_year}'s releases by genre"
    spec = (
        alt.Chart(alt.Data(values=rows), name="rating_bars")
        .mark_bar(color=COLOURS[0])
        .encode(
            x=alt.X(
                "band:N",
                sort=bands,
                scale=alt.Scale(domain=bands),
                title="Rating (stars)",
                axis=alt.Axis(labelAngle=-45),
            ),
            y=_count_axis("games:Q", "Games", max(row["games"] for row in rows)),
        )
        .properties(width=130, height=110)
        .facet(
            facet=alt.Facet("genre:N", sort=genres, title=None),
            columns=3,
            title=_title(title),
        )
    )
    return _draw("ratings", title, "rating_bars", len(rows), spec)


def trending_chart(report: MarketReport) -> Chart | None:
    if not report.trending or report.trending_date is None:
        return None
    # Ranked labels: two games may share a name, and the bars keep the table's order.
    labels = [f"{game.rank}. {game.game_name}" for game in report.trending]
    rows = [
        {"game": label, "per_day": game.added_per_day}
        for label, game in zip(labels, report.trending, strict=True)
    ]
    title = f"Trending games on {report.trending_date.isoformat()}"
    spec = (
        alt.Chart(alt.Data(values=rows), name="trending_bars", title=_title(title))
        .mark_bar(color=COLOURS[0])
        .encode(
            x=alt.X("per_day:Q", title="Library adds per day"),
            y=alt.Y("game:N", sort=labels, title=None),
        )
        .properties(width=PLOT_WIDTH - 140, height=alt.Step(24))
    )
    return _draw("trending", title, "trending_bars", len(rows), spec)


def charts(report: MarketReport) -> dict[str, Chart]:
    """The report's charts by the key of the section each draws; none for a section with no
    data (its text says so)."""
    drawn = (
        rating_chart(report),
        platform_share_chart(report),
        trending_chart(report),
        release_chart(report),
    )
    return {chart.section: chart for chart in drawn if chart is not None}
