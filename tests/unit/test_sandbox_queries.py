"""The RAWG sandbox's `/games` queries and time model, in-process: the `updated` window as a
pipeline collecting every day sees it, the other filters, orderings, and the catalog's
per-day index called directly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from rawg_simulator import SandboxConfig
from rawg_simulator.catalog import Catalog
from rawg_simulator.listings import Listings
from rawg_simulator.query import GameQuery, QueryEngine
from tests.support.sandbox import (
    GAMES,
    TODAY,
    InProcessClient,
    Json,
    config,
    crawl,
    ok,
)

WINDOW = [TODAY - timedelta(days=n) for n in range(30, 0, -1)]
# what grows as a game is re-updated, and what an item shows as of its update day
GROWING = ("added", "ratings_count", "reviews_count", "reviews_text_count", "playtime")
AS_OF_FIELDS = (*GROWING, "updated", "added_by_status", "rating", "rating_top", "ratings")


@pytest.fixture(scope="module")
def by_day(base: str, client: InProcessClient) -> dict[date, list[Json]]:
    """Every daily partition of the window, as a pipeline collecting each day sees them."""
    return {day: crawl(client, f"{base}/games", updated=f"{day},{day}") for day in WINDOW}


# -- the updated window ----------------------------------------------------------------------


def test_updated_filter_covers_every_day_up_to_yesterday(
    base: str, client: InProcessClient, all_games: list[Json]
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
    client: InProcessClient, base: str, by_day: dict[date, list[Json]]
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
    base: str, client: InProcessClient, all_games: list[Json], by_day: dict[date, list[Json]]
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


def test_default_catalog_re_updates_hundreds_of_games_over_two_weeks() -> None:
    # the integration tests' and the demo's shape: 1,500 games, a 14-day backfill
    today = date(2026, 1, 20)
    with InProcessClient(SandboxConfig(games=1500, seed=11, days=30, today=today)) as sandbox:
        days_seen: Counter[int] = Counter()
        for back in range(14, 0, -1):
            day = today - timedelta(days=back)
            found = crawl(sandbox, f"{sandbox.base}/games", updated=f"{day},{day}")
            days_seen.update(g["id"] for g in found)
    appearances = Counter(days_seen.values())
    assert sum(n for days, n in appearances.items() if days >= 2) >= 300
    assert sum(n for days, n in appearances.items() if days >= 10) >= 50  # on most days
    assert appearances[1] >= 200  # and many games are never re-updated


def test_refresh_share_zero_updates_each_game_once() -> None:
    once = Catalog(config(refresh_share=0)).timeline
    assert all(len(once.update_days(i)) == 1 for i in range(GAMES))
    assert sum(len(once.updated_on(day)) for day in WINDOW) == GAMES
    daily = Catalog(config(refresh_share=1)).timeline
    # every game is re-updated at most 7 days after its first update, if the window goes on
    schedules = [daily.update_days(i) for i in range(GAMES)]
    assert all(len(days) >= 2 for days in schedules if days[0] <= WINDOW[-8])
    with pytest.raises(ValueError, match="refresh_share"):
        config(refresh_share=1.5)


def test_update_schedules_are_deterministic_per_seed() -> None:
    first, twin, other = Catalog(config()), Catalog(config()), Catalog(config(seed=43))

    def schedules(catalog: Catalog) -> list[list[date]]:
        return [catalog.timeline.update_days(i) for i in range(catalog.game_count)]

    assert schedules(first) == schedules(twin) != schedules(other)
    query = GameQuery(updated=(WINDOW[3], WINDOW[3]))
    served, again = Listings(first), Listings(twin)
    page = served.queries.select(query)[:200]
    assert served.item_bytes(page, query) == again.item_bytes(
        again.queries.select(query)[:200], query
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
    timeline = catalog.timeline
    day = WINDOW[10]
    updated_that_day = timeline.updated_on(day)
    assert 0 < len(updated_that_day) < GAMES // 4
    # the per-day index holds every (game, update day) pair once
    assert sum(len(timeline.updated_on(d)) for d in WINDOW) == sum(
        len(timeline.update_days(i)) for i in range(GAMES)
    )
    # Every per-game lookup a filter or an ordering could do goes through these arrays.
    arrays = ("updated", "released", "added", "rating", "metacritic", "genre_masks")
    counters = {name: _CountingArray(getattr(catalog.columns, name)) for name in arrays}
    for name, counter in counters.items():
        setattr(catalog.columns, name, counter)
    queries = QueryEngine(catalog)
    plain = queries.select(GameQuery(updated=(day, day), ordering="created"))
    assert sorted(plain) == list(updated_that_day)
    assert sum(c.reads for c in counters.values()) == 0
    action = queries.select(GameQuery(updated=(day, day), genres=frozenset({4}), ordering="added"))
    assert 0 < len(action) < len(updated_that_day)
    assert counters["genre_masks"].reads == len(updated_that_day)
    assert counters["added"].reads == len(action)
    assert sum(c.reads for c in counters.values()) < GAMES // 2


# -- other filters and orderings -------------------------------------------------------------


def test_dates_filter_matches_released_inclusively(
    base: str, client: InProcessClient, all_games: list[Json]
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


def test_genre_and_platform_filters(
    base: str, client: InProcessClient, all_games: list[Json]
) -> None:
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


def test_search_matches_names_and_scores_items(
    base: str, client: InProcessClient, all_games: list[Json]
) -> None:
    expected = sorted(g["id"] for g in all_games if "dark" in g["name"].casefold())
    found = crawl(client, f"{base}/games", search="dark")
    assert sorted(g["id"] for g in found) == expected and expected
    assert all(g["score"] is not None for g in found)  # only searches carry a score


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
def test_ordering_breaks_ties_by_id_and_sorts_nulls_as_postgresql(
    base: str, client: InProcessClient, all_games: list[Json], field: str, descending: bool
) -> None:
    key = ORDER_KEYS[field]
    present = [g for g in all_games if key(g) is not None]
    nulls = [g for g in all_games if key(g) is None]
    # all_games is in id order and sorts are stable, so ties stay in id order; nulls are
    # last ascending and first descending (see tests/unit/test_window_nulls.py for the switch)
    ordered = sorted(present, key=key, reverse=descending)
    expected = nulls + ordered if descending else ordered + nulls
    ordering = f"-{field}" if descending else field
    served = crawl(client, f"{base}/games", ordering=ordering)
    assert [g["id"] for g in served] == [g["id"] for g in expected]


def test_a_thin_day_serves_a_twentieth_of_its_games(by_day: dict[date, list[Json]]) -> None:
    """RAWG in an outage, or with a changed filter: the day's query answers with 5% of what
    it holds, its count agreeing, and every other day as before."""
    thin, other = WINDOW[-1], WINDOW[-2]
    with InProcessClient(config(thin_day=thin)) as sandbox:
        served = crawl(sandbox, f"{sandbox.base}/games", updated=f"{thin},{thin}")
        count = ok(sandbox, f"{sandbox.base}/games", updated=f"{thin},{thin}")["count"]
        untouched = crawl(sandbox, f"{sandbox.base}/games", updated=f"{other},{other}")
    whole = {game["id"] for game in by_day[thin]}
    assert count == len(served) == -(-len(whole) // 20) > 0
    assert {game["id"] for game in served} < whole
    assert untouched == by_day[other]
