"""The transform benchmark's generated lake through dbt: the staging dbt compiles reads the
same rows from the Parquet lake as the JSON staging reads from the JSON lake."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from benchmarks.dbt_runner import build_pairs, refresh_and_compare
from benchmarks.json_vs_parquet import compiled_staging, json_staging_sql, staged_rows
from rawg_simulator.lake import GeneratedLake, LakeSpec, generate

SPEC = LakeSpec(games=2_000, days=3)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedLake:
    return generate(SPEC, tmp_path_factory.mktemp("bench-transform"))


def test_staging_reads_the_same_rows_from_parquet_and_json(
    generated: GeneratedLake, tmp_path: Path
) -> None:
    scalars = ["game_id", "dt", "game_slug", "released_on", "updated_at", "rating", "added_count"]
    scalars += ["metacritic_score", "esrb_rating_slug"]
    from_parquet = staged_rows(compiled_staging(tmp_path, generated.lake))
    from_json = staged_rows(json_staging_sql(generated.json_lake))
    assert from_parquet.height == SPEC.games
    assert_frame_equal(
        from_parquet.select(scalars).sort("game_id", "dt"),
        from_json.select(scalars).sort("game_id", "dt"),
        check_dtypes=False,
    )
    for nested in ("genres", "platforms", "stores", "tags"):
        assert (
            from_parquet.sort("game_id", "dt")[nested]
            .list.len()
            .equals(from_json.sort("game_id", "dt")[nested].list.len())
        ), nested


def test_every_table_built_incrementally_equals_a_rebuild(
    generated: GeneratedLake, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse" / "game_market.duckdb"
    try:
        pairs = build_pairs(tmp_path, generated, warehouse, repeats=1)
        compared = refresh_and_compare(tmp_path, generated, warehouse)
    finally:
        generated.remove_next_day()
    assert len(pairs.full) == len(pairs.incremental) == 1
    incremental = {"stg_rawg__games", "int_games_deduplicated", "fct_game_daily_snapshots"}
    assert incremental | {"fct_game_tags", "stg_rawg__genres"} <= set(compared)
    assert {table: rows for table, rows in compared.items() if rows[2] or rows[0] != rows[1]} == {}
    assert compared["stg_rawg__games"][0] == SPEC.games + generated.next_day_rows
