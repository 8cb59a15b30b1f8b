"""The transform benchmark's generated lake (rawg_simulator.lake), written in-process: the
ingest's layout and schemas, items that normalize back to their typed columns, the same
reference data as the sandbox. Its dbt staging is compared in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from game_market.endpoints import SCHEMAS, of_a_day
from game_market.lake import Lake
from rawg_simulator import reference
from rawg_simulator.lake import GeneratedLake, LakeSpec, cached_lake, generate
from rawg_simulator.lake.universe import reference_renderer

SPEC = LakeSpec(games=2_000, days=3)
DAYS = [SPEC.first_day + timedelta(days=n) for n in range(SPEC.days)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedLake:
    return generate(SPEC, tmp_path_factory.mktemp("bench-transform"))


def read_games(root: Path) -> pl.DataFrame:
    return pl.read_parquet(f"{root}/raw/games/dt=*/*.parquet", hive_partitioning=True)


def test_every_endpoint_of_a_day_has_every_day_in_the_lake_schema(
    generated: GeneratedLake,
) -> None:
    lake = Lake(str(generated.lake))
    for endpoint in of_a_day():
        schema = SCHEMAS[endpoint]
        assert lake.partitions(endpoint) == DAYS, endpoint
        for dt in DAYS:
            assert lake.is_complete(endpoint, dt)
            assert lake.read_partition(endpoint, dt).schema == schema.polars_schema, endpoint
    details = pl.read_parquet(f"{generated.lake}/raw/game_details/dt=*/*.parquet")
    assert details.height == SPEC.details_per_day * SPEC.days


def test_games_rows_spread_over_the_days_with_repeats_that_grow(generated: GeneratedLake) -> None:
    games = read_games(generated.lake)
    assert games.height == generated.rows == SPEC.games
    assert games["id"].n_unique() == generated.distinct_games == SPEC.distinct_games
    per_day = games.group_by("dt").agg(rows=pl.len(), ids=pl.col("id").n_unique())
    assert (per_day["rows"] == per_day["ids"]).all()  # one row per game and day, like the ingest
    assert per_day["rows"].min() > SPEC.games / SPEC.days / 2
    seen_again = games.sort("dt").group_by("id").agg(pl.col("added"), pl.col("updated"))
    seen_again = seen_again.filter(pl.col("added").list.len() > 1)
    assert seen_again.height > 0
    grows = seen_again.select(pl.col("added").list.eval(pl.element().diff().drop_nulls() >= 0))
    assert grows.to_series().list.all().all()
    assert (generated.json_bytes / generated.rows) > 2_000  # _raw is a whole item: 2-4 KB


def test_next_day_mixes_games_seen_before_and_new_ones(generated: GeneratedLake) -> None:
    next_day = read_games(generated.next_day)
    assert next_day["dt"].unique().to_list() == [SPEC.next_day]
    assert next_day.height == generated.next_day_rows == SPEC.rows_per_day
    seen = next_day["id"].is_in(read_games(generated.lake)["id"].implode())
    assert 0 < seen.sum() < next_day.height
    assert next_day["_ingested_at"].min() > read_games(generated.lake)["_ingested_at"].max()


@pytest.mark.parametrize("endpoint", sorted(of_a_day()))
def test_raw_items_normalize_back_to_the_typed_columns(
    generated: GeneratedLake, endpoint: str
) -> None:
    """What the ingest would have written for these items is exactly what was generated."""
    stored = Lake(str(generated.lake)).read_partition(endpoint, DAYS[1])
    items = [orjson.loads(raw) for raw in stored["_raw"]]
    batch = SCHEMAS[endpoint].normalize(items, page=1, run_id="test", ingested_at=datetime.now(UTC))
    assert not batch.drift
    columns = list(SCHEMAS[endpoint].columns)
    assert_frame_equal(batch.frame.select(columns), stored.select(columns))


def test_lake_and_sandbox_share_the_reference_data(generated: GeneratedLake) -> None:
    lake = Lake(str(generated.lake))
    renderer = reference_renderer(SPEC.seed)
    genres = lake.read_partition("genres", DAYS[0])
    assert genres.select("id", "name", "slug", "games_count", "image_background").to_dicts() == (
        renderer.genre_full
    )
    platforms = lake.read_partition("platforms", DAYS[0]).drop("games", "^_.*$")
    assert platforms.to_dicts() == [
        renderer.platform_listing(i) for i in range(len(reference.PLATFORMS))
    ]
    games = read_games(generated.lake)
    tags = games.select(pl.col("tags").explode().struct.unnest()).drop_nulls().unique()
    known = {(t["id"], t["name"], t["slug"]) for t in renderer.tags}
    assert {(r["id"], r["name"], r["slug"]) for r in tags.to_dicts()} <= known
    stores = games.select(pl.col("stores").explode().struct.unnest()).drop_nulls().unique()
    assert set(stores["store_id"]) <= {s[0] for s in reference.STORES}
    words = set(reference.ADJECTIVES) | set(reference.NOUNS) | set(reference.UNICODE_WORDS)
    assert all(set(name.replace(":", "").split()) & words for name in games["name"].head(200))


def test_the_cache_serves_a_generated_lake_once(tmp_path: Path) -> None:
    spec = LakeSpec(games=300, days=2, studios_per_day=20)
    first, cached = cached_lake(spec, tmp_path, regenerate=False)
    assert not cached and first.root == tmp_path / f"transform-{spec.key}"
    again, cached = cached_lake(spec, tmp_path, regenerate=False)
    assert cached and again.rows == first.rows == 300
    placed = again.land_next_day()
    assert placed and all(spec.next_day.isoformat() in str(path) for path in placed)
    again.remove_next_day()
    assert not any(path.exists() for path in placed)
