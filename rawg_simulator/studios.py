"""Developers and publishers: a fixed set of studios linked to games without a link table.

Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from random import Random

from rawg_simulator.games import Json, mix, sparse_ids
from rawg_simulator.names import stable_media_url, studio_name

# Large primes: any of them is invertible modulo a realistic developer/publisher count.
_AFFINE_PRIMES = (1_000_000_007, 998_244_353, 2_147_483_647, 1_000_000_009)


class Affinity:
    """Deterministic many-to-many link game -> developers (or publishers).

    Slot ``k`` maps game index ``i`` to ``(mult_k * i + off_k) mod n``; being invertible,
    the games of one entity are enumerated without storing the link table.
    """

    def __init__(self, rng: Random, entities: int, games: int, slot_weights: Sequence[int]) -> None:
        self.entities, self.games = entities, games
        self._slot_cum = tuple(accumulate(slot_weights))
        self._mults = [rng.choice(_AFFINE_PRIMES) for _ in slot_weights]
        self._inverses = [pow(m % entities, -1, entities) for m in self._mults]
        self._offsets = [rng.randrange(entities) for _ in slot_weights]
        self._salt = rng.getrandbits(32)

    def of_game(self, index: int) -> list[int]:
        """The entities linked to game ``index``, its first (main) one first."""
        roll = mix(self._salt ^ index) % self._slot_cum[-1]
        slots = bisect_right(self._slot_cum, roll) + 1
        linked: list[int] = []
        for mult, offset in zip(self._mults[:slots], self._offsets, strict=False):
            entity = (mult * index + offset) % self.entities
            if entity not in linked:
                linked.append(entity)
        return linked

    def games_of(self, entity: int) -> list[int]:
        """The indexes of the games linked to ``entity``, ascending."""
        found: set[int] = set()
        for inverse, offset in zip(self._inverses, self._offsets, strict=True):
            first = (entity - offset) * inverse % self.entities
            found.update(i for i in range(first, self.games, self.entities))
        return sorted(i for i in found if entity in self.of_game(i))


class Studios:
    """Developers or publishers: ids and links are fixed at build, the rest is rendered."""

    def __init__(
        self, rng: Random, kind: str, count: int, games: int, slot_weights: Sequence[int]
    ) -> None:
        self._kind = kind
        self._ids = sparse_ids(rng, count)
        self.links = Affinity(rng, count, games, slot_weights)
        self._salt = rng.getrandbits(32)

    @property
    def count(self) -> int:
        return len(self._ids)

    def summary(self, index: int) -> Json:
        """The studio as embedded in a game detail."""
        name, slug = studio_name(Random(self._salt * 1_000_003 + self._ids[index]))
        return {
            "id": self._ids[index],
            "name": name,
            "slug": slug,
            "games_count": len(self.links.games_of(index)),
            "image_background": stable_media_url(f"{self._salt}:{self._kind}:{self._ids[index]}"),
        }
