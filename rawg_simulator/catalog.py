"""The sandbox's catalog: every game's indexed values, its update schedule and its studios.

Per game only a handful of compact arrays are kept (what filtering and ordering need);
every JSON item is drawn again on demand from ``(seed, game id)``, so a 100k-game catalog
costs a few MB. Queries run in ``rawg_simulator.query``, items are shaped in
``rawg_simulator.render``. Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from rawg_simulator.config import SandboxConfig
from rawg_simulator.games import (
    FIRST_RELEASE_ORDINAL,
    Core,
    Facts,
    Json,
    bits,
    draw_core,
    draw_facts,
    sparse_ids,
)
from rawg_simulator.reference import GENRES, PLATFORMS
from rawg_simulator.studios import Studios
from rawg_simulator.timeline import Timeline


@dataclass
class Columns:
    """The per-game arrays, by game index (= id order): what filters and orderings read.

    ``updated``, ``added`` and ``rating`` hold the current state (as of the last update).
    """

    ids: array
    updated: array = field(default_factory=lambda: array("q"))  # epoch seconds
    released: array = field(default_factory=lambda: array("i"))  # date ordinal, 0 = null
    added: array = field(default_factory=lambda: array("i"))
    rating: array = field(default_factory=lambda: array("H"))  # hundredths, 0 = unrated
    metacritic: array = field(default_factory=lambda: array("B"))  # 0 = null
    genre_masks: array = field(default_factory=lambda: array("I"))
    platform_masks: array = field(default_factory=lambda: array("Q"))
    name_rank: array = field(default_factory=lambda: array("i"))  # case-insensitive order


class Catalog:
    """The games of one sandbox, built once from its config."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._seed = config.seed
        today = config.current_day
        self._release_span = (today + timedelta(days=365)).toordinal() - FIRST_RELEASE_ORDINAL
        self.timeline = Timeline(config)
        rng = Random(config.seed)
        self.columns = Columns(ids=sparse_ids(rng, config.games))
        self._build_games(rng)
        # slot weights: most games have one developer/publisher, some two or three
        self.developers = Studios(rng, "developer", config.developer_count, config.games, (6, 3, 1))
        self.publishers = Studios(rng, "publisher", config.publisher_count, config.games, (8, 2))

    def _build_games(self, rng: Random) -> None:
        days, c = self.config.days, self.columns
        first_day_of = [i % days for i in range(len(c.ids))]
        rng.shuffle(first_day_of)  # every day gets games, but not in id order
        names: list[str] = []
        slugs: list[str] = []
        for index, (gid, first_day) in enumerate(zip(c.ids, first_day_of, strict=True)):
            core = self.core(gid)
            names.append(core.name)
            slugs.append(core.slug)
            last_day = self.timeline.add(index, gid, first_day, core.added)
            c.updated.append(self.timeline.timestamp(last_day, core.second_of_day))
            c.released.append(core.released)
            c.added.append(core.added)
            c.rating.append(core.rating)
            c.metacritic.append(core.metacritic)
            c.genre_masks.append(core.genre_mask)
            c.platform_masks.append(core.platform_mask)
        c.name_rank = _name_ranks(names)
        self._index_slugs(slugs)

    def _index_slugs(self, slugs: list[str]) -> None:
        # RAWG de-duplicates slugs with -2, -3...; only those rare suffixes are stored.
        self._slug_suffix: dict[int, str] = {}
        used: set[str] = set()
        keys: list[int] = []
        for index, base in enumerate(slugs):
            slug, copy = base, 1
            while slug in used:
                copy += 1
                slug = f"{base}-{copy}"
            if copy > 1:
                self._slug_suffix[index] = f"-{copy}"
            used.add(slug)
            keys.append(zlib.crc32(slug.encode()) << 32 | index)
        keys.sort()
        self._slug_hashes = array("I", (k >> 32 for k in keys))
        self._slug_indexes = array("i", (k & 0xFFFFFFFF for k in keys))

    # -- one game -------------------------------------------------------------------------

    @property
    def game_count(self) -> int:
        return len(self.columns.ids)

    def core(self, gid: int) -> Core:
        """The indexed values of game ``gid``, drawn again from its RNG."""
        return draw_core(self._game_rng(gid), self._release_span)

    def _game_rng(self, gid: int) -> Random:
        return Random(self._seed * 1_000_003 + gid)

    def find_game(self, id_or_slug: str) -> int | None:
        """Index of the game with this numeric id or slug, None if unknown."""
        ids = self.columns.ids
        if id_or_slug.isdigit():
            gid = int(id_or_slug)
            index = bisect_left(ids, gid)
            return index if index < len(ids) and ids[index] == gid else None
        digest = zlib.crc32(id_or_slug.encode())
        lo = bisect_left(self._slug_hashes, digest)
        hi = bisect_right(self._slug_hashes, digest)
        for position in range(lo, hi):
            index = self._slug_indexes[position]
            if self.slug_of(index) == id_or_slug:
                return index
        return None

    def slug_of(self, index: int) -> str:
        return self.core(self.columns.ids[index]).slug + self._slug_suffix.get(index, "")

    def facts(self, index: int, day: int | None = None) -> Facts:
        """The game as of its update ``day`` (a window offset); None is the current state."""
        gid = self.columns.ids[index]
        rng = self._game_rng(gid)
        core = draw_core(rng, self._release_span)
        slug = core.slug + self._slug_suffix.get(index, "")
        facts = draw_facts(rng, core, gid, slug, self.columns.updated[index])
        if day is None or day == self.timeline.as_of_day(index, None):
            return facts
        return self.timeline.rewind(facts, index, day)

    def stub(self, index: int) -> Json:
        """The {id, slug, name, added} form used inside genre/platform/studio lists."""
        gid = self.columns.ids[index]
        core = self.core(gid)
        slug = core.slug + self._slug_suffix.get(index, "")
        return {"id": gid, "slug": slug, "name": core.name, "added": core.added}

    # -- aggregates -----------------------------------------------------------------------

    def genre_counts(self) -> list[int]:
        """Games per genre, in GENRES order."""
        return _bit_counts(self.columns.genre_masks, len(GENRES))

    def platform_counts(self) -> list[int]:
        """Games per platform, in PLATFORMS order."""
        return _bit_counts(self.columns.platform_masks, len(PLATFORMS))


def _name_ranks(names: list[str]) -> array:
    """Rank of each name in case-insensitive order; equal names share a rank."""
    keys = [n.casefold() for n in names]
    ranks = array("i", bytes(4 * len(names)))
    rank, previous = -1, None
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        if keys[index] != previous:
            rank, previous = rank + 1, keys[index]
        ranks[index] = rank
    return ranks


def _bit_counts(masks: Sequence[int], slots: int) -> list[int]:
    counts = [0] * slots
    for mask, times in Counter(masks).items():
        for bit in bits(mask):
            counts[bit] += times
    return counts
