"""Volume: the day's updated games against the recent median, the reference lists against
their last size.

Read from the lake's partition manifests (one small JSON file each), not the warehouse: the
lake keeps each day's count of updated games whichever warehouse the run builds, where the
marts keep one row per game.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from game_market.checks import Status, Verdict, worst
from game_market.endpoints import Kind, of_kind
from game_market.lake import Lake, Manifest

HISTORY_DAYS = 28  # the days before the run's day whose median is "usual"
# Below this many days of history a median says little: the check reports it and passes, so
# a new deployment's first week does not page anyone; zero games is an error regardless.
MIN_HISTORY_DAYS = 7
LOW, HIGH = 0.3, 3.0  # the day's games against the median: warn outside this band
# A reference list (genres, platforms, ...) changes by a few entries a month: losing a tenth,
# or growing by half, means RAWG answered differently, not that the market moved.
REFERENCE_LOW, REFERENCE_HIGH = 0.9, 1.5


@dataclass(frozen=True)
class Count:
    """A partition's size, as its manifest records it."""

    dt: date
    rows: int
    truncated: bool = False  # a page cap stopped it: its size is the cap's, not RAWG's
    pages: int = 0

    @classmethod
    def of(cls, manifest: Manifest) -> Count:
        return cls(
            date.fromisoformat(manifest.dt), manifest.rows, manifest.truncated, manifest.pages
        )


@dataclass(frozen=True)
class Part:
    status: Status
    message: str


def games_volume(day: date, today: Count | None, history: Sequence[Count]) -> tuple[Part, dict]:
    """The day's games against the median of the uncapped days of ``history``."""
    usual = [c.rows for c in history if not c.truncated]
    median = statistics.median(usual) if usual else None
    figures = {
        "games": None if today is None else today.rows,
        "median": median,
        "history_days": len(usual),
        "ratio": None,
    }
    if today is None:
        fix = f"rerun the day: gmp daily --date {day}"
        return Part("error", f"No games partition landed for {day}: {fix}."), figures
    if today.rows == 0:
        return Part("error", f"RAWG returned no games updated on {day}."), figures
    if today.truncated:
        return Part("ok", f"{today.rows:,} games for {day}, capped by max_pages."), figures
    if median is None or len(usual) < MIN_HISTORY_DAYS:
        return Part(
            "ok",
            f"{today.rows:,} games updated on {day}; not enough history to compare "
            f"({len(usual)} of the {MIN_HISTORY_DAYS} days needed).",
        ), figures
    ratio = today.rows / median
    figures["ratio"] = round(ratio, 3)
    compared = (
        f"{today.rows:,} games updated on {day}, {ratio:.2f}x the median of {median:,g} "
        f"over the {len(usual)} days before"
    )
    if ratio < LOW:
        rerun = f"rerun the day once RAWG answers in full: gmp daily --date {day}"
        return Part("warn", f"Only {compared}: RAWG may have answered partly; {rerun}."), figures
    if ratio > HIGH:
        return Part("warn", f"{compared[0].upper()}{compared[1:]}: an unusual surge."), figures
    return Part("ok", f"{compared[0].upper()}{compared[1:]}."), figures


def reference_volume(day: date, name: str, current: Count | None, previous: Count | None) -> Part:
    """A reference list's latest snapshot against the one before it."""
    refresh = f"gmp ingest --endpoint {name} --date {day}"
    if current is None:
        return Part("error", f"The {name} list has never landed: run {refresh}.")
    if current.rows == 0:
        return Part("error", f"The {name} list of {current.dt} is empty: run {refresh}.")
    if previous is None:
        return Part("ok", f"{name}: {current.rows:,} entries, its first snapshot.")
    if (current.truncated or previous.truncated) and current.pages != previous.pages:
        return Part("ok", f"{name}: {current.rows:,} entries, page cap changed: not compared.")
    ratio = current.rows / previous.rows if previous.rows else float("inf")
    sizes = f"{current.rows:,} entries on {current.dt} against {previous.rows:,} on {previous.dt}"
    if ratio < REFERENCE_LOW or ratio > REFERENCE_HIGH:
        return Part("warn", f"The {name} list has {sizes}: check it, then run {refresh}.")
    return Part("ok", f"{name}: {sizes}.")


def volume_verdict(
    day: date,
    today: Count | None,
    history: Sequence[Count],
    references: Mapping[str, tuple[Count | None, Count | None]],
) -> Verdict:
    """One verdict: the worst of the games' and every reference list's."""
    games, figures = games_volume(day, today, history)
    lists = {name: reference_volume(day, name, *pair) for name, pair in references.items()}
    figures["reference_lists"] = {
        name: None if current is None else current.rows for name, (current, _) in references.items()
    }
    status = worst([games.status, *(part.status for part in lists.values())])
    if games.status == status:
        message = games.message
    else:
        message = next(part.message for part in lists.values() if part.status == status)
    return Verdict("volume", status, day.isoformat(), message, figures)


def read_volume(lake: Lake, days: Sequence[date]) -> list[Verdict]:
    """The volume verdict of each of ``days`` (ascending) from the lake's manifests, read
    once; the reference lists, a snapshot of the run's time, are checked on the last day."""
    first, last = days[0] - timedelta(days=HISTORY_DAYS), days[-1]
    games = {
        dt: count
        for dt in lake.partitions("games")
        if first <= dt <= last and (count := _count(lake, "games", dt)) is not None
    }
    references = {}
    for endpoint in of_kind(Kind.SNAPSHOT):
        # A backfill takes the lists once, for its last day: the latest at or before it.
        latest = [dt for dt in lake.partitions(endpoint) if dt <= last][-2:]
        previous, current = [None, None, *(_count(lake, endpoint, dt) for dt in latest)][-2:]
        references[str(endpoint)] = (current, previous)
    verdicts = []
    for day in days:
        window = [day - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        history = [games[dt] for dt in window if dt in games]
        lists = references if day == last else {}
        verdicts.append(volume_verdict(day, games.get(day), history, lists))
    return verdicts


def _count(lake: Lake, endpoint: str, dt: date) -> Count | None:
    manifest = lake.read_manifest(endpoint, dt)
    return None if manifest is None else Count.of(manifest)
