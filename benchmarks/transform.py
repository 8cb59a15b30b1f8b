"""dbt build time and memory over a year of lake, and the Parquet lake's edge over JSON.

Generates a lake exactly as the ingest lays it out (``raw/{endpoint}/dt=YYYY-MM-DD/
data.parquet`` with each endpoint's lake schema, ``_raw`` included), without the API: by
default 1,000,000 ``games`` rows over 365 daily partitions (~700,000 distinct games, the
popular ones updated again every few days, so snapshots have deltas), 50 ``game_details`` a
day and the daily snapshots of every reference list. Then it measures, in one run:

- the full ``dbt build`` (every model and test, as ``make transform`` runs it): wall time and
  the peak RSS of the dbt process and its children;
- the incremental ``dbt build`` after one more day landed (~2,740 games, some seen before),
  checked against a full refresh of ``fct_game_daily_snapshots`` and of everything the
  report marts are built from (their rows must not differ either);
- staging over Parquet (the compiled ``stg_rawg__games``) against the same staging over the
  same items in a JSON lake, which keeps each API response as it came (one file per page of
  40, under dt=): median of 3 interleaved repeats, ratio = JSON / Parquet.

Targets on 2 cores: full build <= 120 s, incremental day <= 15 s, peak RSS <= 4 GB, Parquet
>= 3x faster than JSON. The lake is cached under ./data/bench (``--regenerate`` rebuilds it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from game_market.endpoints import SCHEMAS
from game_market.lake import DATA_FILE, MANIFEST_FILE, MANIFEST_METADATA_KEY, new_manifest
from game_market.sandbox.catalog import (
    _ADJECTIVES,
    _NOUNS,
    _PLACES,
    _SEQUELS,
    _STORES_BY_PLATFORM,
    _STUDIO_SUFFIXES,
    _UNICODE_WORDS,
    ESRB_RATINGS,
    GENRES,
    PARENT_PLATFORMS,
    PLATFORMS,
    STORES,
    TAGS,
    slugify,
)

ROOT = Path(__file__).resolve().parents[1]
TRANSFORMS = ROOT / "transforms"
DBT = Path(sys.executable).parent / "dbt"
CACHE = ROOT / "data" / "bench"
# Bump when the generated data changes, so cached lakes of the old shape are not reused.
GENERATOR_VERSION = 2
PAGE_SIZE = 40  # RAWG's page size: what _page and _pos count in
STUDIO_POOL = 10  # games name 10x more studios than the first pages of /developers list

TARGET_FULL_S = 120.0
TARGET_INCREMENTAL_S = 15.0
TARGET_RSS_MB = 4096.0
TARGET_JSON_RATIO = 3.0
# Compared row for row between the incremental build and a full refresh of what they read.
COMPARED = (
    "fct_game_daily_snapshots",
    "mart_report_periods",
    "mart_report_genres",
    "mart_report_platforms",
    "mart_report_releases",
)

MEDIA = "https://media.rawg.io/media"
RAWG_TIME = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class LakeSpec:
    games: int = 1_000_000  # rows of `games` over `days` partitions
    days: int = 365
    distinct_share: float = 0.7  # distinct games / rows
    details_per_day: int = 50  # the ingest's default detail_budget
    studios_per_day: int = 200  # 5 pages of 40, the ingest's default max_pages
    first_day: date = date(2025, 1, 1)
    seed: int = 7

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def next_day(self) -> date:
        """The day the incremental build lands."""
        return self.first_day + timedelta(days=self.days)

    @property
    def rows_per_day(self) -> int:
        return round(self.games / self.days)

    @property
    def distinct_games(self) -> int:
        return max(1, round(self.games * self.distinct_share))

    @property
    def key(self) -> str:
        fields = {**asdict(self), "first_day": self.first_day.isoformat()}
        text = json.dumps([fields, GENERATOR_VERSION, pl.__version__], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


# --- deterministic randomness ------------------------------------------------------------------
# No numpy here: every draw is a hash of (key, stream), so the same spec yields the same bytes.


def _unit(key: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """Uniform in [0, 1), a pure function of (key, stream, seed)."""
    return (key.hash(seed=seed * 1_000 + stream) // 2048).cast(pl.Float64) / float(1 << 53)


def _below(key: pl.Expr, stream: int, seed: int, n: int) -> pl.Expr:
    """Uniform integer in [0, n)."""
    return (_unit(key, stream, seed) * n).floor().cast(pl.Int64)


def _url(key: pl.Expr, stream: int, seed: int, folder: str) -> pl.Expr:
    """A media URL shaped like RAWG's (32-character digest), unique per key."""
    digest = pl.concat_str(
        key.hash(seed=seed * 1_000 + stream).cast(pl.String).str.zfill(20),
        key.hash(seed=seed * 1_000 + stream + 1).cast(pl.String).str.slice(0, 12).str.zfill(12),
    )
    return pl.format(f"{MEDIA}/{folder}/{{}}/{{}}.jpg", digest.str.slice(0, 3), digest)


def _static_url(key: str) -> str:
    digest = hashlib.md5(key.encode()).hexdigest()
    return f"{MEDIA}/games/{digest[:3]}/{digest}.jpg"


def _lookup(index: pl.Expr, values: list[object], dtype: pl.DataType) -> pl.Expr:
    return index.replace_strict(dict(enumerate(values)), return_dtype=dtype, default=None)


def _pick(index: pl.Expr, words: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr]:
    """A word and its slug."""
    return (
        _lookup(index, list(words), pl.String()),
        _lookup(index, [slugify(w) for w in words], pl.String()),
    )


# --- reference data (the sandbox's, itself RAWG's) ----------------------------------------------

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
PARENT_OF = {child: parent[0] for parent in PARENT_PLATFORMS for child in parent[3]}
PARENT_REFS = pl.DataFrame(
    [(pid, name, slug) for pid, name, slug, _ in PARENT_PLATFORMS],
    schema=["parent_id", "parent_name", "parent_slug"],
    orient="row",
)
STORE_LINKS = pl.DataFrame(
    [
        (pid, sid, name, slug)
        for pid, stores in _STORES_BY_PLATFORM.items()
        for sid, name, slug, _, _ in STORES
        if sid in stores
    ],
    schema=["platform_id", "store_id", "store_name", "store_slug"],
    orient="row",
)
TAG_REFS = pl.DataFrame(
    [
        (i, tid, name, slug, language, count, _static_url(f"tag:{tid}"))
        for i, (tid, name, slug, language, count) in enumerate(TAGS)
    ],
    schema=["ref", "id", "name", "slug", "language", "games_count", "image_background"],
    orient="row",
)
ESRB_REFS = pl.DataFrame(
    [(i, eid, name, slug, ru) for i, (eid, name, slug, ru) in enumerate(ESRB_RATINGS)],
    schema=["esrb", "esrb_id", "esrb_name", "esrb_slug", "esrb_name_ru"],
    orient="row",
)
RATING_TITLES = ((5, "exceptional"), (4, "recommended"), (3, "meh"), (1, "skip"))
STATUSES = (("yet", 0.06), ("owned", 0.6), ("beaten", 0.12), ("toplay", 0.1))
STATUSES += (("dropped", 0.08), ("playing", 0.04))


