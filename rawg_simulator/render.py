"""Games and reference entities in RAWG's JSON shapes.

Three shapes of a game: the full list item (unfiltered `/games`), the slim one RAWG sends for
filtered queries (slim references, a `score`), and the detail page (`/games/{id}`). The
reference dicts they embed are built once per catalog and shared by every item.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from rawg_simulator.games import Facts, Json, bits
from rawg_simulator.names import media_url, stable_media_url
from rawg_simulator.reference import (
    ESRB_RATINGS,
    GENRES,
    PARENT_OF,
    PARENT_PLATFORMS,
    PLATFORMS,
    STORES,
    TAGS,
)


class Renderer:
    """Games as RAWG's JSON shapes, embedding reference dicts built once per catalog."""

    def __init__(self, seed: int, genre_counts: list[int], platform_counts: list[int]) -> None:
        self.genre_full = _genres(seed, genre_counts)
        self.genre_slim = [
            {"id": g["id"], "name": g["name"], "slug": g["slug"]} for g in self.genre_full
        ]
        self.platform_full = _platforms(seed, platform_counts)
        self.platform_slim = [
            {"platform": {"id": p["id"], "name": p["name"], "slug": p["slug"]}}
            for p in self.platform_full
        ]
        self.parent_slim = {
            pid: {"platform": {"id": pid, "name": name, "slug": slug}}
            for pid, name, slug, _ in PARENT_PLATFORMS
        }
        self.store_full = _stores(seed)
        self.store_slim = {
            sid: {"store": {"id": sid, "name": s["name"], "slug": s["slug"]}}
            for sid, s in self.store_full.items()
        }
        self.tags = _tags(seed)
        self.esrb_full = [{"id": e, "name": n, "slug": s} for e, n, s, _ in ESRB_RATINGS]
        self.esrb_slim = [
            {"id": e, "name": n, "slug": s, "name_en": n, "name_ru": ru}
            for e, n, s, ru in ESRB_RATINGS
        ]

    def platform_listing(self, index: int) -> Json:
        """A platform as `/platforms` lists it (different key order than inside games)."""
        p = self.platform_full[index]
        return {
            "id": p["id"],
            "name": p["name"],
            "slug": p["slug"],
            "games_count": p["games_count"],
            "image_background": p["image_background"],
            "image": None,
            "year_start": p["year_start"],
            "year_end": p["year_end"],
        }

    def parents(self, platform_mask: int) -> list[Json]:
        parent_ids = sorted({PARENT_OF[PLATFORMS[bit][0]] for bit in bits(platform_mask)})
        return [self.parent_slim[pid] for pid in parent_ids]

    def full_item(self, f: Facts) -> Json:
        core = f.core
        return {
            "id": f.gid,
            "slug": f.slug,
            "name": core.name,
            "released": f.released,
            "tba": core.tba,
            "background_image": f.background_image,
            "rating": core.rating / 100 if core.rating else 0,
            "rating_top": f.ratings[0]["id"] if f.ratings else 0,
            "ratings": f.ratings,
            "ratings_count": f.ratings_count,
            "reviews_text_count": f.reviews_text_count,
            "added": core.added,
            "added_by_status": f.added_by_status,
            "metacritic": core.metacritic or None,
            "playtime": f.playtime,
            "suggestions_count": f.suggestions_count,
            "updated": f.updated,
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "platforms": [
                {
                    "platform": self.platform_full[bit],
                    "released_at": f.released,
                    "requirements_en": f.requirements_en.get(PLATFORMS[bit][0]),
                    "requirements_ru": f.requirements_ru if bit == 0 else None,
                }
                for bit in bits(core.platform_mask)
            ],
            "parent_platforms": self.parents(core.platform_mask),
            "genres": [self.genre_full[bit] for bit in bits(core.genre_mask)],
            "stores": [{"id": link, "store": self.store_full[s]} for link, s in f.store_links],
            "clip": None,
            "tags": [self.tags[t] for t in f.tag_indexes],
            "esrb_rating": self.esrb_full[f.esrb] if f.esrb >= 0 else None,
            "short_screenshots": f.screenshots,
        }

    def slim_item(self, f: Facts, *, with_score: bool) -> Json:
        core = f.core
        item = {
            "slug": f.slug,
            "name": core.name,
            "playtime": f.playtime,
            "platforms": [self.platform_slim[bit] for bit in bits(core.platform_mask)],
            "stores": [self.store_slim[s] for _, s in f.store_links],
            "released": f.released,
            "tba": core.tba,
            "background_image": f.background_image,
            "rating": core.rating / 100 if core.rating else 0,
            "rating_top": f.ratings[0]["id"] if f.ratings else 0,
            "ratings": f.ratings,
            "ratings_count": f.ratings_count,
            "reviews_text_count": f.reviews_text_count,
            "added": core.added,
            "added_by_status": f.added_by_status,
            "metacritic": core.metacritic or None,
            "suggestions_count": f.suggestions_count,
            "updated": f.updated,
            "id": f.gid,
            # RAWG only computes a relevance score for searches
            "score": f.score if with_score else None,
            "clip": None,
            "tags": [self.tags[t] for t in f.tag_indexes],
            "esrb_rating": self.esrb_slim[f.esrb] if f.esrb >= 0 else None,
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "short_screenshots": f.screenshots,
            "parent_platforms": self.parents(core.platform_mask),
            "genres": [self.genre_slim[bit] for bit in bits(core.genre_mask)],
        }
        if with_score:
            item["community_rating"] = f.community_rating
        return item

    def detail(self, f: Facts, rng: Random, developers: list[Json], publishers: list[Json]) -> Json:
        description = _draw_description(rng, f.core.name, developers[0]["name"])
        # Three runs of RAWG's key order; each draws from `rng` in turn, so the order of the
        # draws, and with it every detail a seed gives, is the order of the keys.
        return {
            **self._detail_about(f, rng, description),
            **_draw_detail_counts(f, rng),
            **self._detail_references(f, description, developers, publishers),
        }

    def _detail_about(self, f: Facts, rng: Random, description: list[str]) -> Json:
        """From `id` to `website`: names, description, metacritic, dates and images."""
        core = f.core
        return {
            "id": f.gid,
            "slug": f.slug,
            "name": core.name,
            "name_original": core.name,
            "description": "".join(f"<p>{p}</p>\n" for p in description).rstrip("\n"),
            "metacritic": core.metacritic or None,
            "metacritic_platforms": self._metacritic_platforms(rng, f, bits(core.platform_mask)),
            "released": f.released,
            "tba": core.tba,
            "updated": f.updated,
            "background_image": f.background_image,
            "background_image_additional": media_url(rng, "screenshots")
            if f.background_image
            else None,
            "website": f"https://www.{f.slug[:40].strip('-')}.example.com/"
            if rng.random() < 0.6
            else "",
        }

    def _detail_references(
        self, f: Facts, description: list[str], developers: list[Json], publishers: list[Json]
    ) -> Json:
        """From `user_game` to `description_raw`: the reference entities the game links to."""
        core = f.core
        return {
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "parent_platforms": self.parents(core.platform_mask),
            "platforms": [
                {
                    "platform": self.platform_full[bit],
                    "released_at": f.released,
                    "requirements": f.requirements_en.get(PLATFORMS[bit][0], {}),
                }
                for bit in bits(core.platform_mask)
            ],
            "stores": [
                {"id": link, "url": "", "store": self.store_full[s]} for link, s in f.store_links
            ],
            "developers": developers,
            "genres": [self.genre_full[bit] for bit in bits(core.genre_mask)],
            "tags": [self.tags[t] for t in f.tag_indexes],
            "publishers": publishers,
            "esrb_rating": self.esrb_full[f.esrb] if f.esrb >= 0 else None,
            "clip": None,
            "description_raw": "\n".join(description),
        }

    def _metacritic_platforms(self, rng: Random, f: Facts, bits: Sequence[int]) -> list[Json]:
        if not f.core.metacritic:
            return []
        return [
            {
                "metascore": max(1, min(100, f.core.metacritic + rng.randrange(-6, 7))),
                "url": f"https://www.metacritic.com/game/{PLATFORMS[bit][2]}/{f.slug}",
                "platform": {
                    "platform": PLATFORMS[bit][0],
                    "name": PLATFORMS[bit][1],
                    "slug": PLATFORMS[bit][2],
                },
            }
            for bit in bits
            if rng.random() < 0.6
        ]


