"""The lake's games: one row per game with everything that does not change between days.

Column-wise twin of ``rawg_simulator.games``: the same reference data and the same
distributions (``rawg_simulator.distributions``) but for the compact tag and platform counts
the transform benchmark was measured on, drawn from hashes instead of a per-game RNG, and
already in the lake's types and RAWG's nested shapes.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from rawg_simulator.distributions import (
    ADDED_DECADES,
    ESRB_SHARE,
    FIRST_RELEASE,
    GENRE_WEIGHTS,
    GENRES_PER_GAME,
    GROWTH_PER_DAY,
    LAKE_PLATFORMS_PER_GAME,
    LAKE_TAGS_PER_GAME,
    MAX_PLAYTIME,
    MAX_SUGGESTIONS,
    METACRITIC_RANGE,
    METACRITIC_SHARE,
    NAME_FORM_CUTS,
    PLATFORM_WEIGHTS,
    RATED_MIN_ADDED,
    RATED_SHARE,
    RATING_SKEW,
    RATINGS_SHARE,
    RELEASE_SKEW,
    STORE_OFFER_SHARE,
    TBA_SHARE,
    UNICODE_NAME_SHARE,
    UNRELEASED_SHARE,
)
from rawg_simulator.lake.draws import (
    below,
    choose,
    cumulative,
    listed,
    pick,
    unit,
    url,
    weighted_refs,
)
from rawg_simulator.lake.spec import LakeSpec
from rawg_simulator.reference import (
    ADJECTIVES,
    ESRB_RATINGS,
    GENRES,
    NOUNS,
    PARENT_OF,
    PARENT_PLATFORMS,
    PLACES,
    PLATFORMS,
    SEQUELS,
    STORES,
    STORES_BY_PLATFORM,
    UNICODE_WORDS,
)
from rawg_simulator.render import Renderer

GENRE_REFS = pl.DataFrame(
    [(i, gid, name, slug) for i, (gid, name, slug, _) in enumerate(GENRES)],
    schema=["ref", "id", "name", "slug"],
    orient="row",
)
PLATFORM_REFS = pl.DataFrame(
    [(i, pid, name, slug) for i, (pid, name, slug, *_) in enumerate(PLATFORMS)],
    schema=["ref", "id", "name", "slug"],
    orient="row",
)
PARENT_REFS = pl.DataFrame(
    [(pid, name, slug) for pid, name, slug, _ in PARENT_PLATFORMS],
    schema=["parent_id", "parent_name", "parent_slug"],
    orient="row",
)
STORE_LINKS = pl.DataFrame(
    [
        (pid, sid, name, slug)
        for pid, stores in STORES_BY_PLATFORM.items()
        for sid, name, slug, _, _ in STORES
        if sid in stores
    ],
    schema=["platform_id", "store_id", "store_name", "store_slug"],
    orient="row",
)
ESRB_REFS = pl.DataFrame(
    [(i, eid, name, slug, ru) for i, (eid, name, slug, ru) in enumerate(ESRB_RATINGS)],
    schema=["esrb", "esrb_id", "esrb_name", "esrb_slug", "esrb_name_ru"],
    orient="row",
)
GENRE_CUM = cumulative(GENRE_WEIGHTS)
PLATFORM_CUM = cumulative(PLATFORM_WEIGHTS)


def reference_renderer(seed: int) -> Renderer:
    """The sandbox's reference dicts for ``seed``, counting games as RAWG does."""
    return Renderer(seed, [g[3] for g in GENRES], [p[3] for p in PLATFORMS])


def game_universe(spec: LakeSpec, count: int) -> pl.DataFrame:
    """Per game (``g`` = 0..count-1): what does not change between its appearances."""
    games = (
        pl.select(pl.int_range(0, count, dtype=pl.Int64).alias("g"))
        .with_columns(**_fixed_columns(spec))
        .with_columns(
            # RAWG slugs are unique; the id suffix stands in for its de-duplication.
            slug=pl.format("{}-{}", pl.col("base_slug"), pl.col("id")),
        )
    )
    games = games.join(ESRB_REFS, on="esrb", how="left")
    for lists in _nested_lists(games, spec):
        games = games.join(lists, on="g", how="left", maintain_order="left")
    return _empty_lists_for_nulls(games)


