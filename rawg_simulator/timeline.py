"""The time model: which games are updated on which day, and how they grow in between.

Real RAWG only ever shows a game's current state, so the sandbox simulates what a pipeline
collecting every day would have seen. Each game has a deterministic update schedule inside
the ``days`` window (a first update, then, for a share of games that favours the popular
ones, re-updates every 1-7 days); ``updated=lo,hi`` serves a game as of its latest update day
in the range, with counts (``added``, ``ratings_count``, ...) that only grow over the
schedule and reach the current state, the one every other route shows, on the game's last
update day. Days are offsets into the window: 0 .. days - 1 (yesterday).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from rawg_simulator.config import SandboxConfig
from rawg_simulator.distributions import ADDED_DECADES, GROWTH_PER_DAY, MAX_REFRESH_GAP
from rawg_simulator.games import Facts, iso_timestamp, mix, rescale_ratings, rescale_statuses

_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()
# How far (hundredths of a star) a rating may sit from today's value, one per day back.
_MAX_RATING_DRIFT = 10


class Timeline:
    """Every game's update days, stored CSR-style, and the per-day index of updated games."""

    def __init__(self, config: SandboxConfig) -> None:
        self.days = config.days
        self._refresh_share = config.refresh_share
        self.first_ordinal = config.current_day.toordinal() - config.days
        self._first_epoch_day = self.first_ordinal - _EPOCH_ORDINAL
        # the time model's own hash stream: drawing from the catalog's RNG would shift studios
        self._salt = mix(config.seed ^ 0x7D1E_5EED)
        # game i's days are _days[_offsets[i]:_offsets[i + 1]]
        self._offsets = array("I", [0])
        self._days = array("H")
        # day -> indexes (ascending) of the games updated that day
        self._day_games = [array("i") for _ in range(config.days)]
        thin = config.thin_day
        self._thin_day = None if thin is None else thin.toordinal() - self.first_ordinal
        self._thin_step = max(1, round(1 / config.thin_share))

    # -- building -------------------------------------------------------------------------

    def add(self, index: int, gid: int, first_day: int, added: int) -> int:
        """Schedule game ``index`` (added next, in index order); returns its last update day."""
        schedule = self._schedule(gid, first_day, added)
        for day in schedule:
            self._day_games[day].append(index)
        self._days.extend(schedule)
        self._offsets.append(len(self._days))
        return schedule[-1]

    def _schedule(self, gid: int, first_day: int, added: int) -> list[int]:
        """The game's update days: its first update, then re-updates.

        A game is re-updated with a probability that grows with its popularity (mean
        ``refresh_share``), every 1 day for the most added games up to every
        ``MAX_REFRESH_GAP`` days for the least, until the window ends.
        """
        share = self._refresh_share
        # draw_core draws log10(added + 1) uniformly in [0, ADDED_DECADES): popularity in [0, 1)
        popularity = math.log10(added + 1) / ADDED_DECADES
        tilt = 2 * min(share, 1 - share)  # keeps the chance within [0, 1], its mean at share
        draw = mix(self._salt ^ gid)
        if (draw >> 11) / 2**53 >= share + (popularity - 0.5) * tilt:
            return [first_day]
        cadence = 1 + round((1 - popularity) * (MAX_REFRESH_GAP - 1))
        days, day = [first_day], first_day
        while True:
            draw = mix(draw)
            day += 1 + draw % cadence
            if day >= self.days:
                return days
            days.append(day)

    # -- lookups --------------------------------------------------------------------------

    def update_days(self, index: int) -> list[date]:
        """The days game ``index`` is updated on, oldest first; the last gives its current state."""
        start, stop = self._offsets[index], self._offsets[index + 1]
        return [date.fromordinal(self.first_ordinal + d) for d in self._days[start:stop]]

    def updated_on(self, day: date) -> Sequence[int]:
        """Indexes of the games updated on ``day`` (ascending): the per-day index itself."""
        offset = day.toordinal() - self.first_ordinal
        return self._day_games[offset] if 0 <= offset < self.days else array("i")

    def updated_between(self, first: date, last: date) -> tuple[Sequence[int], int]:
        """Indexes (ascending, each once) of the games updated in ``first..last``, and the
        range's last day as an offset (clipped to the window).

        Only the games of the range's days are touched, never the whole catalog: the
        pipeline's one-day partitions cost O(games of that day).
        """
        lo = max(first.toordinal() - self.first_ordinal, 0)
        hi = min(last.toordinal() - self.first_ordinal, self.days - 1)
        if lo > hi:
            return array("i"), hi
        if lo == hi:
            return self._served(lo), hi
        return sorted(set().union(*map(self._served, range(lo, hi + 1)))), hi

    def _served(self, offset: int) -> Sequence[int]:
        """The games updated on day ``offset`` that RAWG serves: every one, but on the thin
        day only every n-th (``thin_share``), the others as if RAWG had lost them."""
        games = self._day_games[offset]
        return games[:: self._thin_step] if offset == self._thin_day else games

    def until(self, updated: tuple[date, date] | None) -> int | None:
        """The as-of bound of an `updated` range, as an offset; None without a range."""
        return None if updated is None else updated[1].toordinal() - self.first_ordinal

    def as_of_day(self, index: int, until: int | None) -> int:
        """The game's latest update day <= ``until``; None means its last."""
        start, stop = self._offsets[index], self._offsets[index + 1]
        if until is None:
            return self._days[stop - 1]
        # selections only hold games with an update day <= until; max() is a guard, not a path
        position = bisect_right(self._days, until, start, stop) - 1
        return self._days[max(start, position)]

    def timestamp(self, day: int, second_of_day: int) -> int:
        """`updated` (epoch seconds) of an update on ``day`` at the game's time of day."""
        return (self._first_epoch_day + day) * 86400 + second_of_day

    # -- growth ---------------------------------------------------------------------------

    def rewind(self, f: Facts, index: int, day: int) -> Facts:
        """``f`` (the current state of game ``index``) as it was on its earlier update ``day``.

        Counts are the current ones divided by the growth since ``day``, so they never
        decrease along the schedule; the rating drifts by at most a hundredth per day back
        (capped), metacritic and everything else stay as they are.
        """
        growth = self._growth_since(index, f.gid, day)
        core = f.core
        added = int(core.added / growth)
        ratings_count = int(f.ratings_count / growth)
        if f.ratings_count:
            ratings_count = max(1, ratings_count)  # a rated game keeps its rating
        rating = core.rating
        if rating:
            back = self.as_of_day(index, None) - day
            drift = (2 * self._unit(f.gid, day, 1) - 1) * min(_MAX_RATING_DRIFT, back)
            rating = min(500, max(100, rating + round(drift)))
        return replace(
            f,
            core=core._replace(added=added, rating=rating),
            updated=iso_timestamp(self.timestamp(day, core.second_of_day)),
            ratings=rescale_ratings(f.ratings, f.ratings_count, ratings_count),
            ratings_count=ratings_count,
            reviews_count=max(ratings_count, int(f.reviews_count / growth)),
            reviews_text_count=int(f.reviews_text_count / growth),
            added_by_status=rescale_statuses(f.added_by_status, core.added, added),
            playtime=int(f.playtime / math.sqrt(growth)),
        )

    def _growth_since(self, index: int, gid: int, day: int) -> float:
        """How much the game's counts grew from update ``day`` to its last update (>= 1).

        Each re-update multiplies them by 1 + rate x gap x jitter; the product is taken from
        the last update backwards, so an earlier day's growth is a later day's times factors
        >= 1 and the rewound counts are non-decreasing over the schedule, rounding included.
        """
        low, high = GROWTH_PER_DAY
        # the low 11 bits of the draw whose high 53 bits decide re-updates in _schedule
        rate = low + (high - low) * (mix(self._salt ^ gid) & 0x7FF) / 0x800
        start, stop = self._offsets[index], self._offsets[index + 1]
        days = self._days[bisect_right(self._days, day, start, stop) - 1 : stop]
        growth = 1.0
        for previous, update in zip(reversed(days[:-1]), reversed(days[1:]), strict=True):
            jitter = 0.25 + 1.5 * self._unit(gid, update, 0)
            growth *= 1 + rate * (update - previous) * jitter
        return growth

    def _unit(self, gid: int, day: int, stream: int) -> float:
        """A uniform [0, 1) draw for (game, day, stream) from the time model's hash."""
        return mix(self._salt ^ (gid << 20 | day << 4 | stream)) / 2**64
