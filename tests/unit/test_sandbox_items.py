"""The RAWG sandbox's items, in-process: details, studios and reference lists, every key real
RAWG payloads carry (checked against the samples), list items of the samples' size and
shape, and a realistic variety of games."""

from __future__ import annotations

import json
import os
import statistics
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from rawg_simulator.catalog import Catalog
from rawg_simulator.listings import Listings
from rawg_simulator.query import GameQuery
from tests.support.sandbox import (
    GAMES,
    TODAY,
    InProcessClient,
    Json,
    config,
    crawl,
    get,
    ok,
)

# Key sets of real RAWG payloads (see /work/shared/rawg_samples/SOURCES.md); the sandbox
# may add keys but must not miss any. test_expected_keys_match_samples re-derives them.
FULL_ITEM = {
    "added", "added_by_status", "background_image", "clip", "dominant_color", "esrb_rating",
    "genres", "id", "metacritic", "name", "parent_platforms", "platforms", "playtime",
    "rating", "rating_top", "ratings", "ratings_count", "released", "reviews_count",
    "reviews_text_count", "saturated_color", "short_screenshots", "slug", "stores",
    "suggestions_count", "tags", "tba", "updated", "user_game",
}  # fmt: skip
SLIM_ITEM = FULL_ITEM | {"score"}
DETAIL = {
    "achievements_count", "added", "added_by_status", "additions_count", "alternative_names",
    "background_image", "background_image_additional", "clip", "creators_count",
    "description", "description_raw", "developers", "dominant_color", "esrb_rating",
    "game_series_count", "genres", "id", "metacritic", "metacritic_platforms",
    "metacritic_url", "movies_count", "name", "name_original", "parent_achievements_count",
    "parent_platforms", "parents_count", "platforms", "playtime", "publishers", "rating",
    "rating_top", "ratings", "ratings_count", "reactions", "reddit_count",
    "reddit_description", "reddit_logo", "reddit_name", "reddit_url", "released",
    "reviews_count", "reviews_text_count", "saturated_color", "screenshots_count", "slug",
    "stores", "suggestions_count", "tags", "tba", "twitch_count", "updated", "user_game",
    "website", "youtube_count",
}  # fmt: skip
FULL_PLATFORM = {"platform", "released_at", "requirements_en", "requirements_ru"}
PLATFORM = {"games_count", "id", "image", "image_background", "name", "slug"}
PLATFORM |= {"year_end", "year_start"}
FULL_STORE = {"id", "store"}
STORE = {"domain", "games_count", "id", "image_background", "name", "slug"}
DETAIL_PLATFORM = {"platform", "released_at", "requirements"}
DETAIL_STORE = {"id", "store", "url"}
STUDIO = {"games_count", "id", "image_background", "name", "slug"}
GENRE_LISTING = {"games", "games_count", "id", "image_background", "name", "slug"}
PLATFORM_LISTING = PLATFORM | {"games"}
PARENT_LISTING = {"id", "name", "platforms", "slug"}
STUDIO_LISTING = STUDIO | {"games"}

LIST = "games_list_page1_2024-08.json"
FILTERED = "games_list_filter_genres4_2023-03.json"
# Every real page of unfiltered /games (full items); FILTERED holds slim ones.
FULL_LISTS = (
    "games_list_page1_2023-02.json",
    "games_list_page2_2023-02.json",
    "games_list_page3_2023-02.json",
    LIST,
    "games_list_page1_2026-01.json",
)
GTA = "game_detail_3498_gta-v_2026-01.json"
# (sample file, path to the object inside it, expected keys)
SAMPLE_SHAPES: list[tuple[str, tuple[str | int, ...], set[str]]] = [
    (LIST, ("results", 0), FULL_ITEM),
    (FILTERED, ("results", 0), SLIM_ITEM),
    (GTA, (), DETAIL),
    (LIST, ("results", 0, "platforms", 0), FULL_PLATFORM),
    (LIST, ("results", 0, "platforms", 0, "platform"), PLATFORM),
    (LIST, ("results", 0, "stores", 0), FULL_STORE),
    (LIST, ("results", 0, "stores", 0, "store"), STORE),
    (GTA, ("platforms", 0), DETAIL_PLATFORM),
    (GTA, ("stores", 0), DETAIL_STORE),
    (GTA, ("developers", 0), STUDIO),
    (GTA, ("publishers", 0), STUDIO),
    ("genres_list_2024-08.json", ("results", 0), GENRE_LISTING),
    ("platforms_list_page1_2024-08.json", ("results", 0), PLATFORM_LISTING),
    ("platforms_parents_list_2024-08.json", ("results", 0), PARENT_LISTING),
    ("developers_list_page1_2024-08.json", ("results", 0), STUDIO_LISTING),
    ("publishers_list_page1_2024-08.json", ("results", 0), STUDIO_LISTING),
]
SAMPLES_DIR = Path(os.environ.get("RAWG_SAMPLES_DIR", "/work/shared/rawg_samples"))