def _fixed_columns(spec: LakeSpec) -> dict[str, pl.Expr]:
    """A game's scalar facts, drawn from its ``g``: id, name, release, popularity, rating."""
    s = spec.seed
    g = pl.col("g")
    name, slug = _names(g, s)
    release_span = (spec.next_day + timedelta(days=365) - FIRST_RELEASE).days
    added0 = (pl.lit(10.0).pow(unit(g, 11, s) * ADDED_DECADES)).floor().cast(pl.Int64) - 1
    rated = (added0 > RATED_MIN_ADDED) & (unit(g, 12, s) < RATED_SHARE)
    no_release = unit(g, 9, s) < UNRELEASED_SHARE
    low_share, high_share = RATINGS_SHARE
    low_growth, high_growth = GROWTH_PER_DAY
    low_meta, high_meta = METACRITIC_RANGE
    return {
        # Increasing ids with gaps, like a catalog where some rows were deleted.
        "id": (1 + below(g, 0, s, 8)).cum_sum() + 10,
        "name": name,
        "base_slug": slug,
        "released": pl.when(no_release)
        .then(None)
        .otherwise(
            pl.lit(FIRST_RELEASE)
            + pl.duration(days=(unit(g, 10, s).pow(RELEASE_SKEW) * release_span).floor())
        ),
        "tba": no_release & (unit(g, 13, s) < TBA_SHARE),
        "second_of_day": below(g, 14, s, 86_400),
        "added0": added0,
        "growth": low_growth + unit(g, 15, s) * (high_growth - low_growth),
        "rating0": pl.when(rated)
        .then((100 + (unit(g, 16, s).pow(RATING_SKEW) * 401).floor()) / 100)
        .otherwise(0.0),
        "ratings_count0": pl.when(rated)
        .then(
            (added0 * (low_share + (high_share - low_share) * unit(g, 17, s)))
            .floor()
            .cast(pl.Int64)
        )
        .otherwise(0),
        "metacritic": pl.when(unit(g, 18, s) < METACRITIC_SHARE)
        .then(low_meta + below(g, 19, s, high_meta - low_meta))
        .otherwise(None),
        "playtime": (unit(g, 20, s).pow(3) * MAX_PLAYTIME).floor().cast(pl.Int64),
        "suggestions_count": below(g, 21, s, MAX_SUGGESTIONS),
        "background_image": url(g, 22, s, "games"),
        "esrb": pl.when(unit(g, 23, s) < ESRB_SHARE).then(below(g, 24, s, len(ESRB_RATINGS))),
    }


def _empty_lists_for_nulls(games: pl.DataFrame) -> pl.DataFrame:
    """A game without genres (platforms, stores, ...) lists none, as RAWG sends `[]`."""
    list_columns = [
        c
        for c in games.columns
        if c.startswith(("genres", "platforms", "parent_", "stores", "tags", "raw_"))
    ]
    return games.with_columns(
        pl.when(pl.col(c).is_null()).then(pl.lit([], games.schema[c])).otherwise(pl.col(c)).alias(c)
        for c in list_columns
    )


def _names(g: pl.Expr, s: int) -> tuple[pl.Expr, pl.Expr]:
    """Names and base slugs in the forms of ``NAME_FORM_CUTS``, some with a non-ASCII word."""
    adj, adj_slug = pick(g, 1, s, ADJECTIVES)
    noun, noun_slug = pick(g, 2, s, NOUNS)
    second, second_slug = pick(g, 3, s, NOUNS)
    third, third_slug = pick(g, 25, s, NOUNS)
    place, place_slug = pick(g, 4, s, PLACES)
    sequel, sequel_slug = pick(g, 5, s, SEQUELS)
    word, word_slug = pick(g, 6, s, UNICODE_WORDS)
    form = unit(g, 7, s)
    plain, of_place, with_the, numbered = NAME_FORM_CUTS
    name = (
        pl.when(form < plain)
        .then(pl.format("{} {}", adj, noun))
        .when(form < of_place)
        .then(pl.format("{} of {}", noun, place))
        .when(form < with_the)
        .then(pl.format("The {} {}", adj, noun))
        .when(form < numbered)
        .then(pl.format("{} {} {}", adj, noun, sequel))
        .otherwise(pl.format("{} {}: {} {}", noun, second, adj, third))
    )
    slug = (
        pl.when(form < plain)
        .then(pl.format("{}-{}", adj_slug, noun_slug))
        .when(form < of_place)
        .then(pl.format("{}-of-{}", noun_slug, place_slug))
        .when(form < with_the)
        .then(pl.format("the-{}-{}", adj_slug, noun_slug))
        .when(form < numbered)
        .then(pl.format("{}-{}-{}", adj_slug, noun_slug, sequel_slug))
        .otherwise(pl.format("{}-{}-{}-{}", noun_slug, second_slug, adj_slug, third_slug))
    )
    unicode_name = unit(g, 8, s) < UNICODE_NAME_SHARE
    return (
        pl.when(unicode_name).then(pl.format("{} {}", word, name)).otherwise(name),
        pl.when(unicode_name).then(pl.format("{}-{}", word_slug, slug)).otherwise(slug),
    )


