"""The lake's studios and `game_details`: each day's most-added games as /games/{id} has them.

Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

import polars as pl

from game_market.endpoints import SCHEMAS
from rawg_simulator.lake.draws import below, pick, unit, url
from rawg_simulator.lake.spec import RAWG_TIME, STUDIO_POOL, LakeSpec
from rawg_simulator.reference import ADJECTIVES, NOUNS, STUDIO_SUFFIXES

# Studio pools per kind, and the hash stream each is drawn from.
STUDIO_STREAMS = {"developers": 152, "publishers": 153}


def studio_pool(spec: LakeSpec, stream: int) -> pl.DataFrame:
    """A pool of studios; the first `studios_per_day` are what /developers' first pages list."""
    s = spec.seed
    i = pl.col("i")
    pool = pl.select(pl.int_range(0, spec.studios_per_day * STUDIO_POOL, dtype=pl.Int64).alias("i"))
    adj, _ = pick(i, stream, s, ADJECTIVES)
    noun, _ = pick(i, stream + 1, s, NOUNS)
    suffix, _ = pick(i, stream + 2, s, STUDIO_SUFFIXES)
    name = pl.format("{} {} {}", adj, noun, suffix)
    return pool.with_columns(
        id=(1 + below(i, stream + 3, s, 8)).cum_sum() + 100,
        name=name,
        games_count=(1 + 2_000 / (1 + i)).floor().cast(pl.Int64),
        image_background=url(i, stream + 4, s, "games"),
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
            (1 + below(pl.col("id"), stream, seed, most)).alias("n"),
        )
        .with_columns(pl.int_ranges(0, pl.col("n")).alias("slot"))
        .explode("slot")
        .with_columns(
            i=(unit(pl.col("game") * 8 + pl.col("slot"), stream + 1, seed).pow(2) * size)
            .floor()
            .cast(pl.Int64)
        )
        .unique(["row", "i"], maintain_order=True)
        .join(studios, on="i")
    )
    return pairs.group_by("row", maintain_order=True).agg(
        pl.struct("id", "name", "slug", "games_count").alias(column)
    )


def game_details(
    spec: LakeSpec, games: pl.DataFrame, studios: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Each day's most-added games (the detail budget), as /games/{id} returns them."""
    s = spec.seed
    details = _most_added(spec, games)
    developers = _company_lists(details, studios["developers"], "developers", 3, 60, s)
    publishers = _company_lists(details, studios["publishers"], "publishers", 2, 62, s)
    details = (
        details.join(developers, on="row", how="left")
        .join(publishers, on="row", how="left")
        .with_columns(
            name_original=pl.col("name"),
            description_raw=_description(),
            website=pl.format("https://www.{}.com", pl.col("base_slug")),
            metacritic_url=pl.when(pl.col("metacritic").is_not_null()).then(
                pl.format("https://www.metacritic.com/game/{}", pl.col("slug"))
            ),
            reddit_url=pl.format("https://www.reddit.com/r/{}/", pl.col("base_slug")),
            alternative_names=pl.when(unit(pl.col("id"), 64, s) < 0.3)
            .then(pl.concat_list(pl.format("{} (Remaster)", pl.col("name"))))
            .otherwise(pl.lit([], pl.List(pl.String))),
            **_metacritic_platforms(),
            _page=(pl.int_range(pl.len()).over("day") + 1).cast(pl.Int32),
            _pos=pl.lit(0, pl.Int32),
            **_detail_counts(s),
        )
        .with_columns(
            pl.col("developers", "publishers").fill_null(
                pl.lit([], SCHEMAS["game_details"].columns["developers"])
            )
        )
    )
    return details.with_columns(_raw=_raw_detail().struct.json_encode())


def _most_added(spec: LakeSpec, games: pl.DataFrame) -> pl.DataFrame:
    """The detail budget's games of each day, most added first, numbered by `row`."""
    return (
        games.filter(
            pl.col("added").rank("ordinal", descending=True).over("day") <= spec.details_per_day
        )
        .sort("day", "added", "id", descending=[False, True, False])
        .with_row_index("row")
    )


def _description() -> pl.Expr:
    """`description_raw`: the same four pairs of sentences, naming the game."""
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
    return pl.concat_str([sentences] * 4)


def _metacritic_platforms() -> dict[str, pl.Expr]:
    """A metacritic-rated game's score on its first platform, in the lake's shape and in
    RAWG's (`raw_metacritic_platforms`, for `_raw`)."""
    metascore = {
        "metascore": pl.col("metacritic"),
        "url": pl.format("https://www.metacritic.com/game/pc/{}", pl.col("slug")),
    }
    first = pl.col("platforms").list.first().struct
    first_platform = {
        name: first.field(name) for name in ("platform_id", "platform_name", "platform_slug")
    }
    rated = pl.col("metacritic").is_not_null()
    return {
        "metacritic_platforms": pl.when(rated)
        .then(pl.concat_list(pl.struct(**metascore, **first_platform)))
        .otherwise(pl.lit([], SCHEMAS["game_details"].columns["metacritic_platforms"])),
        # RAWG nests the platform there, with its id under the key "platform".
        "raw_metacritic_platforms": pl.when(rated).then(
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
    }


_DETAIL_COUNTS = (
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


def _detail_counts(seed: int) -> dict[str, pl.Expr]:
    """The counts only the detail page has, each drawn below 400 from its own stream."""
    return {
        column: below(pl.col("id"), 65 + n, seed, 400) for n, column in enumerate(_DETAIL_COUNTS)
    }


def _raw_detail() -> pl.Expr:
    """As /games/{id} sends it: RAWG's nested shapes, dates as text, and the HTML description."""
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
    return pl.struct(
        *(in_rawg_shape.get(c, pl.col(c)).alias(c) for c in SCHEMAS["game_details"].columns),
        pl.format("<p>{}</p>", pl.col("description_raw")).alias("description"),
    )
