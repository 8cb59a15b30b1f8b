"""One synthetic game, drawn from its own seeded RNG: the same (seed, id) gives the same game.

``draw_core`` draws what the catalog indexes (name, release, counts, genre and platform
masks); ``draw_facts`` continues the same RNG for everything else an item shows. Nothing is
stored per game beyond the core's compact arrays: items are drawn again when rendered.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from random import Random
from typing import Any, NamedTuple

from rawg_simulator.distributions import (
    ADDED_DECADES,
    ESRB_SHARE,
    FIRST_RELEASE,
    GENRE_WEIGHTS,
    GENRES_PER_GAME,
    MAX_PLAYTIME,
    MAX_SUGGESTIONS,
    METACRITIC_RANGE,
    METACRITIC_SHARE,
    PLATFORM_WEIGHTS,
    RATED_MIN_ADDED,
    RATED_SHARE,
    RATING_SKEW,
    RATINGS_SHARE,
    RELEASE_SKEW,
    SANDBOX_EXTRA_SCREENSHOTS,
    SANDBOX_PLATFORMS_PER_GAME,
    SANDBOX_TAGS_PER_GAME,
    STORE_OFFER_SHARE,
    TBA_SHARE,
    UNRELEASED_SHARE,
)
from rawg_simulator.names import draw_name, media_url, pick
from rawg_simulator.reference import (
    APPLE_DEVICES,
    ESRB_RATINGS,
    PLATFORMS,
    RATING_TITLES,
    REQUIREMENT_CPUS,
    REQUIREMENT_GPUS,
    REQUIREMENT_NOTES,
    REQUIREMENT_OS,
    REQUIREMENT_RU,
    STATUSES,
    STORES_BY_PLATFORM,
    TAGS,
)

Json = dict[str, Any]
FIRST_RELEASE_ORDINAL = FIRST_RELEASE.toordinal()
_EPOCH = datetime(1970, 1, 1)
_GENRE_CUM_WEIGHTS = tuple(accumulate(GENRE_WEIGHTS))
_PLATFORM_CUM_WEIGHTS = tuple(accumulate(PLATFORM_WEIGHTS))


class Core(NamedTuple):
    """Per-game values drawn first from the game's RNG; also what the catalog indexes."""

    name: str
    slug: str  # before de-duplication
    released: int  # date ordinal, 0 = not released / unknown
    tba: bool
    second_of_day: int
    added: int
    rating: int  # hundredths of a star, 0 = unrated
    metacritic: int  # 0 = null
    genre_mask: int  # bit i: GENRES[i]
    platform_mask: int  # bit i: PLATFORMS[i]


@dataclass(slots=True)
class Facts:
    """Everything a list item and its detail page share, drawn once per render."""

    gid: int
    slug: str
    core: Core
    updated: str
    background_image: str | None
    ratings: list[Json]
    ratings_count: int
    reviews_text_count: int
    added_by_status: Json | None
    playtime: int
    suggestions_count: int
    reviews_count: int
    requirements_en: dict[int, Json]  # by platform id; platforms without are absent
    requirements_ru: Json | None  # PC's only, as in RAWG's samples
    store_links: list[tuple[int, int]]
    tag_indexes: list[int]
    esrb: int  # index into ESRB_RATINGS, -1 = null
    screenshots: list[Json]
    score: str
    community_rating: int
    released: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.released = iso_date(self.core.released)


def iso_date(ordinal: int) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal else None


def iso_timestamp(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).isoformat()