def _cumulative(weights: list[float]) -> pl.Series:
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total / sum(weights))
    return pl.Series(cum)


GENRE_CUM = _cumulative([g[3] for g in GENRES])
PLATFORM_CUM = _cumulative([p[3] ** 0.5 for p in PLATFORMS])


# --- the games: one static row per game, one row per (game, day) it was updated ---------------


def _weighted_refs(
    games: pl.DataFrame, count: pl.Expr, cum: pl.Series, stream: int, seed: int
) -> pl.DataFrame:
    """(g, ref) pairs: `count` weighted draws per game, repeats dropped, in draw order."""
    flat = (
        games.select("g", count.alias("n"))
        .filter(pl.col("n") > 0)
        .with_columns(pl.int_ranges(0, pl.col("n")).alias("slot"))
        .explode("slot")
        .with_columns(_unit(pl.col("g") * 16 + pl.col("slot"), stream, seed).alias("u"))
    )
    refs = cum.search_sorted(flat["u"], side="right").clip(0, len(cum) - 1)
    return flat.with_columns(ref=refs.cast(pl.Int64)).unique(["g", "ref"], maintain_order=True)


def _listed(pairs: pl.DataFrame, **structs: pl.Expr) -> pl.DataFrame:
    return pairs.group_by("g", maintain_order=True).agg(
        **{name: expr for name, expr in structs.items()}
    )