def _draw_detail_counts(f: Facts, rng: Random) -> Json:
    """From `rating` to `game_series_count`: ratings, reactions and the detail page's counts."""
    core = f.core
    return {
        "rating": core.rating / 100 if core.rating else 0,
        "rating_top": f.ratings[0]["id"] if f.ratings else 0,
        "ratings": f.ratings,
        "reactions": {
            str(r): rng.randrange(1, 40)
            for r in sorted(rng.sample(range(1, 22), rng.randrange(0, 12)))
        },
        "added": core.added,
        "added_by_status": f.added_by_status,
        "playtime": f.playtime,
        "screenshots_count": max(0, len(f.screenshots) - 1),
        "movies_count": rng.choice((0, 0, 0, 1, 2, 5)),
        "creators_count": rng.randrange(0, 12),
        "achievements_count": rng.choice((0, 0, rng.randrange(1, 600))),
        "parent_achievements_count": rng.randrange(0, 80),
        "reddit_url": "",
        "reddit_name": "",
        "reddit_description": "",
        "reddit_logo": "",
        "reddit_count": 0,
        "twitch_count": rng.randrange(0, 120),
        "youtube_count": rng.randrange(0, 1_000_001),
        "reviews_text_count": f.reviews_text_count,
        "ratings_count": f.ratings_count,
        "suggestions_count": f.suggestions_count,
        "alternative_names": _draw_alternative_names(rng, core.name),
        "metacritic_url": "",
        "parents_count": rng.choice((0, 0, 0, 1)),
        "additions_count": rng.choice((0, 0, 1, 3)),
        "game_series_count": rng.choice((0, 0, 2, 5)),
    }