def mix(value: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread integer hash."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


@lru_cache(maxsize=8192)  # few distinct masks, decoded for every rendered game
def bits(mask: int) -> tuple[int, ...]:
    """The positions of the set bits of ``mask``, lowest first."""
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


def sparse_ids(rng: Random, count: int) -> array:
    """Increasing ids with gaps, like a catalog where some rows were deleted."""
    gaps = rng.choices(range(1, 9), k=count)
    return array("i", accumulate(gaps, initial=rng.randrange(1, 50)))[1:]


def draw_core(rng: Random, release_span: int) -> Core:
    """The indexed values of a game; ``release_span`` is the days releases spread over."""
    r = rng.random  # plain random() arithmetic: the catalog build draws ~2M values
    name, slug = draw_name(r)
    if r() < UNRELEASED_SHARE:
        released, tba = 0, r() < TBA_SHARE
    else:
        released, tba = FIRST_RELEASE_ORDINAL + int(r() ** RELEASE_SKEW * release_span), False
    second_of_day = int(r() * 86400)
    added = int(10 ** (r() * ADDED_DECADES)) - 1
    rated = added > RATED_MIN_ADDED and r() < RATED_SHARE
    rating = 100 + int(r() ** RATING_SKEW * 401) if rated else 0
    low, high = METACRITIC_RANGE
    metacritic = low + int(r() * (high - low)) if r() < METACRITIC_SHARE else 0
    genre_mask = _pick_mask(r, _GENRE_CUM_WEIGHTS, pick(r, GENRES_PER_GAME))
    platform_mask = _pick_mask(r, _PLATFORM_CUM_WEIGHTS, pick(r, SANDBOX_PLATFORMS_PER_GAME))
    return Core(
        name,
        slug,
        released,
        tba,
        second_of_day,
        added,
        rating,
        metacritic,
        genre_mask,
        platform_mask,
    )


def _pick_mask(r: Callable[[], float], cum_weights: Sequence[float], k: int) -> int:
    total, mask = cum_weights[-1], 0
    for _ in range(k):
        mask |= 1 << bisect_right(cum_weights, r() * total)
    return mask


def draw_facts(rng: Random, core: Core, gid: int, slug: str, updated: int) -> Facts:
    """The game's current state; ``rng`` is its RNG right after ``draw_core``."""
    rated = core.rating > 0
    ratings_count = max(1, int(core.added * rng.uniform(*RATINGS_SHARE))) if rated else 0
    reviews_count = ratings_count + (rng.randrange(ratings_count // 50 + 2) if rated else 0)
    background = media_url(rng, "games") if rng.random() < 0.98 else None
    return Facts(
        gid=gid,
        slug=slug,
        core=core,
        updated=iso_timestamp(updated),
        background_image=background,
        ratings=_draw_ratings(rng, core.rating, ratings_count),
        ratings_count=ratings_count,
        reviews_text_count=rng.randrange(ratings_count // 60 + 1),
        added_by_status=_draw_statuses(rng, core.added),
        playtime=int(rng.random() ** 3 * MAX_PLAYTIME) if core.added else 0,
        suggestions_count=rng.randrange(MAX_SUGGESTIONS),
        reviews_count=reviews_count,
        requirements_en=_draw_requirements(rng, core.platform_mask),
        requirements_ru=_draw_requirements_ru(rng) if core.platform_mask & 1 else None,
        store_links=_draw_store_links(rng, core.platform_mask),
        tag_indexes=rng.sample(range(len(TAGS)), rng.choice(SANDBOX_TAGS_PER_GAME)),
        esrb=rng.randrange(len(ESRB_RATINGS)) if rng.random() < ESRB_SHARE else -1,
        screenshots=_draw_screenshots(rng, background),
        score=f"{rng.uniform(-2, 60):.6f}",
        community_rating=rng.choice((0, 0, 0, 1, 3)),
    )


def _draw_ratings(rng: Random, rating: int, total: int) -> list[Json]:
    if not total:
        return []
    # weight the four buckets so the mean lands near the drawn rating
    center = rating / 100
    weights = [
        max(0.02, 1.5 - abs(center - stars)) * rng.uniform(0.7, 1.3) for stars, _ in RATING_TITLES
    ]
    scale = sum(weights)
    counts = [round(total * w / scale) for w in weights]
    return _buckets(
        [(rid, title, c) for (rid, title), c in zip(RATING_TITLES, counts, strict=True)], total
    )


def rescale_ratings(ratings: list[Json], total: int, new_total: int) -> list[Json]:
    """The rating buckets of ``total`` ratings scaled to ``new_total``."""
    if not new_total:
        return []
    counts = [(b["id"], b["title"], round(b["count"] * new_total / total)) for b in ratings]
    return _buckets(counts, new_total)


def _buckets(counts: list[tuple[int, str, int]], total: int) -> list[Json]:
    buckets = [
        {"id": rid, "title": title, "count": c, "percent": round(100 * c / total, 2)}
        for rid, title, c in counts
        if c
    ]
    return sorted(buckets, key=lambda b: -b["count"])


def _draw_statuses(rng: Random, added: int) -> Json | None:
    if not added:
        return None
    shares = [rng.random() ** 2 for _ in STATUSES]
    scale = sum(shares)
    counts = {s: int(added * share / scale) for s, share in zip(STATUSES, shares, strict=True)}
    return {s: c for s, c in counts.items() if c} or {"owned": added}


def rescale_statuses(statuses: Json | None, added: int, new_added: int) -> Json | None:
    """``added_by_status`` of ``added`` scaled to ``new_added`` (summing to at most it)."""
    if not statuses or not new_added:
        return None
    scaled = {s: c * new_added // added for s, c in statuses.items()}
    return {s: c for s, c in scaled.items() if c} or {"owned": new_added}


def _draw_requirements(rng: Random, platform_mask: int) -> dict[int, Json]:
    """``requirements_en`` of the platforms RAWG shows them for, as often as its samples do."""
    drawn: dict[int, Json] = {}
    for bit in bits(platform_mask):
        platform = PLATFORMS[bit][0]
        draw, share = _REQUIREMENT_DRAWS.get(platform, (None, 0.0))
        if draw is not None and rng.random() < share:
            drawn[platform] = draw(rng)
    return drawn


def _steam_list(rng: Random, title: str, os: str, scale: int) -> str:
    rows = [
        ("OS", os),
        ("Processor", rng.choice(REQUIREMENT_CPUS)),
        ("Memory", f"{rng.choice((2, 4, 8)) * scale} GB RAM"),
        ("Graphics", rng.choice(REQUIREMENT_GPUS)),
        ("DirectX", f"Version {rng.choice(('9.0c', '11', '12'))}"),
        ("Storage", f"{rng.randrange(1, 120)} GB available space"),
    ]
    if rng.random() < 0.4:
        rows.append(("Additional Notes", rng.choice(REQUIREMENT_NOTES)))
    items = "".join(f"<li><strong>{name}:</strong> {value}<br></li>" for name, value in rows)
    return f'<strong>{title}:</strong><br><ul class="bb_ul">{items}</ul>'


def _pc_requirements(rng: Random) -> Json:
    os = rng.choice(REQUIREMENT_OS)
    return {
        "minimum": _steam_list(rng, "Minimum", os, 1),
        "recommended": _steam_list(rng, "Recommended", os, 2),
    }


def _linux_requirements(rng: Random) -> Json:
    return {"minimum": _steam_list(rng, "Minimum", f"Ubuntu {rng.choice(('16.04', '20.04'))}", 1)}


def _macos_requirements(rng: Random) -> Json:
    return {
        "minimum": f"Minimum:\r\n\r\nOS: macOS 10.{rng.randrange(9, 16)}\r\n\r\n"
        f"Processor: {rng.choice(REQUIREMENT_CPUS)}\r\n\r\nMemory: {rng.choice((2, 4, 8))}GB"
        f"\r\n\r\nGraphics: {rng.choice(REQUIREMENT_GPUS)}\r\n\r\n"
        f"Hard Drive: {rng.randrange(1, 60)}GB"
    }


def _ios_requirements(rng: Random) -> Json:
    first = rng.randrange(len(APPLE_DEVICES) // 2)
    return {"minimum": ", ".join(APPLE_DEVICES[first:])}


def _android_requirements(rng: Random) -> Json:
    return {"minimum": f"{rng.choice(('4.1', '4.4', '5.0', '6.0', '7.0'))} and up"}


# platform id -> (draw, share of games on that platform that show requirements)
_REQUIREMENT_DRAWS: dict[int, tuple[Callable[[Random], Json], float]] = {
    4: (_pc_requirements, 0.85),
    5: (_macos_requirements, 0.5),
    6: (_linux_requirements, 0.3),
    3: (_ios_requirements, 1.0),
    21: (_android_requirements, 0.85),
}


def _draw_requirements_ru(rng: Random) -> Json | None:
    """PC's ``requirements_ru``: about half of RAWG's PC games have them."""
    if rng.random() < 0.5:
        return None
    return {
        level: f"{rng.choice(REQUIREMENT_RU)},{rng.choice((1, 2, 4, 8)) * scale} Гб памяти,"
        f"{rng.choice(REQUIREMENT_RU)},{rng.randrange(1, 80)} Гб на винчестере,"
        "Интернет-соединение"
        for level, scale in (("minimum", 1), ("recommended", 2))
    }


def _draw_store_links(rng: Random, platform_mask: int) -> list[tuple[int, int]]:
    offered: list[int] = []
    for bit in bits(platform_mask):
        for store in STORES_BY_PLATFORM.get(PLATFORMS[bit][0], ()):
            if store not in offered and rng.random() < STORE_OFFER_SHARE:
                offered.append(store)
    return [(rng.randrange(1, 1_000_000), store) for store in offered]


def _draw_screenshots(rng: Random, background: str | None) -> list[Json]:
    if background is None:
        return []
    first = rng.randrange(1, 4_000_000)
    shots = [{"id": -1, "image": background}]
    shots += [
        {"id": first + n, "image": media_url(rng, "screenshots")}
        for n in range(rng.choice(SANDBOX_EXTRA_SCREENSHOTS))
    ]
    return shots
