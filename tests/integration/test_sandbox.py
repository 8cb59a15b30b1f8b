"""The RAWG sandbox, exercised over real loopback HTTP in child processes."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from game_market.sandbox import SandboxConfig, add_arguments, config_from_args, running_sandbox
from game_market.sandbox.catalog import Catalog, GameQuery
from game_market.sandbox.server import sandbox_command

KEY = "test-key"
TODAY = date(2024, 6, 15)
GAMES = 2000
Json = dict[str, Any]

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


def config(**overrides: Any) -> SandboxConfig:
    return SandboxConfig(**{"games": GAMES, "seed": 42, "today": TODAY, **overrides})


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_sandbox(config()) as url:
        yield url


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def get(client: httpx.Client, url: str, **params: Any) -> httpx.Response:
    return client.get(url, params={"key": KEY, **params})


def ok(client: httpx.Client, url: str, **params: Any) -> Json:
    response = get(client, url, **params)
    assert response.status_code == 200, response.text
    return response.json()


def crawl(client: httpx.Client, url: str, **params: Any) -> list[Json]:
    """Every result of a listing, following `next` links the way a client would."""
    page = ok(client, url, page_size=40, **params)
    results = page["results"]
    while page["next"]:
        response = client.get(page["next"])
        assert response.status_code == 200, response.text
        page = response.json()
        results += page["results"]
    return results


@pytest.fixture(scope="module")
def all_games(base: str, client: httpx.Client) -> list[Json]:
    return crawl(client, f"{base}/games")


WINDOW = [TODAY - timedelta(days=n) for n in range(30, 0, -1)]
# what grows as a game is re-updated, and what an item shows as of its update day
GROWING = ("added", "ratings_count", "reviews_count", "reviews_text_count", "playtime")
AS_OF_FIELDS = (*GROWING, "updated", "added_by_status", "rating", "rating_top", "ratings")


@pytest.fixture(scope="module")
def by_day(base: str, client: httpx.Client) -> dict[date, list[Json]]:
    """Every daily partition of the window, as a pipeline collecting each day sees them."""
    return {day: crawl(client, f"{base}/games", updated=f"{day},{day}") for day in WINDOW}


def stats(client: httpx.Client, url: str) -> Json:
    return client.get(url.removesuffix("/api") + "/_sandbox/stats").json()


def reset(client: httpx.Client, url: str) -> None:
    assert client.post(url.removesuffix("/api") + "/_sandbox/reset").status_code == 200


# -- paging ----------------------------------------------------------------------------------


def test_envelope_and_links_carry_every_param(base: str, client: httpx.Client) -> None:
    first = ok(client, f"{base}/games")
    assert list(first)[:4] == ["count", "next", "previous", "results"]
    assert first["count"] == GAMES and len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == f"{base}/games?key={KEY}&page=2"

    second = ok(client, f"{base}/games", page=2, ordering="-added", page_size=30)
    # DRF builds links with sorted params, the key included; page 1 has no page=
    assert second["previous"] == f"{base}/games?key={KEY}&ordering=-added&page_size=30"
    assert second["next"] == f"{base}/games?key={KEY}&ordering=-added&page=3&page_size=30"
    third = ok(client, f"{base}/games", page=3, dates="2000-01-01,2024-01-01")
    assert third["previous"] == f"{base}/games?dates=2000-01-01%2C2024-01-01&key={KEY}&page=2"


def test_crawl_by_next_reaches_every_game_once(all_games: list[Json]) -> None:
    ids = [g["id"] for g in all_games]
    assert len(ids) == GAMES == len(set(ids))
    assert ids == sorted(ids)
    assert max(ids) > GAMES  # ids are sparse, like a real catalog's


def test_last_page_has_no_next(base: str, client: httpx.Client) -> None:
    last = ok(client, f"{base}/games", page=67, page_size=30)
    assert last["next"] is None and len(last["results"]) == GAMES - 66 * 30


def test_page_size_is_clamped_to_40(base: str, client: httpx.Client) -> None:
    assert len(ok(client, f"{base}/games", page_size=100)["results"]) == 40
    assert len(ok(client, f"{base}/games", page_size=0)["results"]) == 20  # ignored, like DRF
    assert len(ok(client, f"{base}/developers", page_size=500)["results"]) == 40


def test_pages_past_the_end_are_invalid(base: str, client: httpx.Client) -> None:
    for url, params in [
        (f"{base}/games", {"page": GAMES // 20 + 1}),
        (f"{base}/games", {"page": 2, "updated": "2001-01-01,2001-01-02"}),
        (f"{base}/genres", {"page": 2}),
    ]:
        response = get(client, url, **params)
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}
    empty = ok(client, f"{base}/games", updated="2001-01-01,2001-01-02")
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


def test_page_window_caps_deep_pages_but_not_count(client: httpx.Client) -> None:
    with running_sandbox(config(games=300, max_pages_per_query=3)) as url:
        third = ok(client, f"{url}/games", page=3)
        assert third["count"] == 300
        assert third["next"] == f"{url}/games?key={KEY}&page=4"  # points past the window
        response = get(client, f"{url}/games", page=4)
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"updated": "2024-06-01"}, "updated"),
        ({"updated": "2024-06-01,yesterday"}, "updated"),
        ({"dates": "2024-02-30,2024-03-01"}, "dates"),
        ({"platforms": "pc"}, "platforms"),
    ],
)
def test_malformed_params_are_400(
    base: str, client: httpx.Client, params: Json, param: str
) -> None:
    response = get(client, f"{base}/games", **params)
    assert response.status_code == 400
    assert param in response.json()


# -- filters and ordering --------------------------------------------------------------------


def test_updated_filter_covers_every_day_up_to_yesterday(
    base: str, client: httpx.Client, all_games: list[Json]
) -> None:
    first_day, yesterday = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    window = crawl(client, f"{base}/games", updated=f"{first_day},{yesterday}")
    days = Counter(datetime.fromisoformat(g["updated"]).date() for g in window)
    assert len(window) == GAMES
    assert sorted(days) == [first_day + timedelta(days=n) for n in range(30)]
    assert all("score" in g for g in window)  # filtered queries use the slim shape
    assert ok(client, f"{base}/games", updated=f"{TODAY},{TODAY}")["count"] == 0
    # the whole window shows every game as of its last update: today's state
    by_id = {g["id"]: g for g in all_games}
    assert all(by_id[g["id"]]["updated"] == g["updated"] for g in window)


def test_range_query_serves_each_game_once_as_of_its_latest_day_in_range(
    client: httpx.Client, base: str, by_day: dict[date, list[Json]]
) -> None:
    week = [date(2024, 6, d) for d in range(1, 8)]
    served = crawl(client, f"{base}/games", updated=f"{week[0]},{week[-1]}")
    latest = {g["id"]: (day, g) for day in week for g in by_day[day]}  # later days overwrite
    assert len(served) == len({g["id"] for g in served}) == len(latest)
    assert sum(len(by_day[day]) for day in week) > len(served)  # re-updated games, once here
    for game in served:
        day, as_of_day = latest[game["id"]]
        assert game == as_of_day and game["updated"].startswith(str(day))
    counts = [ok(client, f"{base}/games", updated=f"{d},{d}")["count"] for d in week]
    assert counts == [len(by_day[d]) for d in week]


def test_re_updated_games_grow_from_day_to_day(
    base: str, client: httpx.Client, all_games: list[Json], by_day: dict[date, list[Json]]
) -> None:
    history: dict[int, list[Json]] = {}
    for day in sorted(by_day):
        for game in by_day[day]:
            assert game["updated"].startswith(str(day))  # inside the day partition
            history.setdefault(game["id"], []).append(game)
    assert len(history) == GAMES
    multi = {gid: seen for gid, seen in history.items() if len(seen) >= 2}
    assert len(multi) > GAMES // 4
    grew = 0
    current = {g["id"]: g for g in all_games}
    for gid, seen in history.items():
        for field in GROWING:
            values = [g[field] for g in seen]
            assert values == sorted(values), (gid, field, values)
        grew += seen[0]["added"] < seen[-1]["added"]
        for game in seen:
            status = game["added_by_status"]
            assert status is None or sum(status.values()) <= game["added"]
            assert 0 <= game["rating"] <= 5 and round(game["rating"], 2) == game["rating"]
            assert game["metacritic"] == seen[-1]["metacritic"]
        # the last appearance is the current state
        assert {f: seen[-1][f] for f in AS_OF_FIELDS} == {f: current[gid][f] for f in AS_OF_FIELDS}
    assert grew > len(multi) // 2
    for gid in sorted(multi, key=lambda g: -len(multi[g]))[:3]:
        detail = ok(client, f"{base}/games/{gid}")
        assert {f: detail[f] for f in AS_OF_FIELDS} == {f: multi[gid][-1][f] for f in AS_OF_FIELDS}
        assert multi[gid][0]["added"] < detail["added"]


def test_default_catalog_re_updates_hundreds_of_games_over_two_weeks(
    client: httpx.Client,
) -> None:
    # the integration tests' and the demo's shape: 1,500 games, a 14-day backfill
    today = date(2026, 1, 20)
    with running_sandbox(SandboxConfig(games=1500, seed=11, days=30, today=today)) as url:
        days_seen: Counter[int] = Counter()
        for back in range(14, 0, -1):
            day = today - timedelta(days=back)
            days_seen.update(g["id"] for g in crawl(client, f"{url}/games", updated=f"{day},{day}"))
    appearances = Counter(days_seen.values())
    assert sum(n for days, n in appearances.items() if days >= 2) >= 300
    assert sum(n for days, n in appearances.items() if days >= 10) >= 50  # on most days
    assert appearances[1] >= 200  # and many games are never re-updated


def test_refresh_share_zero_updates_each_game_once() -> None:
    once = Catalog(config(refresh_share=0))
    assert all(len(once.update_days(i)) == 1 for i in range(once.game_count))
    assert sum(len(once.updated_on(day)) for day in WINDOW) == GAMES
    daily = Catalog(config(refresh_share=1))
    # every game is re-updated at most 7 days after its first update, if the window goes on
    schedules = [daily.update_days(i) for i in range(daily.game_count)]
    assert all(len(days) >= 2 for days in schedules if days[0] <= WINDOW[-8])
    with pytest.raises(ValueError, match="refresh_share"):
        config(refresh_share=1.5)


def test_update_schedules_are_deterministic_per_seed() -> None:
    first, twin, other = Catalog(config()), Catalog(config()), Catalog(config(seed=43))

    def schedules(catalog: Catalog) -> list[list[date]]:
        return [catalog.update_days(i) for i in range(catalog.game_count)]

    assert schedules(first) == schedules(twin) != schedules(other)
    query = GameQuery(updated=(WINDOW[3], WINDOW[3]))
    page = first.select(query)[:200]
    assert first.game_item_bytes(page, query) == twin.game_item_bytes(
        twin.select(query)[:200], query
    )


class _CountingArray:
    """A per-game array that counts how often it is read."""

    def __init__(self, values: Any) -> None:
        self.values, self.reads = values, 0

    def __getitem__(self, index: Any) -> Any:
        self.reads += 1
        return self.values[index]

    def __len__(self) -> int:
        return len(self.values)


def test_one_day_query_reads_only_that_days_games() -> None:
    catalog = Catalog(config())
    day = WINDOW[10]
    updated_that_day = catalog.updated_on(day)
    assert 0 < len(updated_that_day) < GAMES // 4
    # the per-day index holds every (game, update day) pair once
    assert sum(len(catalog.updated_on(d)) for d in WINDOW) == sum(
        len(catalog.update_days(i)) for i in range(GAMES)
    )
    # Every per-game lookup a filter or an ordering could do goes through these arrays.
    arrays = ("_updated", "_released", "_added", "_rating", "_metacritic", "_genre_masks")
    counters = {name: _CountingArray(getattr(catalog, name)) for name in arrays}
    for name, counter in counters.items():
        setattr(catalog, name, counter)
    plain = catalog.select(GameQuery(updated=(day, day), ordering="created"))
    assert sorted(plain) == list(updated_that_day)
    assert sum(c.reads for c in counters.values()) == 0
    action = catalog.select(GameQuery(updated=(day, day), genres=frozenset({4}), ordering="added"))
    assert 0 < len(action) < len(updated_that_day)
    assert counters["_genre_masks"].reads == len(updated_that_day)
    assert counters["_added"].reads == len(action)
    assert sum(c.reads for c in counters.values()) < GAMES // 2


def test_dates_filter_matches_released_inclusively(
    base: str, client: httpx.Client, all_games: list[Json]
) -> None:
    expected = sorted(
        g["id"]
        for g in all_games
        if g["released"] and "2010-03-01" <= g["released"] <= "2015-06-30"
    )
    found = crawl(client, f"{base}/games", dates="2010-03-01,2015-06-30")
    assert sorted(g["id"] for g in found) == expected and expected
    edge = next(g for g in all_games if g["released"])["released"]
    assert ok(client, f"{base}/games", dates=f"{edge},{edge}")["count"] >= 1


def test_genre_and_platform_filters(base: str, client: httpx.Client, all_games: list[Json]) -> None:
    def ids(items: list[Json]) -> list[int]:
        return sorted(g["id"] for g in items)

    action = [g for g in all_games if any(x["slug"] == "action" for x in g["genres"])]
    assert ids(crawl(client, f"{base}/games", genres="action")) == ids(action)
    assert ids(crawl(client, f"{base}/games", genres="4")) == ids(action)
    either = [g for g in all_games if {x["id"] for x in g["genres"]} & {4, 51}]
    assert ok(client, f"{base}/games", genres="4,indie")["count"] == len(either)
    on_ps4 = [g for g in all_games if any(p["platform"]["id"] == 18 for p in g["platforms"])]
    assert ok(client, f"{base}/games", platforms="18")["count"] == len(on_ps4) > 0
    assert ok(client, f"{base}/games", genres="no-such-genre")["count"] == 0


ORDER_KEYS: dict[str, Callable[[Json], Any]] = {
    "name": lambda g: g["name"].casefold(),
    "released": lambda g: g["released"],
    "added": lambda g: g["added"],
    "rating": lambda g: g["rating"],
    "metacritic": lambda g: g["metacritic"],
    "updated": lambda g: g["updated"],
    "created": lambda g: g["id"],
}


@pytest.mark.parametrize("field", sorted(ORDER_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_ordering_breaks_ties_by_id_and_puts_nulls_last(
    base: str, client: httpx.Client, all_games: list[Json], field: str, descending: bool
) -> None:
    key = ORDER_KEYS[field]
    present = [g for g in all_games if key(g) is not None]
    nulls = [g for g in all_games if key(g) is None]
    # all_games is in id order and sorts are stable, so ties stay in id order
    expected = sorted(present, key=key, reverse=descending) + nulls
    ordering = f"-{field}" if descending else field
    served = crawl(client, f"{base}/games", ordering=ordering)
    assert [g["id"] for g in served] == [g["id"] for g in expected]


# -- details ---------------------------------------------------------------------------------


SHARED_FIELDS = (
    "id", "slug", "name", "released", "tba", "updated", "rating", "rating_top", "ratings",
    "ratings_count", "added", "added_by_status", "metacritic", "playtime", "esrb_rating",
    "background_image", "parent_platforms", "genres", "tags", "reviews_count",
)  # fmt: skip


def test_detail_by_id_and_slug_matches_list_item(
    base: str, client: httpx.Client, all_games: list[Json]
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
    base: str, client: httpx.Client, all_games: list[Json]
) -> None:
    slugs = [g["slug"] for g in all_games]
    assert len(set(slugs)) == len(slugs)
    twin = next(g for g in all_games if g["slug"].endswith("-2"))
    assert ok(client, f"{base}/games/{twin['slug']}")["id"] == twin["id"]


def test_unknown_game_is_404(base: str, client: httpx.Client) -> None:
    for token in ("999999999", "no-such-game-anywhere"):
        response = get(client, f"{base}/games/{token}")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert get(client, f"{base}/no/such/route").status_code == 404


def test_studios_list_their_games(base: str, client: httpx.Client) -> None:
    for endpoint in ("developers", "publishers"):
        studio = next(s for s in ok(client, f"{base}/{endpoint}")["results"] if s["games"])
        assert 1 <= len(studio["games"]) <= min(6, studio["games_count"])
        added = [g["added"] for g in studio["games"]]
        assert added == sorted(added, reverse=True)
        detail = ok(client, f"{base}/games/{studio['games'][0]['id']}")
        linked = next(s for s in detail[endpoint] if s["id"] == studio["id"])
        assert linked["games_count"] == studio["games_count"]


def test_reference_lists(base: str, client: httpx.Client) -> None:
    genres = crawl(client, f"{base}/genres")
    assert len(genres) == 19 and {g["slug"] for g in genres} >= {"action", "indie", "card"}
    assert sum(len(p["platforms"]) for p in crawl(client, f"{base}/platforms/lists/parents")) == 51
    platforms = crawl(client, f"{base}/platforms")
    assert len(platforms) == 51 and {p["id"] for p in platforms} >= {4, 187, 171}
    assert ok(client, f"{base}/developers")["count"] == GAMES // 5


# -- shapes and variety ----------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES_DIR.is_dir(), reason="real RAWG samples not available")
def test_expected_keys_match_samples() -> None:
    for file, path, expected in SAMPLE_SHAPES:
        sample = json.loads((SAMPLES_DIR / file).read_text())
        for step in path:
            sample = sample[step]
        assert set(sample) == expected, (file, path)


def test_item_shapes_have_every_real_key(
    base: str, client: httpx.Client, all_games: list[Json]
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


# -- keys ------------------------------------------------------------------------------------


def test_missing_key_is_401(base: str, client: httpx.Client) -> None:
    for params in ({}, {"key": ""}):
        response = client.get(f"{base}/games", params=params)
        assert response.status_code == 401
        assert response.json() == {"error": "The key parameter is not provided"}


def test_only_valid_keys_pass_when_configured(client: httpx.Client) -> None:
    with running_sandbox(config(games=50, valid_keys=frozenset({"good", "also-good"}))) as url:
        response = client.get(f"{url}/games", params={"key": "bad"})
        assert response.status_code == 401
        assert response.json() == {"error": "The API key is not found"}
        assert client.get(f"{url}/games", params={"key": "also-good"}).status_code == 200


# -- determinism -----------------------------------------------------------------------------

PROBES: list[tuple[str, Json]] = [
    ("/games", {"page": 3, "page_size": 40}),
    ("/games", {"updated": "2024-06-01,2024-06-10", "ordering": "-rating", "page": 2}),
    ("/games", {"updated": "2024-05-20,2024-05-20", "page": 2, "page_size": 40}),  # as of a day
    ("/developers", {"page": 2}),
    ("/platforms", {}),
]


def bodies(client: httpx.Client, url: str) -> list[bytes]:
    """Raw answers to PROBES plus one game detail, with the varying origin masked."""
    origin = url.removesuffix("/api").encode()
    first_id = ok(client, f"{url}/games")["results"][0]["id"]
    probes = [*PROBES, (f"/games/{first_id}", {})]
    return [
        get(client, url + path, **params).content.replace(origin, b"ORIGIN")
        for path, params in probes
    ]


def test_same_seed_serves_identical_bytes(base: str, client: httpx.Client) -> None:
    with running_sandbox(config()) as twin:
        assert bodies(client, twin) == bodies(client, base)
    with running_sandbox(config(seed=43)) as other:
        assert all(a != b for a, b in zip(bodies(client, other), bodies(client, base), strict=True))


# -- faults ----------------------------------------------------------------------------------


def classify(response: httpx.Response) -> str:
    if response.status_code != 200:
        return str(response.status_code)
    if response.content.startswith(b"<html"):
        return "malformed"
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "truncated"
    return "slow"  # at fault rate 1.0 every intact 200 was a slow answer


def test_every_fault_kind_at_rate_one(client: httpx.Client) -> None:
    faulty = config(games=400, fault_rate=1.0, slow_ms=20, retry_after_s=7)
    with running_sandbox(faulty) as url:
        seen: Counter[str] = Counter()
        for page in range(1, 21):
            for _ in range(3):  # each retry of one request draws afresh
                response = get(client, f"{url}/games", page=page)
                kind = classify(response)
                seen[kind] += 1
                if kind == "429":
                    assert response.headers["retry-after"] == "7"
                    assert response.json() == {"detail": "Request was throttled."}
        assert set(seen) == {"429", "500", "502", "503", "slow", "truncated", "malformed"}
        assert stats(client, url)["faults"] == dict(seen)


def fault_outcomes(
    client: httpx.Client, url: str, requests: list[Json], key: str = KEY
) -> dict[str, list[str]]:
    """Outcome of each occurrence of each request."""
    outcomes: dict[str, list[str]] = {}
    for params in requests:
        response = client.get(f"{url}/games", params={"key": key, **params})
        outcomes.setdefault(json.dumps(params, sort_keys=True), []).append(classify(response))
    return outcomes


def test_faults_are_deterministic_per_request_and_occurrence(client: httpx.Client) -> None:
    with running_sandbox(config(games=400, fault_rate=0.3, slow_ms=10)) as url:
        requests = [{"page": p, "page_size": 10} for p in range(1, 31)] * 2
        forward = fault_outcomes(client, url, requests)
        reset(client, url)
        backward = fault_outcomes(client, url, requests[::-1])
        assert forward == backward  # order does not matter, only (request, occurrence)
        faults = sum(stats(client, url)["faults"].values())
        assert 0.15 < faults / len(requests) < 0.45
        reset(client, url)
        assert fault_outcomes(client, url, requests, key="another-key") == forward


def test_latency_delays_answers_without_blocking_the_loop() -> None:
    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=10) as http:
            answers = await asyncio.gather(
                *(http.get(f"{url}/games", params={"key": KEY, "page": p}) for p in range(1, 9))
            )
        return [a.status_code for a in answers]

    with running_sandbox(config(games=200, latency_ms=300)) as url:
        started = time.perf_counter()
        assert asyncio.run(burst(url)) == [200] * 8
        assert 0.3 <= time.perf_counter() - started < 1.5  # concurrent, not 8 x 300 ms


# -- stats -----------------------------------------------------------------------------------


def test_stats_count_api_requests_and_reset(base: str, client: httpx.Client) -> None:
    reset(client, base)
    get(client, f"{base}/games")
    get(client, f"{base}/games/{ok(client, f'{base}/games')['results'][0]['id']}")
    get(client, f"{base}/genres")
    get(client, f"{base}/games", page=9999)
    client.get(f"{base}/games")
    snapshot = stats(client, base)
    assert snapshot["requests"] == 6
    assert snapshot["by_endpoint"] == {
        "games": 4, "game_details": 1, "genres": 1, "platforms": 0, "parent_platforms": 0,
        "developers": 0, "publishers": 0,
    }  # fmt: skip
    assert snapshot["by_status"] == {"200": 4, "401": 1, "404": 1}
    assert snapshot["config"]["today"] == str(TODAY) and snapshot["config"]["games"] == GAMES
    assert stats(client, base)["requests"] == 6  # stats calls are not counted
    reset(client, base)
    assert stats(client, base)["requests"] == 0


# -- process and CLI -------------------------------------------------------------------------


def test_command_line_round_trips_the_config() -> None:
    original = config(
        latency_ms=12.5, fault_rate=0.25, refresh_share=0.6, valid_keys=frozenset({"a", "b"})
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(sandbox_command(original, port=1234)[3:])
    assert config_from_args(args) == original and args.port == 1234


def test_startup_failure_reports_child_output() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sandbox = running_sandbox(config(games=10), port)
        with pytest.raises(RuntimeError, match="exited") as failure, sandbox:
            pass
    assert "RAWG sandbox listening on" in str(failure.value)  # the child's output tail


def test_100k_catalog_serves_deep_pages_in_bounded_memory(client: httpx.Client) -> None:
    # Its speed is measured by `make bench` (benchmarks/ingest.py), not asserted here.
    with running_sandbox(config(games=100_000)) as url:
        page = ok(client, f"{url}/games", page=400, page_size=40)
        assert len(page["results"]) == 40
        for ordering in ("-added", "name", "-released"):
            ok(client, f"{url}/games", ordering=ordering, page=500, page_size=40)
        ok(client, f"{url}/games", updated="2024-06-01,2024-06-02", page_size=40)
        assert stats(client, url)["process"]["rss_mb"] < 300
