"""`/games` queries over the catalog: filters, orderings and the selection they give.

A selection is the list of game indexes a query matches, in its ordering; pages are slices
of it. Selections and full orderings are memoised with ``functools.lru_cache`` (bounded by
count: a selection is at most one int32 per game), so paging through a query sorts once.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rawg_simulator.catalog import Catalog
from rawg_simulator.reference import GENRE_INDEX, PLATFORM_INDEX

ORDERING_FIELDS = frozenset(
    {"name", "released", "added", "created", "updated", "rating", "metacritic", "id"}
)
_NULL_HIGH = 1 << 40  # sort key of a null (0) released or metacritic above every value
_NULLABLE = frozenset({"released", "metacritic"})


@dataclass(frozen=True)
class GameQuery:
    """A parsed `/api/games` query: filters are ANDed, values inside one filter ORed."""

    ordering: str = "id"
    descending: bool = False
    updated: tuple[date, date] | None = None
    dates: tuple[date, date] | None = None
    genres: frozenset[int] | None = None
    platforms: frozenset[int] | None = None
    search: str | None = None

    @property
    def filtered(self) -> bool:
        """RAWG answers filtered queries with a slimmer item shape."""
        return any(
            v is not None for v in (self.updated, self.dates, self.genres, self.platforms)
        ) or bool(self.search)


class QueryEngine:
    """Runs `GameQuery`s against one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._columns = catalog.columns
        self._timeline = catalog.timeline
        self._nulls_first_descending = catalog.config.nulls_first_descending
        self.select = lru_cache(maxsize=64)(self._select)
        self.order = lru_cache(maxsize=24)(self._order)

    def _select(self, query: GameQuery) -> Sequence[int]:
        """Indexes of the games matching ``query`` in its ordering."""
        if query.updated is not None:
            return self._select_updated(query, query.updated)
        order = self.order(query.ordering, query.descending)
        checks = list(self._checks(query))
        if not checks:
            return order
        matching: Iterable[int] = range(self._catalog.game_count)
        for check in checks:  # cheapest first: search renders names, so it runs last
            matching = list(filter(check, matching))
        if isinstance(order, range) and order.step == 1:
            return array("i", matching)
        keep = bytearray(self._catalog.game_count)
        for index in matching:
            keep[index] = 1
        return array("i", (i for i in order if keep[i]))

    def _select_updated(self, query: GameQuery, updated: tuple[date, date]) -> Sequence[int]:
        """Games with an update day in the range, each once, from the per-day index."""
        matching, last = self._timeline.updated_between(*updated)
        for check in self._checks(query):  # cheapest first: search renders names, so it runs last
            matching = list(filter(check, matching))
        if query.ordering in ("id", "created"):
            return array("i", reversed(matching) if query.descending else matching)
        return array(
            "i", sorted(matching, key=self._subset_key(query, last), reverse=query.descending)
        )

    def _subset_key(self, query: GameQuery, until: int) -> Callable[[int], int]:
        """Sort key for an `updated` selection. `updated` orders by the as-of timestamp each
        item shows; the other fields order by the current-state arrays (as unfiltered queries
        do), which keeps a one-day query O(k log k) instead of rendering every game as of the
        day. Ties stay in index (= id) order: `matching` is ascending and sorts are stable."""
        if query.ordering == "updated":
            timeline, updated = self._timeline, self._columns.updated
            return lambda i: timeline.timestamp(timeline.as_of_day(i, until), updated[i] % 86400)
        keys = self._sort_keys(query.ordering)
        if self._nulls_high(query.ordering, query.descending):
            return lambda i: keys[i] or _NULL_HIGH
        return keys.__getitem__

    def _checks(self, query: GameQuery) -> Iterable[Callable[[int], bool]]:
        """Per-game predicates for every filter but `updated` (served from the day index)."""
        c = self._columns
        if query.dates:
            first, last = (d.toordinal() for d in query.dates)
            released = c.released
            yield lambda i: first <= released[i] <= last  # 0 (null) never matches
        if query.genres is not None:
            wanted = sum(1 << GENRE_INDEX[g] for g in query.genres if g in GENRE_INDEX)
            genre_masks = c.genre_masks
            yield lambda i: bool(genre_masks[i] & wanted)
        if query.platforms is not None:
            wanted = sum(1 << PLATFORM_INDEX[p] for p in query.platforms if p in PLATFORM_INDEX)
            platform_masks = c.platform_masks
            yield lambda i: bool(platform_masks[i] & wanted)
        if query.search:
            needle = query.search.casefold()
            ids, core = c.ids, self._catalog.core
            yield lambda i: needle in core(ids[i]).name.casefold()

    def _order(self, ordering: str, descending: bool) -> Sequence[int]:
        """Every game index in ``ordering``; ties broken by ascending id."""
        count = self._catalog.game_count
        if ordering in ("id", "created"):  # ids grow with creation time
            return range(count - 1, -1, -1) if descending else range(count)
        keys = self._sort_keys(ordering)
        if self._nulls_high(ordering, descending):
            keys = [k or _NULL_HIGH for k in keys]
        # sorts are stable and index order is id order, so ties stay broken by ascending id
        return array("i", sorted(range(count), key=keys.__getitem__, reverse=descending))

    def _nulls_high(self, ordering: str, descending: bool) -> bool:
        """Whether a null sorts above every value: PostgreSQL's default, under RAWG's Django
        (nulls last ascending, first descending); or, without ``nulls_first_descending``,
        nulls last in both directions."""
        return ordering in _NULLABLE and (not descending or self._nulls_first_descending)

    def _sort_keys(self, ordering: str) -> Sequence[int]:
        c = self._columns
        return {
            "name": c.name_rank,
            "released": c.released,
            "added": c.added,
            "updated": c.updated,
            "rating": c.rating,
            "metacritic": c.metacritic,
        }[ordering]