needs_samples = pytest.mark.skipif(
    not SAMPLES_DIR.is_dir(), reason="real RAWG samples not available"
)


def sample_items(*files: str) -> list[Json]:
    return [
        item for file in files for item in json.loads((SAMPLES_DIR / file).read_text())["results"]
    ]


# -- details ---------------------------------------------------------------------------------


SHARED_FIELDS = (
    "id", "slug", "name", "released", "tba", "updated", "rating", "rating_top", "ratings",
    "ratings_count", "added", "added_by_status", "metacritic", "playtime", "esrb_rating",
    "background_image", "parent_platforms", "genres", "tags", "reviews_count",
)  # fmt: skip


def test_detail_by_id_and_slug_matches_list_item(
    base: str, client: InProcessClient, all_games: list[Json]
) -> None:
    for item in all_games[::97]:
        by_id = ok(client, f"{base}/games/{item['id']}")
        by_slug = get(client, f"{base}/games/{item['slug']}/")
        assert by_slug.status_code == 200 and by_slug.json() == by_id
        assert {f: by_id[f] for f in SHARED_FIELDS} == {f: item[f] for f in SHARED_FIELDS}
        assert [p["platform"] for p in by_id["platforms"]] == [
            p["platform"] for p in item["platforms"]
        ]
        assert [s["store"] for s in by_id["stores"]] == [s["store"] for s in item["stores"]]
        assert 1 <= len(by_id["developers"]) <= 3 and 1 <= len(by_id["publishers"]) <= 2


def test_duplicate_names_get_distinct_slugs(
    base: str, client: InProcessClient, all_games: list[Json]
) -> None:
    slugs = [g["slug"] for g in all_games]
    assert len(set(slugs)) == len(slugs)
    twin = next(g for g in all_games if g["slug"].endswith("-2"))
    assert ok(client, f"{base}/games/{twin['slug']}")["id"] == twin["id"]


def test_studios_list_their_games(base: str, client: InProcessClient) -> None:
    for endpoint in ("developers", "publishers"):
        studio = next(s for s in ok(client, f"{base}/{endpoint}")["results"] if s["games"])
        assert 1 <= len(studio["games"]) <= min(6, studio["games_count"])
        added = [g["added"] for g in studio["games"]]
        assert added == sorted(added, reverse=True)
        detail = ok(client, f"{base}/games/{studio['games'][0]['id']}")
        linked = next(s for s in detail[endpoint] if s["id"] == studio["id"])
        assert linked["games_count"] == studio["games_count"]


def test_reference_lists(base: str, client: InProcessClient) -> None:
    genres = crawl(client, f"{base}/genres")
    assert len(genres) == 19 and {g["slug"] for g in genres} >= {"action", "indie", "card"}
    assert sum(len(p["platforms"]) for p in crawl(client, f"{base}/platforms/lists/parents")) == 51
    platforms = crawl(client, f"{base}/platforms")
    assert len(platforms) == 51 and {p["id"] for p in platforms} >= {4, 187, 171}
    assert ok(client, f"{base}/developers")["count"] == GAMES // 5


# -- shapes and variety ----------------------------------------------------------------------


@needs_samples
def test_expected_keys_match_samples() -> None:
    for file, path, expected in SAMPLE_SHAPES:
        sample = json.loads((SAMPLES_DIR / file).read_text())
        for step in path:
            sample = sample[step]
        assert set(sample) == expected, (file, path)


def test_item_shapes_have_every_real_key(
    base: str, client: InProcessClient, all_games: list[Json]
) -> None:
    slim = ok(client, f"{base}/games", genres="action")["results"][0]
    full = next(g for g in all_games if g["stores"])
    detail = ok(client, f"{base}/games/{full['id']}")
    checks: list[tuple[Json, set[str]]] = [
        (full, FULL_ITEM),
        (full["platforms"][0], FULL_PLATFORM),
        (full["platforms"][0]["platform"], PLATFORM),
        (full["stores"][0], FULL_STORE),
        (full["stores"][0]["store"], STORE),
        (slim, SLIM_ITEM),
        (detail, DETAIL),
        (detail["platforms"][0], DETAIL_PLATFORM),
        (detail["stores"][0], DETAIL_STORE),
        (detail["developers"][0], STUDIO),
        (detail["publishers"][0], STUDIO),
        (ok(client, f"{base}/genres")["results"][0], GENRE_LISTING),
        (ok(client, f"{base}/platforms")["results"][0], PLATFORM_LISTING),
        (ok(client, f"{base}/platforms/lists/parents")["results"][0], PARENT_LISTING),
        (ok(client, f"{base}/developers")["results"][0], STUDIO_LISTING),
        (ok(client, f"{base}/publishers")["results"][0], STUDIO_LISTING),
    ]
    for payload, expected in checks:
        assert expected <= set(payload), expected - set(payload)
    # filtered queries embed slim references, like games_list_filter_genres4_2023-03.json
    assert set(slim["platforms"][0]) == {"platform"}
    assert set(slim["platforms"][0]["platform"]) == {"id", "name", "slug"}
    assert set(slim["genres"][0]) == {"id", "name", "slug"}
    assert slim["esrb_rating"] is None or {"name_en", "name_ru"} <= set(slim["esrb_rating"])