def _genres(seed: int, counts: list[int]) -> list[Json]:
    return [
        {
            "id": gid,
            "name": name,
            "slug": slug,
            "games_count": counts[i],
            "image_background": stable_media_url(f"{seed}:genre:{gid}"),
        }
        for i, (gid, name, slug, _) in enumerate(GENRES)
    ]


def _platforms(seed: int, counts: list[int]) -> list[Json]:
    return [
        {
            "id": pid,
            "name": name,
            "slug": slug,
            "image": None,
            "year_end": end,
            "year_start": start,
            "games_count": counts[i],
            "image_background": stable_media_url(f"{seed}:platform:{pid}"),
        }
        for i, (pid, name, slug, _, start, end) in enumerate(PLATFORMS)
    ]


def _stores(seed: int) -> dict[int, Json]:
    return {
        sid: {
            "id": sid,
            "name": name,
            "slug": slug,
            "domain": domain,
            "games_count": count,
            "image_background": stable_media_url(f"{seed}:store:{sid}"),
        }
        for sid, name, slug, domain, count in STORES
    }


def _tags(seed: int) -> list[Json]:
    return [
        {
            "id": tid,
            "name": name,
            "slug": slug,
            "language": language,
            "games_count": count,
            "image_background": stable_media_url(f"{seed}:tag:{tid}"),
        }
        for tid, name, slug, language, count in TAGS
    ]


def _draw_description(rng: Random, name: str, developer: str) -> list[str]:
    genre_word = rng.choice(
        ("an adventure", "a roguelike", "a puzzle game", "a shooter", "a strategy game")
    )
    sentences = [
        f"{name} is {genre_word} by {developer}.",
        rng.choice(
            (
                "Explore a world that changes with every choice you make.",
                "Build, fight and survive together with friends or alone.",
                "A hand-crafted story told over dozens of levels.",
                "Master a deep combat system and face relentless bosses.",
            )
        ),
        rng.choice(("Key features include a dynamic soundtrack.", "Supports local co-op.", "")),
    ]
    return [s for s in sentences if s]


def _draw_alternative_names(rng: Random, name: str) -> list[str]:
    initials = "".join(w[0] for w in name.split() if w[:1].isalnum()).upper()
    return [initials] if len(initials) > 1 and rng.random() < 0.3 else []
