"""The transform benchmark's generated lake through dbt: the staging dbt compiles reads the
same rows from the Parquet lake as the JSON staging reads from the JSON lake."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from benchmarks.dbt_runner import run_dbt
from benchmarks.json_vs_parquet import compiled_staging, json_staging_sql, staged_rows
from rawg_simulator.lake import GeneratedLake, LakeSpec, generate

SPEC = LakeSpec(games=2_000, days=3)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedLake:
    return generate(SPEC, tmp_path_factory.mktemp("bench-transform"))


def test_staging_reads_the_same_rows_from_parquet_and_json(
    generated: GeneratedLake, tmp_path: Path
) -> None:
    run_dbt(tmp_path, generated.lake, tmp_path / "w.duckdb", "compile", "-s", "stg_rawg__games")
    scalars = ["game_id", "dt", "game_slug", "released_on", "updated_at", "rating", "added_count"]
    scalars += ["metacritic_score", "esrb_rating_slug"]
    from_parquet = staged_rows(compiled_staging(tmp_path))
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