def _nested_lists(games: pl.DataFrame, spec: LakeSpec) -> list[pl.DataFrame]:
    """Per game: genres, platforms, parent platforms, stores and tags, typed and raw.

    Built flat (one row per element) and grouped back per game.
    """
    s = spec.seed
    platforms = _platforms(games, s)
    return [
        _genre_lists(games, s),
        _platform_lists(platforms),
        _parent_lists(platforms),
        _store_lists(platforms, s),
        _tag_lists(games, s),
    ]


_REF = pl.struct("id", "name", "slug")


def _genre_lists(games: pl.DataFrame, s: int) -> pl.DataFrame:
    genre_count = choose(below(pl.col("g"), 30, s, len(GENRES_PER_GAME)), GENRES_PER_GAME)
    genres = weighted_refs(games, genre_count, GENRE_CUM, 31, s).join(GENRE_REFS, on="ref")
    return listed(genres, genres=_REF, raw_genres=_REF)


def _platforms(games: pl.DataFrame, s: int) -> pl.DataFrame:
    """(g, platform): each game's platforms, flat; its parents and stores follow from them."""
    platform_count = choose(
        below(pl.col("g"), 32, s, len(LAKE_PLATFORMS_PER_GAME)), LAKE_PLATFORMS_PER_GAME
    )
    return weighted_refs(games, platform_count, PLATFORM_CUM, 33, s).join(PLATFORM_REFS, on="ref")


def _platform_lists(platforms: pl.DataFrame) -> pl.DataFrame:
    # List items of a filtered query (`updated=`) carry slim platforms, no `released_at`.
    return listed(
        platforms,
        platforms=pl.struct(
            pl.col("id").alias("platform_id"),
            pl.col("name").alias("platform_name"),
            pl.col("slug").alias("platform_slug"),
            pl.lit(None, pl.Date).alias("released_at"),
        ),
        raw_platforms=pl.struct(platform=_REF),
    )


def _parent_lists(platforms: pl.DataFrame) -> pl.DataFrame:
    parents = (
        platforms.select("g", pl.col("id").replace_strict(PARENT_OF).alias("parent_id"))
        .unique(["g", "parent_id"])
        .sort("g", "parent_id")
        .join(PARENT_REFS, on="parent_id")
    )
    parent = pl.struct(
        pl.col("parent_id").alias("id"),
        pl.col("parent_name").alias("name"),
        pl.col("parent_slug").alias("slug"),
    )
    return listed(parents, parent_platforms=parent, raw_parent_platforms=pl.struct(platform=parent))


def _store_lists(platforms: pl.DataFrame, s: int) -> pl.DataFrame:
    """A share of the stores that sell each of a game's platforms, each store once."""
    stores = (
        platforms.select("g", pl.col("id").alias("platform_id"))
        .join(STORE_LINKS, on="platform_id")
        .filter(unit(pl.col("g") * 16 + pl.col("store_id"), 34, s) < STORE_OFFER_SHARE)
        .unique(["g", "store_id"], maintain_order=True)
    )
    return listed(
        stores,
        stores=pl.struct("store_id", "store_name", "store_slug"),
        raw_stores=pl.struct(
            store=pl.struct(
                pl.col("store_id").alias("id"),
                pl.col("store_name").alias("name"),
                pl.col("store_slug").alias("slug"),
            )
        ),
    )


def _tag_lists(games: pl.DataFrame, s: int) -> pl.DataFrame:
    """Tags drawn evenly from the sandbox's, with the counts it shows for them."""
    tag_refs = pl.DataFrame(reference_renderer(s).tags).with_row_index("ref")
    tag_count = choose(below(pl.col("g"), 35, s, len(LAKE_TAGS_PER_GAME)), LAKE_TAGS_PER_GAME)
    tags = weighted_refs(games, tag_count, cumulative([1.0] * tag_refs.height), 36, s).join(
        tag_refs.with_columns(pl.col("ref").cast(pl.Int64)), on="ref"
    )
    return listed(
        tags,
        tags=pl.struct("id", "name", "slug", "language", "games_count"),
        raw_tags=pl.struct("id", "name", "slug", "language", "games_count", "image_background"),
    )
