"""What the sandbox's routes serve: game items (as JSON bytes), details and reference lists.

Rendered list items are memoised as bytes per (game, shape, as-of day), so the sandbox never
bottlenecks a benchmark: RAWG's own servers do not slow down because a client got faster.
The memo is ``functools.lru_cache`` bounded by count (``ITEM_CACHE_SIZE``), the one cache
mechanism of the simulator (the query memos use it too): items are of bounded size (slim
~8.5 KB, full ~11 KB, at most ~17 KB, like RAWG's), so a count bounds memory as a byte
total would. It replaced a hand-written cache bounded by 256 MB of item bytes, because
measured (2 cores, load 4-9, interleaved with the old sandbox, on the ~2.5 KB items of the
time) it costs neither speed nor memory: sandbox CPU over the ingest benchmark's
100,000-game ingest 17.7-21.1 s against 19.2-20.3 s, 0.42-0.48 s per 1,000 warm pages
against 0.44; sandbox RSS after that ingest 255 MB against 1,305 MB. Most of that gap is
orjson's output buffer, which the old cache kept whole (see ``_render_item_bytes``): 256 MB
of counted bytes held ~1 GB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from random import Random

import orjson

from rawg_simulator.catalog import Catalog
from rawg_simulator.games import Json, bits
from rawg_simulator.query import GameQuery, QueryEngine
from rawg_simulator.reference import GENRES, PARENT_PLATFORMS, PLATFORM_INDEX, PLATFORMS
from rawg_simulator.render import Renderer
from rawg_simulator.studios import Studios

# Holds the ingest benchmark's 20,000-game day, so its warm sandbox never renders again:
# ~280 MB of slim items, ~360 MB of full ones.
ITEM_CACHE_SIZE = 1 << 15


class Listings:
    """The catalog, its query engine and its renderer, as the routes need them."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.queries = QueryEngine(catalog)
        self.renderer = Renderer(
            catalog.config.seed, catalog.genre_counts(), catalog.platform_counts()
        )
        self._item_bytes = lru_cache(maxsize=ITEM_CACHE_SIZE)(self._render_item_bytes)

    # -- games ----------------------------------------------------------------------------

    def items(self, indexes: Iterable[int], query: GameQuery) -> list[Json]:
        """List items in RAWG's full shape, or its slim shape for filtered queries; with an
        `updated` range each game is rendered as of its latest update day in the range."""
        catalog, renderer = self.catalog, self.renderer
        timeline, until = catalog.timeline, catalog.timeline.until(query.updated)
        facts = (catalog.facts(i, timeline.as_of_day(i, until)) for i in indexes)
        if not query.filtered:
            return [renderer.full_item(f) for f in facts]
        return [renderer.slim_item(f, with_score=bool(query.search)) for f in facts]

    def item_bytes(self, indexes: Iterable[int], query: GameQuery) -> list[bytes]:
        """``items`` serialized; memoised but for searches (their items carry a score)."""
        if query.search:
            return [orjson.dumps(item) for item in self.items(indexes, query)]
        timeline = self.catalog.timeline
        shape, until = query.filtered, timeline.until(query.updated)
        memo = self._item_bytes
        return [memo(index, shape, timeline.as_of_day(index, until)) for index in indexes]

    def _render_item_bytes(self, index: int, slim: bool, day: int) -> bytes:
        facts = self.catalog.facts(index, day)
        renderer = self.renderer
        item = renderer.slim_item(facts, with_score=False) if slim else renderer.full_item(facts)
        # orjson returns its whole over-allocated buffer (~8 KB for a 2.5 KB item, ijl/orjson#483);
        # a memo keeps it for good, so it keeps an exact-size copy.
        return bytes(memoryview(orjson.dumps(item)))

    def detail(self, index: int) -> Json:
        """`/games/{id}`: the current state, with the game's developers and publishers."""
        catalog = self.catalog
        facts = catalog.facts(index)
        return self.renderer.detail(
            facts,
            Random(f"{catalog.config.seed}:{facts.gid}:detail"),
            [catalog.developers.summary(d) for d in catalog.developers.links.of_game(index)],
            [catalog.publishers.summary(p) for p in catalog.publishers.links.of_game(index)],
        )

    # -- reference lists ------------------------------------------------------------------

    @cached_property
    def genres(self) -> list[Json]:
        tops = self._top_games(self.catalog.columns.genre_masks, len(GENRES))
        return [
            {**self.renderer.genre_full[i], "games": [self.catalog.stub(t) for t in tops[i]]}
            for i in range(len(GENRES))
        ]

    @cached_property
    def platforms(self) -> list[Json]:
        tops = self._top_games(self.catalog.columns.platform_masks, len(PLATFORMS))
        return [
            {
                **self.renderer.platform_listing(i),
                "games": [self.catalog.stub(t) for t in tops[i]],
            }
            for i in range(len(PLATFORMS))
        ]

    @cached_property
    def parent_platforms(self) -> list[Json]:
        renderer = self.renderer
        return [
            {
                "id": pid,
                "name": name,
                "slug": slug,
                "platforms": [renderer.platform_listing(PLATFORM_INDEX[c]) for c in children],
            }
            for pid, name, slug, children in PARENT_PLATFORMS
        ]

    def studios(self, studios: Studios, start: int, stop: int) -> list[Json]:
        """Studios ``start:stop`` as `/developers` or `/publishers` list them."""
        added = self.catalog.columns.added
        entries = []
        for index in range(start, min(stop, studios.count)):
            top = sorted(studios.links.games_of(index), key=lambda g: -added[g])[:6]
            games = [self.catalog.stub(g) for g in top]
            entries.append({**studios.summary(index), "games": games})
        return entries

    def _top_games(self, masks: Sequence[int], slots: int) -> list[list[int]]:
        """The six most-added games per mask bit, as RAWG lists them under each genre."""
        top: list[list[int]] = [[] for _ in range(slots)]
        open_slots = slots
        for index in self.queries.order("added", True):
            for bit in bits(masks[index]):
                if len(top[bit]) < 6:
                    top[bit].append(index)
                    if len(top[bit]) == 6:
                        open_slots -= 1
            if not open_slots:
                break
        return top
