"""The release chart's geometry: grouped bars per month, axes and a legend, for the SVG template.

Grouped rather than stacked: a game counts in each of its genres, so stacked genre counts
would add up to more games than were released.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game_market.report.model import ReleaseChart
from game_market.report.sections import MONTH_ABBR, month

# Okabe-Ito: distinguishable with the common colour-vision deficiencies; grey is Other.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#999999"
LEFT, TOP, BOTTOM, LEGEND_WIDTH, RIGHT_GAP = 64, 56, 72, 190, 24
PLOT_HEIGHT, GROUP_GAP = 260, 14


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: int
    height: float
    colour: str
    label: str
    """The bar's tooltip: series, month and count."""


@dataclass(frozen=True)
class MonthGroup:
    key: str
    """YYYY-MM, for scripts and tests that read the SVG."""
    label_x: float
    abbr: str
    year: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    y: int
    colour: str
    name: str


@dataclass(frozen=True)
class ChartLayout:
    title: str
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    ticks: tuple[Tick, ...]
    groups: tuple[MonthGroup, ...]
    legend_x: int
    legend: tuple[LegendEntry, ...]
    empty: bool
    """No game released in any of the months: the plot says so."""


def y_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 to at least ``top``, about five of them, 1-2-5 steps."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def layout(chart: ReleaseChart) -> ChartLayout:
    bar = 9 if len(chart.series) <= 7 else 6
    group = len(chart.series) * bar + GROUP_GAP
    plot_width = group * len(chart.months)
    ticks = y_ticks(max((max(series.counts) for series in chart.series), default=0))
    scale = PLOT_HEIGHT / ticks[-1]
    colours = [
        OTHER_COLOUR if series.is_other else SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for index, series in enumerate(chart.series)
    ]
    groups = []
    for index, value in enumerate(chart.months):
        x0 = LEFT + index * group + GROUP_GAP / 2
        bars = []
        for rank, series in enumerate(chart.series):
            height = series.counts[index] * scale
            bars.append(
                Bar(
                    x=x0 + rank * bar,
                    y=TOP + PLOT_HEIGHT - height,
                    width=bar - 1,
                    height=height,
                    colour=colours[rank],
                    label=f"{series.name}, {month(value)}: {series.counts[index]:,}",
                )
            )
        groups.append(
            MonthGroup(
                key=f"{value:%Y-%m}",
                label_x=x0 + (group - GROUP_GAP) / 2,
                abbr=MONTH_ABBR[value.month - 1],
                year=value.year,
                bars=tuple(bars),
            )
        )
    return ChartLayout(
        title=(
            f"Releases per month by genre, {month(chart.months[0])} to {month(chart.months[-1])}"
        ),
        width=LEFT + plot_width + RIGHT_GAP + LEGEND_WIDTH,
        height=TOP + PLOT_HEIGHT + BOTTOM,
        left=LEFT,
        top=TOP,
        plot_width=plot_width,
        plot_height=PLOT_HEIGHT,
        ticks=tuple(Tick(TOP + PLOT_HEIGHT - tick * scale, f"{tick:,}") for tick in ticks),
        groups=tuple(groups),
        legend_x=LEFT + plot_width + RIGHT_GAP,
        legend=tuple(
            LegendEntry(TOP + 14 + index * 20, colours[index], series.name)
            for index, series in enumerate(chart.series)
        ),
        empty=not any(chart.totals),
    )
