"""The lake's daily snapshots of the reference lists: genres, platforms, parent platforms,
developers and publishers, as their list endpoints page them.

Genres and platforms are the sandbox's own reference dicts (``rawg_simulator.render``) for
the spec's seed, each listing six of the most-added games like RAWG does.
"""

from __future__ import annotations

import polars as pl

from rawg_simulator.lake.details import STUDIO_STREAMS, studio_pool
from rawg_simulator.lake.draws import below
from rawg_simulator.lake.spec import PAGE_SIZE, LakeSpec
from rawg_simulator.lake.universe import reference_renderer
from rawg_simulator.reference import PARENT_PLATFORMS, PLATFORMS

_PLATFORM_SCHEMA = {
    "id": pl.Int64,
    "name": pl.String,
    "slug": pl.String,
    "games_count": pl.Int64,
    "image_background": pl.String,
    "image": pl.String,
    "year_start": pl.Int64,
    "year_end": pl.Int64,
}
# the hash stream that picks each list's games
_GAME_STREAMS = {"genres": 70, "platforms": 71, "developers": 72, "publishers": 73}


def reference_snapshots(spec: LakeSpec, universe: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """One day's snapshot of each reference list (the same every day, but for its meta)."""
    s = spec.seed
    top = universe.sort("added0", descending=True).head(max(1, min(5_000, universe.height)))
    top = top.with_row_index("at").with_columns(pl.col("at").cast(pl.Int64))

    def with_games(frame: pl.DataFrame, endpoint: str) -> pl.DataFrame:
        stubs = (
            frame.select(pl.col("id").alias("owner"))
            .with_columns(pl.int_ranges(0, 6).alias("slot"))
            .explode("slot")
            .with_columns(
                at=below(
                    pl.col("owner") * 8 + pl.col("slot"), _GAME_STREAMS[endpoint], s, top.height
                )
            )
            .join(top, on="at")
            .group_by("owner", maintain_order=True)
            .agg(games=pl.struct("id", "slug", "name", pl.col("added0").alias("added")))
        )
        return frame.join(stubs, left_on="id", right_on="owner", how="left")

    renderer = reference_renderer(s)
    platforms = [renderer.platform_listing(i) for i in range(len(PLATFORMS))]
    frames = {
        "genres": with_games(pl.DataFrame(renderer.genre_full), "genres"),
        "platforms": with_games(pl.DataFrame(platforms, schema=_PLATFORM_SCHEMA), "platforms"),
        "parent_platforms": _parent_platforms(),
    }
    for kind, stream in STUDIO_STREAMS.items():
        listed = studio_pool(spec, stream).head(spec.studios_per_day).drop("i")
        frames[kind] = with_games(listed, kind)
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


def _parent_platforms() -> pl.DataFrame:
    names = {pid: (name, slug) for pid, name, slug, *_ in PLATFORMS}
    return pl.DataFrame(
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
