"""Deterministic column-wise randomness for the lake generator, and list-building helpers.

No numpy here: every draw is a hash of (key, stream, seed), so the same spec yields the same
bytes, and a column is drawn in one vectorized expression.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from rawg_simulator.names import MEDIA, slugify


def unit(key: pl.Expr, stream: int, seed: int) -> pl.Expr:
    """Uniform in [0, 1), a pure function of (key, stream, seed)."""
    return (key.hash(seed=seed * 1_000 + stream) // 2048).cast(pl.Float64) / float(1 << 53)


def below(key: pl.Expr, stream: int, seed: int, n: int) -> pl.Expr:
    """Uniform integer in [0, n)."""
    return (unit(key, stream, seed) * n).floor().cast(pl.Int64)


def url(key: pl.Expr, stream: int, seed: int, folder: str) -> pl.Expr:
    """A media URL shaped like RAWG's (32-character digest), unique per key."""
    digest = pl.concat_str(
        key.hash(seed=seed * 1_000 + stream).cast(pl.String).str.zfill(20),
        key.hash(seed=seed * 1_000 + stream + 1).cast(pl.String).str.slice(0, 12).str.zfill(12),
    )
    return pl.format(f"{MEDIA}/{folder}/{{}}/{{}}.jpg", digest.str.slice(0, 3), digest)


def lookup(index: pl.Expr, values: Sequence[object], dtype: pl.DataType) -> pl.Expr:
    """``values[index]``."""
    return index.replace_strict(dict(enumerate(values)), return_dtype=dtype, default=None)


def choose(index: pl.Expr, options: Sequence[int]) -> pl.Expr:
    """``options[index]`` for an index drawn with ``below(..., len(options))``."""
    return lookup(index, options, pl.Int64())


def pick(key: pl.Expr, stream: int, seed: int, words: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """A word of ``words`` and its slug, drawn per key."""
    index = below(key, stream, seed, len(words))
    return (
        lookup(index, list(words), pl.String()),
        lookup(index, [slugify(w) for w in words], pl.String()),
    )


def cumulative(weights: Sequence[float]) -> pl.Series:
    """Cumulative shares of ``weights``: draws map to entries by ``search_sorted``."""
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total / sum(weights))
    return pl.Series(cum)


def weighted_refs(
    games: pl.DataFrame, count: pl.Expr, cum: pl.Series, stream: int, seed: int
) -> pl.DataFrame:
    """(g, ref) pairs: `count` weighted draws per game, repeats dropped, in draw order."""
    flat = (
        games.select("g", count.alias("n"))
        .filter(pl.col("n") > 0)
        .with_columns(pl.int_ranges(0, pl.col("n")).alias("slot"))
        .explode("slot")
        .with_columns(unit(pl.col("g") * 16 + pl.col("slot"), stream, seed).alias("u"))
    )
    refs = cum.search_sorted(flat["u"], side="right").clip(0, len(cum) - 1)
    return flat.with_columns(ref=refs.cast(pl.Int64)).unique(["g", "ref"], maintain_order=True)


def listed(pairs: pl.DataFrame, **structs: pl.Expr) -> pl.DataFrame:
    """Per-game lists of ``structs`` from one row per (game, element)."""
    return pairs.group_by("g", maintain_order=True).agg(**structs)


def fixed_lists(frame: pl.DataFrame, width: int, element: pl.Expr) -> pl.Series:
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
