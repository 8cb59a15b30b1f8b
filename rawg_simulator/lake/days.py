"""The lake's time model: which games land on which day, and the `games` rows they land as.

Every game appears once; the extra rows go to popular games (heavy-tailed), each re-appearing
every 1 to ``MAX_REFRESH_GAP`` days, like the sandbox's re-updated games, with counts that
grow by the game's rate per day since its first appearance.
"""

from __future__ import annotations

import polars as pl

from rawg_simulator.distributions import MAX_REFRESH_GAP
from rawg_simulator.lake.draws import fixed_lists, lookup, unit, url
from rawg_simulator.lake.spec import PAGE_SIZE, RAWG_TIME, LakeSpec
from rawg_simulator.reference import RATING_TITLES, STATUSES

# Typical shares of `added_by_status` (the sandbox draws them per game).
_STATUS_SHARES = (0.06, 0.6, 0.12, 0.1, 0.08, 0.04)


def appearances(spec: LakeSpec) -> pl.DataFrame:
    """(g, day, first): which games were updated on which day (0-based), and when first."""
    s = spec.seed
    g = pl.col("g")
    extra = spec.games - spec.distinct_games
    weights = pl.select(
        pl.int_range(0, spec.distinct_games, dtype=pl.Int64).alias("g")
    ).with_columns(w=1.0 / (1.001 - unit(g, 40, s)))
    exact = pl.col("w") * extra / pl.col("w").sum()
    games = weights.with_columns(extras=(exact + unit(g, 41, s)).floor().cast(pl.Int64))
    # A game appears at most once a day; stochastic rounding misses the total by a few hundred
    # rows: settle it exactly, one row at a time on games that still have room, randomly.
    cap = spec.days - 1
    games = games.with_columns(extras=pl.col("extras").clip(upper_bound=cap))
    for attempt in range(100):
        missing = extra - int(games["extras"].sum())
        if missing == 0:
            break
        room = (pl.col("extras") < cap) if missing > 0 else (pl.col("extras") > 0)
        order = pl.when(room).then(unit(g, 42 + attempt, s)).rank("ordinal")
        step = (order <= abs(missing)).fill_null(False).cast(pl.Int64)
        games = games.with_columns(extras=pl.col("extras") + step * (1 if missing > 0 else -1))
    else:
        raise ValueError(f"{spec.games:,} rows cannot fit {spec.days} days: raise --days.")
    games = games.with_columns(k=1 + pl.col("extras"))
    k = pl.col("k")
    max_gap = (
        pl.when(k > 1)
        .then(pl.min_horizontal(MAX_REFRESH_GAP, (spec.days - 1) // (k - 1)))
        .otherwise(1)
    )
    return (
        games.select("g", "k", max_gap.alias("max_gap"))
        .with_columns(pl.int_ranges(0, k).alias("j"))
        .explode("j")
        .with_columns(
            gap=pl.when(pl.col("j") == 0)
            .then(0)
            .otherwise(1 + (unit(g * 4096 + pl.col("j"), 43, s) * pl.col("max_gap")).floor())
            .cast(pl.Int64)
        )
        .with_columns(offset=pl.col("gap").cum_sum().over("g"))
        .with_columns(span=pl.col("offset").max().over("g"))
        .with_columns(first=(unit(g, 44, s) * (spec.days - pl.col("span"))).floor().cast(pl.Int64))
        .select("g", (pl.col("first") + pl.col("offset")).alias("day"), "first")
    )


def next_day_appearances(spec: LakeSpec, rows: pl.DataFrame) -> pl.DataFrame:
    """The day after the lake: ~45% games seen before (the most updated ones), the rest new."""
    s = spec.seed
    seen_count = round(0.45 * spec.rows_per_day)
    firsts = rows.group_by("g").agg(pl.col("first").first(), pl.len().alias("times"))
    seen = (
        firsts.with_columns(score=pl.col("times") * unit(pl.col("g"), 45, s))
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


def game_rows(spec: LakeSpec, universe: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Lake rows of `games` for `rows` (g, day, first), meta and `_raw` included, by (day, id)."""
    frame = _grown_rows(spec, universe, rows).with_columns(**_derived_columns(spec))
    frame = frame.with_columns(
        **_rating_shares(),
        **_page_positions(),
        score=pl.lit(None, pl.Float64),
        dominant_color=pl.lit("0f0f0f"),
        saturated_color=pl.lit("0f0f0f"),
    )
    frame = frame.with_columns(
        ratings=_ratings(frame), short_screenshots=_screenshots(frame, spec.seed)
    ).with_columns(
        # Unrated games list no ratings.
        pl.col("ratings").list.head(
            pl.when(pl.col("rating") > 0).then(len(RATING_TITLES)).otherwise(0)
        )
    )
    return frame.with_columns(_raw=_raw_item().struct.json_encode())


def _day_date(spec: LakeSpec) -> pl.Expr:
    return pl.lit(spec.first_day) + pl.duration(days=pl.col("day"))


def _grown_rows(spec: LakeSpec, universe: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's game from the universe, its counts grown by its rate per day since its first
    appearance, and its update time on the row's day."""
    elapsed = (pl.col("day") - pl.col("first")).cast(pl.Float64)
    grown = 1 + pl.col("growth") * elapsed
    day_date = _day_date(spec)
    # The universe's row i is game i: a gather, cheaper than a join.
    return pl.concat([rows, universe[rows["g"]].drop("g")], how="horizontal").with_columns(
        added=(pl.col("added0") * grown).round().cast(pl.Int64),
        ratings_count=(pl.col("ratings_count0") * grown).round().cast(pl.Int64),
        rating=pl.when(pl.col("rating0") > 0)
        .then((pl.col("rating0") + 0.002 * elapsed).clip(upper_bound=5.0).round(2))
        .otherwise(0.0),
        updated=day_date.cast(pl.Datetime("us")) + pl.duration(seconds=pl.col("second_of_day")),
        dt=day_date,
    )


def _derived_columns(spec: LakeSpec) -> dict[str, pl.Expr]:
    """The columns that follow from the grown counts, and the ingest's meta columns."""
    day_date = _day_date(spec)
    return {
        "reviews_text_count": (pl.col("ratings_count") // 50),
        "reviews_count": pl.col("ratings_count") + pl.col("ratings_count") // 60,
        "rating_top": pl.when(pl.col("rating") > 0)
        .then(pl.col("rating").round().clip(1, 5).cast(pl.Int64))
        .otherwise(0),
        "added_by_status": pl.when(pl.col("added") > 0).then(
            pl.struct(
                **{
                    status: (pl.col("added") * share).floor().cast(pl.Int64)
                    for status, share in zip(STATUSES, _STATUS_SHARES, strict=True)
                }
            )
        ),
        "esrb_rating": pl.when(pl.col("esrb_id").is_not_null()).then(
            pl.struct(
                pl.col("esrb_id").alias("id"),
                pl.col("esrb_name").alias("name"),
                pl.col("esrb_slug").alias("slug"),
            )
        ),
        "_ingested_at": (
            day_date.cast(pl.Datetime("us")) + pl.duration(days=1, hours=2)
        ).dt.replace_time_zone("UTC"),
        "_run_id": pl.format("bench-{}", day_date),
    }


def _rating_shares() -> dict[str, pl.Expr]:
    """`share{id}`: the share of a game's ratings each rating id gets, leaning to its rating."""
    r = pl.col("rating")
    weights = {5: r.pow(3), 4: r.pow(2), 3: (5.5 - r).pow(2), 1: (5.5 - r).pow(3) / 4}
    total = sum(weights.values())
    return {f"share{rid}": weight / total for rid, weight in weights.items()}


def _page_positions() -> dict[str, pl.Expr]:
    """`_page` and `_pos`: where the row sits in its day's pages of 40."""
    position = pl.int_range(pl.len()).over("day")
    return {
        "_page": (position // PAGE_SIZE + 1).cast(pl.Int32),
        "_pos": (position % PAGE_SIZE).cast(pl.Int32),
    }


def _ratings(frame: pl.DataFrame) -> pl.Series:
    """RAWG's `ratings` list: one entry per rating title, counts from the shares."""
    slot = pl.col("slot")
    share = pl.concat_list(pl.col(f"share{rid}") for rid, _ in RATING_TITLES).list.get(slot)
    return fixed_lists(
        frame.select("ratings_count", *(f"share{rid}" for rid, _ in RATING_TITLES)),
        len(RATING_TITLES),
        pl.struct(
            lookup(slot, [rid for rid, _ in RATING_TITLES], pl.Int64()).alias("id"),
            lookup(slot, [title for _, title in RATING_TITLES], pl.String()).alias("title"),
            (pl.col("ratings_count") * share).floor().cast(pl.Int64).alias("count"),
            (share * 100).round(2).alias("percent"),
        ),
    )


def _screenshots(frame: pl.DataFrame, seed: int) -> pl.Series:
    """`short_screenshots`: six per game, ids and image URLs from the game's id."""
    shot = pl.col("id") * 10 + pl.col("slot")
    return fixed_lists(
        frame.select("id"),
        6,
        pl.struct(shot.alias("id"), url(shot, 50, seed, "screenshots").alias("image")),
    )


def _raw_item() -> pl.Expr:
    """The row as `/games?updated=` lists it: RAWG's nested shapes, dates as text."""
    null = pl.lit(None)
    return pl.struct(
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