# Objects inside list items, by their path of keys (lists are looked into).
NESTED = (
    ("platforms",), ("platforms", "platform"), ("stores",), ("stores", "store"), ("tags",),
    ("genres",), ("parent_platforms",), ("parent_platforms", "platform"), ("ratings",),
    ("short_screenshots",), ("added_by_status",), ("esrb_rating",),
)  # fmt: skip


def objects_at(items: list[Json], path: tuple[str, ...]) -> list[Json]:
    found = items
    for key in path:
        values = [obj.get(key) for obj in found]
        found = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return [obj for obj in found if isinstance(obj, dict)]


def key_sets(items: list[Json]) -> dict[tuple[str, ...], set[str]]:
    """Every key of the items and of their nested objects, by path."""
    return {path: {k for obj in objects_at(items, path) for k in obj} for path in [(), *NESTED]}


@needs_samples
@pytest.mark.parametrize(
    ("files", "params"),
    [(FULL_LISTS, {}), ((FILTERED,), {"genres": "action"})],
    ids=["full", "slim"],
)
def test_list_items_have_the_size_and_shape_of_real_ones(
    base: str, client: InProcessClient, files: tuple[str, ...], params: dict[str, str]
) -> None:
    real = sample_items(*files)
    ours = crawl(client, f"{base}/games", **params)
    assert key_sets(ours) == key_sets(real)

    def sizes(items: list[Json]) -> list[int]:
        return sorted(len(orjson.dumps(item)) for item in items)

    real_sizes, our_sizes = sizes(real), sizes(ours)
    assert 0.75 < statistics.median(our_sizes) / statistics.median(real_sizes) < 1.25
    within = [real_sizes[0] <= size <= real_sizes[-1] for size in our_sizes]
    # full samples span 5.8 to 15.5 KB, slim ones 6.9 to 14.2 KB (20 items only)
    assert sum(within) / len(ours) > 0.8


@needs_samples
def test_list_items_carry_as_many_tags_platforms_and_stores_as_real_ones(
    all_games: list[Json],
) -> None:
    real = sample_items(*FULL_LISTS, FILTERED)
    for key in ("tags", "platforms", "stores", "short_screenshots"):
        counts = sorted(len(item[key] or []) for item in real)
        low, high = counts[len(counts) // 10], counts[-len(counts) // 10]
        assert low <= statistics.median(len(g[key]) for g in all_games) <= high, key
    assert 20 <= statistics.median(len(g["tags"]) for g in all_games) <= 40


def test_catalog_has_realistic_variety(all_games: list[Json]) -> None:
    def share(predicate: Callable[[Json], bool]) -> float:
        return sum(map(predicate, all_games)) / len(all_games)

    assert 0.01 < share(lambda g: g["released"] is None) < 0.06
    assert any(g["tba"] for g in all_games)
    assert 0.3 < share(lambda g: g["metacritic"] is None) < 0.5
    assert 0.2 < share(lambda g: g["esrb_rating"] is None) < 0.4
    assert 0 < share(lambda g: g["added_by_status"] is None) < 0.2
    assert 0 < share(lambda g: not g["genres"]) < 0.2
    assert 0 < share(lambda g: not g["name"].isascii()) < 0.2
    assert max(len(g["name"]) for g in all_games) in range(85, 98)
    released = sorted(g["released"] for g in all_games if g["released"])
    assert released[0] < "1990" and released[-1] > str(TODAY)
    for game in all_games:
        rating = game["rating"]
        assert rating == 0 or (0 < rating <= 5 and round(rating, 2) == rating)
        assert datetime.strptime(game["updated"], "%Y-%m-%dT%H:%M:%S")
        assert game["platforms"] and game["parent_platforms"]


def test_memoised_items_cost_about_their_size() -> None:
    listings = Listings(Catalog(config(games=600)))
    query = GameQuery()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        items = listings.item_bytes(range(600), query)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert listings.item_bytes(range(600), query) == items  # served from the memo
    assert held < 1.5 * sum(map(len, items))  # not orjson's over-allocated buffers