def _game_universe(spec: LakeSpec, count: int) -> pl.DataFrame:
    """Per game: what does not change between its appearances, typed and in RAWG's shape."""
    s = spec.seed
    g = pl.col("g")
    games = pl.select(pl.int_range(0, count, dtype=pl.Int64).alias("g"))
    adj, adj_slug = _pick(_below(g, 1, s, len(_ADJECTIVES)), _ADJECTIVES)
    noun, noun_slug = _pick(_below(g, 2, s, len(_NOUNS)), _NOUNS)
    noun2, noun2_slug = _pick(_below(g, 3, s, len(_NOUNS)), _NOUNS)
    place, place_slug = _pick(_below(g, 4, s, len(_PLACES)), _PLACES)
    sequel, sequel_slug = _pick(_below(g, 5, s, len(_SEQUELS)), _SEQUELS)
    word, word_slug = _pick(_below(g, 6, s, len(_UNICODE_WORDS)), _UNICODE_WORDS)
    form = _unit(g, 7, s)
    name = (
        pl.when(form < 0.4)
        .then(pl.format("{} {}", adj, noun))
        .when(form < 0.55)
        .then(pl.format("{} of {}", noun, place))
        .when(form < 0.7)
        .then(pl.format("The {} {}", adj, noun))
        .when(form < 0.85)
        .then(pl.format("{} {} {}", adj, noun, sequel))
        .otherwise(pl.format("{} {}: {} {}", noun, noun2, adj, noun))
    )
    slug = (
        pl.when(form < 0.4)
        .then(pl.format("{}-{}", adj_slug, noun_slug))
        .when(form < 0.55)
        .then(pl.format("{}-of-{}", noun_slug, place_slug))
        .when(form < 0.7)
        .then(pl.format("the-{}-{}", adj_slug, noun_slug))
        .when(form < 0.85)
        .then(pl.format("{}-{}-{}", adj_slug, noun_slug, sequel_slug))
        .otherwise(pl.format("{}-{}-{}-{}", noun_slug, noun2_slug, adj_slug, noun_slug))
    )
    unicode_name = _unit(g, 8, s) < 0.08
    release_span = (date(2026, 6, 30) - date(1980, 1, 1)).days
    no_release = _unit(g, 9, s) < 0.03
    added0 = (pl.lit(10.0).pow(_unit(g, 11, s) * 4.4)).floor().cast(pl.Int64) - 1
    rated = (added0 > 3) & (_unit(g, 12, s) < 0.8)
    games = games.with_columns(
        # Increasing ids with gaps, like a catalog where some rows were deleted.
        id=(1 + _below(g, 0, s, 8)).cum_sum() + 10,
        name=pl.when(unicode_name).then(pl.format("{} {}", word, name)).otherwise(name),
        base_slug=pl.when(unicode_name).then(pl.format("{}-{}", word_slug, slug)).otherwise(slug),
        released=pl.when(no_release)
        .then(None)
        .otherwise(
            pl.lit(date(1980, 1, 1))
            + pl.duration(days=(_unit(g, 10, s).pow(0.4) * release_span).floor())
        ),
        tba=no_release & (_unit(g, 13, s) < 0.5),
        second_of_day=_below(g, 14, s, 86_400),
        added0=added0,
        growth=0.002 + _unit(g, 15, s) * 0.018,
        rating0=pl.when(rated).then((1 + _unit(g, 16, s).sqrt() * 4).round(2)).otherwise(0.0),
        ratings_count0=pl.when(rated)
        .then((added0 * (0.1 + 0.3 * _unit(g, 17, s))).floor().cast(pl.Int64))
        .otherwise(0),
        metacritic=pl.when(_unit(g, 18, s) < 0.6).then(20 + _below(g, 19, s, 80)).otherwise(None),
        playtime=(_unit(g, 20, s).pow(3) * 60).floor().cast(pl.Int64),
        suggestions_count=_below(g, 21, s, 600),
        background_image=_url(g, 22, s, "games"),
        esrb=pl.when(_unit(g, 23, s) < 0.4).then(_below(g, 24, s, len(ESRB_RATINGS))),
    ).with_columns(
        # RAWG slugs are unique; the id suffix stands in for its de-duplication.
        slug=pl.format("{}-{}", pl.col("base_slug"), pl.col("id")),
    )
    games = games.join(ESRB_REFS, on="esrb", how="left")

    # Nested lists, built flat (one row per element) and grouped back per game.
    genre_count = _lookup(_below(g, 30, s, 20), [0] * 2 + [1] * 9 + [2] * 6 + [3] * 3, pl.Int64())
    genres = _weighted_refs(games, genre_count, GENRE_CUM, 31, s).join(GENRE_REFS, on="ref")
    element = pl.struct("id", "name", "slug")
    genre_lists = _listed(genres, genres=element, raw_genres=element)

    platform_count = _lookup(
        _below(g, 32, s, 20), [1] * 9 + [2] * 5 + [3] * 3 + [4] * 2 + [6], pl.Int64()
    )
    platforms = _weighted_refs(games, platform_count, PLATFORM_CUM, 33, s).join(
        PLATFORM_REFS, on="ref"
    )
    # List items of a filtered query (`updated=`) carry slim platforms, no `released_at`.
    platform_lists = _listed(
        platforms,
        platforms=pl.struct(
            pl.col("id").alias("platform_id"),
            pl.col("name").alias("platform_name"),
            pl.col("slug").alias("platform_slug"),
            pl.lit(None, pl.Date).alias("released_at"),
        ),
        raw_platforms=pl.struct(platform=element),
    )
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
    parent_lists = _listed(
        parents, parent_platforms=parent, raw_parent_platforms=pl.struct(platform=parent)
    )
    stores = (
        platforms.select("g", pl.col("id").alias("platform_id"))
        .join(STORE_LINKS, on="platform_id")
        .filter(_unit(pl.col("g") * 16 + pl.col("store_id"), 34, s) < 0.75)
        .unique(["g", "store_id"], maintain_order=True)
    )
    store_lists = _listed(
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
    tag_count = (_unit(g, 35, s).pow(0.7) * 12).floor().cast(pl.Int64)
    tags = _weighted_refs(games, tag_count, _cumulative([1.0] * len(TAGS)), 36, s).join(
        TAG_REFS, on="ref"
    )
    tag_lists = _listed(
        tags,
        tags=pl.struct("id", "name", "slug", "language", "games_count"),
        raw_tags=pl.struct("id", "name", "slug", "language", "games_count", "image_background"),
    )
    for lists in (genre_lists, platform_lists, parent_lists, store_lists, tag_lists):
        games = games.join(lists, on="g", how="left", maintain_order="left")
    list_columns = [
        c
        for c in games.columns
        if c.startswith(("genres", "platforms", "parent_", "stores", "tags", "raw_"))
    ]
    games = games.with_columns(
        pl.when(pl.col(c).is_null()).then(pl.lit([], games.schema[c])).otherwise(pl.col(c)).alias(c)
        for c in list_columns
    )
    return games


def _appearances(spec: LakeSpec) -> pl.DataFrame:
    """(g, day, first): which games were updated on which day (0-based), and when first.

    Every game appears once; the extra rows go to popular games (heavy-tailed), each
    re-appearing every 1-7 days, like the sandbox's re-updated games.
    """
    s = spec.seed
    g = pl.col("g")
    extra = spec.games - spec.distinct_games
    weights = pl.select(
        pl.int_range(0, spec.distinct_games, dtype=pl.Int64).alias("g")
    ).with_columns(w=1.0 / (1.001 - _unit(g, 40, s)))
    exact = pl.col("w") * extra / pl.col("w").sum()
    games = weights.with_columns(extras=(exact + _unit(g, 41, s)).floor().cast(pl.Int64))
    # A game appears at most once a day; stochastic rounding misses the total by a few hundred
    # rows: settle it exactly, one row at a time on games that still have room, randomly.
    cap = spec.days - 1
    games = games.with_columns(extras=pl.col("extras").clip(upper_bound=cap))
    for attempt in range(100):
        missing = extra - int(games["extras"].sum())
        if missing == 0:
            break
        room = (pl.col("extras") < cap) if missing > 0 else (pl.col("extras") > 0)
        order = pl.when(room).then(_unit(g, 42 + attempt, s)).rank("ordinal")
        step = (order <= abs(missing)).fill_null(False).cast(pl.Int64)
        games = games.with_columns(extras=pl.col("extras") + step * (1 if missing > 0 else -1))
    else:
        raise ValueError(f"{spec.games:,} rows cannot fit {spec.days} days: raise --days")
    games = games.with_columns(k=1 + pl.col("extras"))
    k = pl.col("k")
    max_gap = pl.when(k > 1).then(pl.min_horizontal(7, (spec.days - 1) // (k - 1))).otherwise(1)
    rows = (
        games.select("g", "k", max_gap.alias("max_gap"))
        .with_columns(pl.int_ranges(0, k).alias("j"))
        .explode("j")
        .with_columns(
            gap=pl.when(pl.col("j") == 0)
            .then(0)
            .otherwise(1 + (_unit(g * 4096 + pl.col("j"), 43, s) * pl.col("max_gap")).floor())
            .cast(pl.Int64)
        )
        .with_columns(offset=pl.col("gap").cum_sum().over("g"))
        .with_columns(span=pl.col("offset").max().over("g"))
        .with_columns(first=(_unit(g, 44, s) * (spec.days - pl.col("span"))).floor().cast(pl.Int64))
        .select("g", (pl.col("first") + pl.col("offset")).alias("day"), "first")
    )
    return rows


def _next_day_appearances(spec: LakeSpec, rows: pl.DataFrame) -> pl.DataFrame:
    """The day after the lake: ~45% games seen before (the most updated ones), the rest new."""
    s = spec.seed
    seen_count = round(0.45 * spec.rows_per_day)
    firsts = rows.group_by("g").agg(pl.col("first").first(), pl.len().alias("times"))
    seen = (
        firsts.with_columns(score=pl.col("times") * _unit(pl.col("g"), 45, s))
        .sort("score", descending=True)
        .head(seen_count)
        .select("g", pl.lit(spec.days, pl.Int64).alias("day"), "first")
    )
    new = pl.select(
        pl.int_range(
            spec.distinct_games,
            spec.distinct_games + spec.rows_per_day - seen_count,
            dtype=pl.Int64,
        ).alias("g")
    ).with_columns(day=pl.lit(spec.days, pl.Int64), first=pl.lit(spec.days, pl.Int64))
    return pl.concat([seen, new])


def _fixed_lists(frame: pl.DataFrame, width: int, element: pl.Expr) -> pl.Series:
    """`width` elements per row of `frame`, `element` computed with `slot` = 0..width-1.

    Built flat and reshaped: concat_list of struct expressions costs ~100x more.
    """
    if frame.height == 0:
        return pl.Series([], dtype=pl.List(frame.select(element.alias("e")).schema["e"]))
    flat = (
        frame.with_columns(pl.int_ranges(0, width).alias("slot"))
        .explode("slot")
        .select(element.alias("element"))
        .to_series()
    )
    return flat.reshape((frame.height, width)).arr.to_list()


def _game_rows(spec: LakeSpec, universe: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Lake rows of `games` for `rows` (g, day, first), meta and `_raw` included, by (day, id)."""
    s = spec.seed
    elapsed = (pl.col("day") - pl.col("first")).cast(pl.Float64)
    grown = 1 + pl.col("growth") * elapsed
    day_date = pl.lit(spec.first_day) + pl.duration(days=pl.col("day"))
    frame = (
        # The universe's row i is game i: a gather, cheaper than a join.
        pl.concat([rows, universe[rows["g"]].drop("g")], how="horizontal")
        .with_columns(
            added=(pl.col("added0") * grown).round().cast(pl.Int64),
            ratings_count=(pl.col("ratings_count0") * grown).round().cast(pl.Int64),
            rating=pl.when(pl.col("rating0") > 0)
            .then((pl.col("rating0") + 0.002 * elapsed).clip(upper_bound=5.0).round(2))
            .otherwise(0.0),
            updated=day_date.cast(pl.Datetime("us")) + pl.duration(seconds=pl.col("second_of_day")),
            dt=day_date,
        )
        .with_columns(
            reviews_text_count=(pl.col("ratings_count") // 50),
            reviews_count=pl.col("ratings_count") + pl.col("ratings_count") // 60,
            rating_top=pl.when(pl.col("rating") > 0)
            .then(pl.col("rating").round().clip(1, 5).cast(pl.Int64))
            .otherwise(0),
            added_by_status=pl.when(pl.col("added") > 0).then(
                pl.struct(
                    **{
                        status: (pl.col("added") * share).floor().cast(pl.Int64)
                        for status, share in STATUSES
                    }
                )
            ),
            esrb_rating=pl.when(pl.col("esrb_id").is_not_null()).then(
                pl.struct(
                    pl.col("esrb_id").alias("id"),
                    pl.col("esrb_name").alias("name"),
                    pl.col("esrb_slug").alias("slug"),
                )
            ),
            _ingested_at=(
                day_date.cast(pl.Datetime("us")) + pl.duration(days=1, hours=2)
            ).dt.replace_time_zone("UTC"),
            _run_id=pl.format("bench-{}", day_date),
        )
    )
    r = pl.col("rating")
    weights = {5: r.pow(3), 4: r.pow(2), 3: (5.5 - r).pow(2), 1: (5.5 - r).pow(3) / 4}
    total = sum(weights.values())
    position = pl.int_range(pl.len()).over("day")
    frame = frame.with_columns(
        **{f"share{rid}": weight / total for rid, weight in weights.items()},
        _page=(position // PAGE_SIZE + 1).cast(pl.Int32),
        _pos=(position % PAGE_SIZE).cast(pl.Int32),
        score=pl.lit(None, pl.Float64),
        dominant_color=pl.lit("0f0f0f"),
        saturated_color=pl.lit("0f0f0f"),
    )
    slot = pl.col("slot")
    share = pl.concat_list(pl.col(f"share{rid}") for rid, _ in RATING_TITLES).list.get(slot)
    ratings = _fixed_lists(
        frame.select("ratings_count", *(f"share{rid}" for rid, _ in RATING_TITLES)),
        len(RATING_TITLES),
        pl.struct(
            _lookup(slot, [rid for rid, _ in RATING_TITLES], pl.Int64()).alias("id"),
            _lookup(slot, [title for _, title in RATING_TITLES], pl.String()).alias("title"),
            (pl.col("ratings_count") * share).floor().cast(pl.Int64).alias("count"),
            (share * 100).round(2).alias("percent"),
        ),
    )
    shot = pl.col("id") * 10 + slot
    shots = _fixed_lists(
        frame.select("id"),
        6,
        pl.struct(shot.alias("id"), _url(shot, 50, s, "screenshots").alias("image")),
    )
    frame = frame.with_columns(ratings=ratings, short_screenshots=shots).with_columns(
        # Unrated games list no ratings.
        pl.col("ratings").list.head(
            pl.when(pl.col("rating") > 0).then(len(RATING_TITLES)).otherwise(0)
        )
    )
    null = pl.lit(None)
    raw = pl.struct(
        "slug",
        "name",
        "playtime",
        pl.col("raw_platforms").alias("platforms"),
        pl.col("raw_stores").alias("stores"),
        pl.col("released").dt.to_string("%Y-%m-%d").alias("released"),
        "tba",
        "background_image",
        "rating",
        "rating_top",
        "ratings",
        "ratings_count",
        "reviews_text_count",
        "added",
        "added_by_status",
        "metacritic",
        "suggestions_count",
        pl.col("updated").dt.to_string(RAWG_TIME).alias("updated"),
        "id",
        "score",
        null.alias("clip"),
        pl.col("raw_tags").alias("tags"),
        pl.when(pl.col("esrb_id").is_not_null())
        .then(
            pl.struct(
                pl.col("esrb_id").alias("id"),
                pl.col("esrb_name").alias("name"),
                pl.col("esrb_slug").alias("slug"),
                pl.col("esrb_name").alias("name_en"),
                pl.col("esrb_name_ru").alias("name_ru"),
            )
        )
        .alias("esrb_rating"),
        null.alias("user_game"),
        "reviews_count",
        "saturated_color",
        "dominant_color",
        "short_screenshots",
        pl.col("raw_parent_platforms").alias("parent_platforms"),
        pl.col("raw_genres").alias("genres"),
    )
    return frame.with_columns(_raw=raw.struct.json_encode())


def _lake_frame(frame: pl.DataFrame, endpoint: str) -> pl.DataFrame:
    schema = SCHEMAS[endpoint].polars_schema
    typed = frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    if typed.schema != schema:  # a cast that reshaped a nested column would land here
        raise AssertionError(f"{endpoint}: generated schema differs from the lake's")
    return typed


# --- game details and the reference lists ------------------------------------------------------


def _studios(spec: LakeSpec, kind: str, stream: int) -> pl.DataFrame:
    """A pool of studios; the first `studios_per_day` are what /developers' first pages list."""
    s = spec.seed
    i = pl.col("i")
    pool = pl.select(pl.int_range(0, spec.studios_per_day * STUDIO_POOL, dtype=pl.Int64).alias("i"))
    adj, _ = _pick(_below(i, stream, s, len(_ADJECTIVES)), _ADJECTIVES)
    noun, _ = _pick(_below(i, stream + 1, s, len(_NOUNS)), _NOUNS)
    suffix, _ = _pick(_below(i, stream + 2, s, len(_STUDIO_SUFFIXES)), _STUDIO_SUFFIXES)
    name = pl.format("{} {} {}", adj, noun, suffix)
    return pool.with_columns(
        id=(1 + _below(i, stream + 3, s, 8)).cum_sum() + 100,
        name=name,
        games_count=(1 + 2_000 / (1 + i)).floor().cast(pl.Int64),
        image_background=_url(i, stream + 4, s, "games"),
    ).with_columns(
        slug=pl.format("{}-{}", name.str.to_lowercase().str.replace_all(" ", "-"), pl.col("id"))
    )


def _company_lists(
    details: pl.DataFrame, studios: pl.DataFrame, column: str, most: int, stream: int, seed: int
) -> pl.DataFrame:
    """(row, list of companies): 1..`most` studios per game, the listed ones most often."""
    size = studios.height
    pairs = (
        details.select(
            "row",
            pl.col("id").alias("game"),
            (1 + _below(pl.col("id"), stream, seed, most)).alias("n"),
        )
        .with_columns(pl.int_ranges(0, pl.col("n")).alias("slot"))
        .explode("slot")
        .with_columns(
            i=(_unit(pl.col("game") * 8 + pl.col("slot"), stream + 1, seed).pow(2) * size)
            .floor()
            .cast(pl.Int64)
        )
        .unique(["row", "i"], maintain_order=True)
        .join(studios, on="i")
    )
    return pairs.group_by("row", maintain_order=True).agg(
        pl.struct("id", "name", "slug", "games_count").alias(column)
    )


def _game_details(
    spec: LakeSpec, games: pl.DataFrame, studios: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Each day's most-added games (the detail budget), as /games/{id} returns them."""
    s = spec.seed
    details = (
        games.filter(
            pl.col("added").rank("ordinal", descending=True).over("day") <= spec.details_per_day
        )
        .sort("day", "added", "id", descending=[False, True, False])
        .with_row_index("row")
    )
    developers = _company_lists(details, studios["developers"], "developers", 3, 60, s)
    publishers = _company_lists(details, studios["publishers"], "publishers", 2, 62, s)
    sentences = pl.concat_str(
        [
            pl.format(
                "{} is a game where every choice leaves a mark on the world around you. ",
                pl.col("name"),
            ),
            pl.lit(
                "Explore a hand-crafted land, meet its people, learn their stories and "
                "decide who to trust. Fight, trade or talk your way through dozens of "
                "quests, each with more than one ending. "
            ),
        ]
    )
    metascore = {
        "metascore": pl.col("metacritic"),
        "url": pl.format("https://www.metacritic.com/game/pc/{}", pl.col("slug")),
    }
    first = pl.col("platforms").list.first().struct
    first_platform = {
        name: first.field(name) for name in ("platform_id", "platform_name", "platform_slug")
    }
    details = (
        details.join(developers, on="row", how="left")
        .join(publishers, on="row", how="left")
        .with_columns(
            name_original=pl.col("name"),
            description_raw=pl.concat_str([sentences] * 4),
            website=pl.format("https://www.{}.com", pl.col("base_slug")),
            metacritic_url=pl.when(pl.col("metacritic").is_not_null()).then(
                pl.format("https://www.metacritic.com/game/{}", pl.col("slug"))
            ),
            reddit_url=pl.format("https://www.reddit.com/r/{}/", pl.col("base_slug")),
            alternative_names=pl.when(_unit(pl.col("id"), 64, s) < 0.3)
            .then(pl.concat_list(pl.format("{} (Remaster)", pl.col("name"))))
            .otherwise(pl.lit([], pl.List(pl.String))),
            metacritic_platforms=pl.when(pl.col("metacritic").is_not_null())
            .then(pl.concat_list(pl.struct(**metascore, **first_platform)))
            .otherwise(pl.lit([], SCHEMAS["game_details"].columns["metacritic_platforms"])),
            # RAWG nests the platform there, with its id under the key "platform".
            raw_metacritic_platforms=pl.when(pl.col("metacritic").is_not_null()).then(
                pl.concat_list(
                    pl.struct(
                        **metascore,
                        platform=pl.struct(
                            platform=first_platform["platform_id"],
                            name=first_platform["platform_name"],
                            slug=first_platform["platform_slug"],
                        ),
                    )
                )
            ),
            _page=(pl.int_range(pl.len()).over("day") + 1).cast(pl.Int32),
            _pos=pl.lit(0, pl.Int32),
            **{
                column: _below(pl.col("id"), 65 + n, s, 400)
                for n, column in enumerate(
                    (
                        "screenshots_count",
                        "movies_count",
                        "creators_count",
                        "achievements_count",
                        "parent_achievements_count",
                        "additions_count",
                        "game_series_count",
                        "parents_count",
                        "reddit_count",
                        "twitch_count",
                        "youtube_count",
                    )
                )
            },
        )
        .with_columns(
            pl.col("developers", "publishers").fill_null(
                pl.lit([], SCHEMAS["game_details"].columns["developers"])
            )
        )
    )
    # As /games/{id} sends it: RAWG's nested shapes, dates as text, and the HTML description.
    in_rawg_shape = {
        "platforms": pl.col("raw_platforms"),
        "stores": pl.col("raw_stores"),
        "tags": pl.col("raw_tags"),
        "genres": pl.col("raw_genres"),
        "parent_platforms": pl.col("raw_parent_platforms"),
        "metacritic_platforms": pl.col("raw_metacritic_platforms").fill_null([]),
        "released": pl.col("released").dt.to_string("%Y-%m-%d"),
        "updated": pl.col("updated").dt.to_string(RAWG_TIME),
    }
    raw = pl.struct(
        *(in_rawg_shape.get(c, pl.col(c)).alias(c) for c in SCHEMAS["game_details"].columns),
        pl.format("<p>{}</p>", pl.col("description_raw")).alias("description"),
    )
    return details.with_columns(_raw=raw.struct.json_encode())


def _catalog_frames(spec: LakeSpec, universe: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """One day's snapshot of each reference list (the same every day, but for its meta)."""
    s = spec.seed
    top = universe.sort("added0", descending=True).head(max(1, min(5_000, universe.height)))

    def with_games(frame: pl.DataFrame, stream: int) -> pl.DataFrame:
        stubs = (
            frame.select(pl.col("id").alias("owner"))
            .with_columns(pl.int_ranges(0, 6).alias("slot"))
            .explode("slot")
            .with_columns(at=_below(pl.col("owner") * 8 + pl.col("slot"), stream, s, top.height))
            .join(top.with_row_index("at").with_columns(pl.col("at").cast(pl.Int64)), on="at")
            .group_by("owner", maintain_order=True)
            .agg(games=pl.struct("id", "slug", "name", pl.col("added0").alias("added")))
        )
        return frame.join(stubs, left_on="id", right_on="owner", how="left")

    genres = with_games(
        pl.DataFrame(
            [
                (gid, name, slug, count, _static_url(f"genre:{gid}"))
                for gid, name, slug, count in GENRES
            ],
            schema=["id", "name", "slug", "games_count", "image_background"],
            orient="row",
        ),
        70,
    )
    platforms = with_games(
        pl.DataFrame(
            [
                (pid, name, slug, count, _static_url(f"platform:{pid}"), None, start, end)
                for pid, name, slug, count, start, end in PLATFORMS
            ],
            schema={
                "id": pl.Int64,
                "name": pl.String,
                "slug": pl.String,
                "games_count": pl.Int64,
                "image_background": pl.String,
                "image": pl.String,
                "year_start": pl.Int64,
                "year_end": pl.Int64,
            },
            orient="row",
        ),
        71,
    )
    names = {pid: (name, slug) for pid, name, slug, *_ in PLATFORMS}
    parents = pl.DataFrame(
        {
            "id": [p[0] for p in PARENT_PLATFORMS],
            "name": [p[1] for p in PARENT_PLATFORMS],
            "slug": [p[2] for p in PARENT_PLATFORMS],
            "platforms": [
                [{"id": c, "name": names[c][0], "slug": names[c][1]} for c in p[3]]
                for p in PARENT_PLATFORMS
            ],
        }
    )
    frames = {"genres": genres, "platforms": platforms, "parent_platforms": parents}
    for kind, stream in (("developers", 72), ("publishers", 73)):
        listed = _studios(spec, kind, 80 + stream).head(spec.studios_per_day).drop("i")
        frames[kind] = with_games(listed, stream)
    for endpoint, frame in frames.items():
        position = pl.int_range(pl.len())
        frames[endpoint] = frame.with_columns(
            _raw=pl.struct(pl.all()).struct.json_encode(),
            _page=(position // PAGE_SIZE + 1).cast(pl.Int32),
            _pos=(position % PAGE_SIZE).cast(pl.Int32),
            _run_id=pl.lit("bench"),
            _ingested_at=pl.lit(None, pl.Datetime("us", "UTC")),
        )
    return frames


# --- writing the lake --------------------------------------------------------------------------


def _write_partition(root: Path, endpoint: str, dt: date, frame: pl.DataFrame) -> int:
    """One partition as the ingest publishes it: zstd Parquet, its manifest inside and beside."""
    directory = root / "raw" / endpoint / f"dt={dt.isoformat()}"
    directory.mkdir(parents=True, exist_ok=True)
    manifest = new_manifest(endpoint, dt, f"bench-{dt}")
    manifest.rows = frame.height
    manifest.pages = int(frame["_page"].max() or 0) if frame.height else 0
    manifest.requests = manifest.pages
    typed = _lake_frame(frame, endpoint)
    metadata = {MANIFEST_METADATA_KEY: manifest.to_json().decode()}
    typed.write_parquet(directory / DATA_FILE, compression="zstd", metadata=metadata)
    manifest.bytes = (directory / DATA_FILE).stat().st_size
    (directory / MANIFEST_FILE).write_bytes(manifest.to_json())
    return manifest.bytes


def _write_json(root: Path, dt: date, raws: pl.Series) -> int:
    """The JSON lake: each API response kept as it came, one file per page of 40 items."""
    directory = root / "games" / f"dt={dt.isoformat()}"
    directory.mkdir(parents=True, exist_ok=True)
    pages = (
        raws.to_frame("item")
        .with_row_index("position")
        .group_by((pl.col("position") // PAGE_SIZE).alias("page"), maintain_order=True)
        .agg(pl.col("item").str.join(","))
    )
    size = 0
    for page, items in pages.iter_rows():
        body = (
            f'{{"count":{raws.len()},"next":null,"previous":null,"results":[{items}]}}'
        ).encode()
        (directory / f"page-{page + 1:05d}.json").write_bytes(body)
        size += len(body)
    return size


def _write_days(
    spec: LakeSpec,
    lake: Path,
    json_lake: Path | None,
    universe: pl.DataFrame,
    rows: pl.DataFrame,
    catalogs: dict[str, pl.DataFrame],
    studios: dict[str, pl.DataFrame],
    days_per_chunk: int = 16,
) -> dict[str, int]:
    """Every endpoint's partitions for the days in `rows`, written chunk by chunk."""
    sizes = {"parquet": 0, "json": 0, "rows": 0}
    rows = rows.sort("day", "g")  # ids grow with g: each day's rows in id order, like pages
    days = sorted(rows["day"].unique().to_list())
    for start in range(0, len(days), days_per_chunk):
        chunk_days = days[start : start + days_per_chunk]
        games = _game_rows(spec, universe, rows.filter(pl.col("day").is_in(chunk_days)))
        details = _game_details(spec, games, studios)
        sizes["rows"] += games.height
        details_by_day = details.partition_by("day", as_dict=True, maintain_order=True)
        offsets = games.group_by("day", maintain_order=True).len()
        starts = dict(zip(offsets["day"], offsets["len"].cum_sum() - offsets["len"], strict=True))
        lengths = dict(zip(offsets["day"], offsets["len"], strict=True))
        for day in chunk_days:
            dt = spec.first_day + timedelta(days=day)
            landed = datetime.combine(dt + timedelta(days=1), datetime.min.time(), UTC)
            part = games.slice(starts[day], lengths[day])  # zero-copy: rows are sorted by day
            sizes["parquet"] += _write_partition(lake, "games", dt, part)
            if json_lake is not None:
                sizes["json"] += _write_json(json_lake, dt, part["_raw"])
            detail_part = details_by_day.get((day,))
            if detail_part is not None:
                sizes["parquet"] += _write_partition(lake, "game_details", dt, detail_part)
            for minute, (endpoint, frame) in enumerate(catalogs.items(), start=1):
                stamped = frame.with_columns(
                    _ingested_at=pl.lit(landed + timedelta(hours=2, minutes=minute)),
                    _run_id=pl.lit(f"bench-{dt}"),
                )
                sizes["parquet"] += _write_partition(lake, endpoint, dt, stamped)
    return sizes


@dataclass
class GeneratedLake:
    root: Path  # holds lake/, json/ and next_day/
    spec: LakeSpec
    seconds: float
    rows: int
    distinct_games: int
    parquet_bytes: int
    json_bytes: int
    next_day_rows: int

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def json_lake(self) -> Path:
        return self.root / "json"

    @property
    def next_day(self) -> Path:
        return self.root / "next_day"


def generate(spec: LakeSpec, root: Path, *, with_json: bool = True) -> GeneratedLake:
    """Writes the lake, its JSON twin and the next day's partitions under `root`."""
    started = time.perf_counter()
    rows = _appearances(spec)
    next_rows = _next_day_appearances(spec, rows)
    universe = _game_universe(spec, spec.distinct_games + spec.rows_per_day)
    studios = {
        kind: _studios(spec, kind, 80 + stream)
        for kind, stream in (("developers", 72), ("publishers", 73))
    }
    catalogs = _catalog_frames(spec, universe)
    sizes = _write_days(
        spec, root / "lake", root / "json" if with_json else None, universe, rows, catalogs, studios
    )
    next_sizes = _write_days(spec, root / "next_day", None, universe, next_rows, catalogs, studios)
    generated = GeneratedLake(
        root=root,
        spec=spec,
        seconds=time.perf_counter() - started,
        rows=sizes["rows"],
        distinct_games=int(rows["g"].n_unique()),
        parquet_bytes=sizes["parquet"],
        json_bytes=sizes["json"],
        next_day_rows=next_sizes["rows"],
    )
    record = {k: v for k, v in asdict(generated).items() if k not in {"root", "spec"}}
    (root / "generated.json").write_text(json.dumps(record, indent=2))
    return generated


def cached_lake(spec: LakeSpec, cache: Path, *, regenerate: bool) -> tuple[GeneratedLake, bool]:
    """The generated lake for `spec`, from the cache unless missing or `regenerate`."""
    root = cache / f"transform-{spec.key}"
    record = root / "generated.json"
    if record.exists() and not regenerate:
        saved = json.loads(record.read_text())
        return GeneratedLake(root=root, spec=spec, **saved), True
    partial = root.with_name(root.name + ".partial")
    for stale in (partial, root):
        shutil.rmtree(stale, ignore_errors=True)
    partial.mkdir(parents=True)
    generated = generate(spec, partial)
    partial.rename(root)
    generated.root = root
    return generated, False


# --- dbt, timed and measured -------------------------------------------------------------------


@dataclass
class DbtRun:
    seconds: float
    peak_mb: float
    summary: str
    slowest: list[tuple[float, str]]  # (seconds, node) from run_results.json, slowest first

    def top(self, n: int = 5) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for seconds, name in self.slowest[:n])


def _measure_child(log: str, command: list[str]) -> int:
    """Runs in a fresh process, so its children's peak RSS is dbt's alone."""
    with open(log, "w") as out:
        started = time.perf_counter()
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_kb / 1024}))
    return 0


def _node_name(unique_id: str) -> str:
    """`model.game_market.dim_games` -> `dim_games`; a unit test keeps its model's name too."""
    kind, _, *rest = unique_id.split(".")
    if kind == "test":
        rest = rest[:1]  # drop the hash
    return ".".join(rest)


def run_dbt(work: Path, lake: Path, warehouse: Path, *args: str) -> DbtRun:
    """`dbt <args>` on DuckDB over `lake`, as `make transform` runs it, timed and measured."""
    log = work / f"dbt-{time.monotonic_ns()}.log"
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(TRANSFORMS),
        "--profiles-dir",
        str(TRANSFORMS),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    env = {
        **os.environ,
        "LAKE_URL": str(lake),
        "DUCKDB_PATH": str(warehouse),
        "DBT_TARGET": "duckdb",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--measure-child", str(log), "--", *command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    text = log.read_text()
    if result["code"] != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{text[-4000:]}")
    done = [line for line in text.splitlines() if "Done. PASS=" in line]
    summary = done[-1].split("Done. ", 1)[1].strip() if done else ""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    slowest = sorted(
        ((r["execution_time"], _node_name(r["unique_id"])) for r in results), reverse=True
    )
    return DbtRun(result["seconds"], result["peak_mb"], summary, slowest)


def _place_next_day(generated: GeneratedLake) -> list[Path]:
    placed = []
    for source in sorted(generated.next_day.glob("raw/*/dt=*")):
        target = generated.lake / source.relative_to(generated.next_day)
        shutil.copytree(source, target)
        placed.append(target)
    return placed


def _remove_next_day(generated: GeneratedLake) -> None:
    for stale in generated.lake.glob(f"raw/*/dt={generated.spec.next_day.isoformat()}"):
        shutil.rmtree(stale)


def compare_tables(incremental: Path, full: Path, table: str) -> tuple[int, int, int]:
    """Rows of `table` in each warehouse, and rows in one but not the other."""
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_refresh (read_only)")
    a, b = f"incremental.main.{table}", f"full_refresh.main.{table}"
    row = con.execute(
        f"""
        select
            (select count(*) from {a}),
            (select count(*) from {b}),
            (select count(*) from (select * from {a} except all select * from {b}))
            + (select count(*) from (select * from {b} except all select * from {a}))
        """
    ).fetchone()
    con.close()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


# --- staging over Parquet vs JSON --------------------------------------------------------------


def json_staging_sql(json_lake: Path) -> str:
    """stg_rawg__games over the JSON lake: the same columns, read from the raw responses."""
    return f"""
with

pages as (

    select results, dt from read_json_auto(
        '{json_lake}/games/dt=*/*.json', hive_partitioning = true, format = 'unstructured'
    )

),

source as (

    select item.*, dt from (select unnest(results) as item, dt from pages)

),

renamed as (

    select
        id as game_id,
        slug as game_slug,
        name as game_name,
        try_cast(released as date) as released_on,
        tba as is_tba,
        try_cast(updated as timestamp) as updated_at,
        try_cast(rating as double) as rating,
        rating_top,
        ratings_count,
        reviews_text_count,
        reviews_count,
        added as added_count,
        metacritic as metacritic_score,
        playtime as playtime_hours,
        suggestions_count,
        cast(esrb_rating.slug as varchar) as esrb_rating_slug,
        cast(esrb_rating.name as varchar) as esrb_rating_name,
        platforms,
        genres,
        stores,
        tags,
        try_cast(dt as date) as dt

    from source
    where id is not null
    qualify row_number() over (partition by id, dt order by updated desc) = 1

)

select * from renamed
"""


def time_staging(sql: str) -> tuple[float, int]:
    """Seconds to materialize `sql` (every column, as a table build does), and its rows."""
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"create temp table staged as {sql}")
    seconds = time.perf_counter() - started
    row = con.execute("select count(*) from staged").fetchone()
    con.close()
    assert row is not None
    return seconds, int(row[0])


def staged_rows(sql: str) -> pl.DataFrame:
    """The rows of `sql` (for checks at small scale: they travel through Python objects)."""
    con = duckdb.connect()
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description or []]
    rows = cursor.fetchall()
    con.close()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def compiled_staging(work: Path) -> str:
    """stg_rawg__games as dbt compiled it in `work` (by a build or a compile)."""
    path = work / "target" / "compiled" / "game_market" / "models" / "staging"
    return (path / "stg_rawg__games.sql").read_text()


# --- the benchmark -----------------------------------------------------------------------------


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=LakeSpec.games, help="games rows")
    parser.add_argument("--days", type=int, default=LakeSpec.days, help="daily partitions")
    parser.add_argument("--repeats", type=int, default=3, help="staging runs per format")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached lake")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated lakes live")
    parser.add_argument("--measure-child", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_child:
        return _measure_child(args.measure_child, args.command)

    spec = LakeSpec(games=args.games, days=args.days)
    print(
        f"Transform benchmark: {spec.games:,} games rows over {spec.days} daily partitions "
        f"({spec.first_day} .. {spec.last_day}), load average {_load()}"
    )
    generated, cached = cached_lake(spec, args.cache, regenerate=args.regenerate)
    print(
        f"lake: {generated.rows:,} games rows, {generated.distinct_games:,} distinct games, "
        f"{_mb(generated.parquet_bytes)} of Parquet ({_mb(generated.json_bytes)} as JSON), "
        f"generated in {generated.seconds:.1f} s"
        + (f" (cached: {generated.root})" if cached else f" into {generated.root}")
    )
    _remove_next_day(generated)  # a killed earlier run may have left it in the lake

    with tempfile.TemporaryDirectory(prefix="gmp-bench-transform-") as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse.duckdb"
        full = run_dbt(work, generated.lake, warehouse, "build")
        print(f"full dbt build: {full.seconds:.1f} s, peak RSS {full.peak_mb:,.0f} MB")
        print(f"  {full.summary}; slowest: {full.top()}")
        staging_sql = compiled_staging(work)

        placed = _place_next_day(generated)
        try:
            incremental = run_dbt(work, generated.lake, warehouse, "build")
            print(
                f"incremental dbt build of {spec.next_day} ({generated.next_day_rows:,} games): "
                f"{incremental.seconds:.1f} s, peak RSS {incremental.peak_mb:,.0f} MB"
            )
            print(f"  {incremental.summary}; slowest: {incremental.top()}")
            rebuilt = work / "full-refresh.duckdb"
            shutil.copyfile(warehouse, rebuilt)
            refresh = run_dbt(
                work,
                generated.lake,
                rebuilt,
                "run",
                "--full-refresh",
                "--select",
                *(f"+{table}" for table in COMPARED),
            )
        finally:
            for path in placed:
                shutil.rmtree(path, ignore_errors=True)
        print(f"full refresh of the compared tables and their parents: {refresh.seconds:.1f} s")
        compared = {table: compare_tables(warehouse, rebuilt, table) for table in COMPARED}
        for table, (inc_rows, full_rows, differing) in compared.items():
            print(
                f"  {table}: {inc_rows:,} rows incrementally, {full_rows:,} after a full "
                f"refresh, {differing} rows differ"
            )

        json_sql = json_staging_sql(generated.json_lake)
        timings: dict[str, list[float]] = {"parquet": [], "json": []}
        counts: dict[str, int] = {}
        for _ in range(args.repeats):
            for name, sql in (("parquet", staging_sql), ("json", json_sql)):
                seconds, counts[name] = time_staging(sql)
                timings[name].append(seconds)
    parquet_s = statistics.median(timings["parquet"])
    json_s = statistics.median(timings["json"])
    ratio = json_s / parquet_s
    print(
        f"staging of games: Parquet {parquet_s:.2f} s ({counts['parquet']:,} rows), "
        f"JSON {json_s:.2f} s ({counts['json']:,} rows), median of {args.repeats}"
    )

    checks: list[tuple[str, str, str, bool]] = [
        (
            "full dbt build",
            f"{full.seconds:.1f} s",
            f"<= {TARGET_FULL_S:.0f} s",
            full.seconds <= TARGET_FULL_S,
        ),
        (
            "incremental day",
            f"{incremental.seconds:.1f} s",
            f"<= {TARGET_INCREMENTAL_S:.0f} s",
            incremental.seconds <= TARGET_INCREMENTAL_S,
        ),
        (
            "peak RSS (dbt + children)",
            f"{max(full.peak_mb, incremental.peak_mb):,.0f} MB",
            f"<= {TARGET_RSS_MB:,.0f} MB",
            max(full.peak_mb, incremental.peak_mb) <= TARGET_RSS_MB,
        ),
        (
            "staging JSON / Parquet",
            f"{ratio:.1f}x",
            f">= {TARGET_JSON_RATIO:.0f}x",
            ratio >= TARGET_JSON_RATIO,
        ),
        (
            "incremental = full refresh",
            f"{sum(rows[2] for rows in compared.values())} rows differ",
            f"0 in {len(COMPARED)} tables",
            all(inc == full and differing == 0 for inc, full, differing in compared.values()),
        ),
        (
            "staging rows Parquet = JSON",
            f"{counts['parquet']:,} / {counts['json']:,}",
            "equal",
            counts["parquet"] == counts["json"],
        ),
    ]
    print()
    print(f"{'figure':<30}{'measured':>24}{'target':>18}{'':>7}")
    for name, measured, target, ok in checks:
        print(f"{name:<30}{measured:>24}{target:>18}{'PASS' if ok else 'MISS':>7}")
    print()
    missed = [name for name, _, _, ok in checks if not ok]
    print("targets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    print(f"load average at the end: {_load()}")
    print("Data shapes: RAWG (rawg.io).")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
