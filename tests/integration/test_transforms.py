"""dbt on DuckDB over a lake the ingest really wrote: local folder and S3 (moto)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import orjson
import polars as pl
import pytest

from game_market.endpoints import ENDPOINTS, SCHEMAS
from game_market.lake import Lake, new_manifest
from game_market.settings import load_settings
from tests.support.built_days import copy_built_days
from tests.support.dbt_run import DAYS, fill, fill_days, run_dbt
from tests.support.layout import LAKE, WAREHOUSE, in_folder

BACKFILLED_DT = date(2026, 1, 15)


@dataclass(frozen=True)
class Built:
    """The module's lake of DAYS, built once in ``root``; tests work on copies (`restore`,
    `copy_to`), under the same layout (tests/support/layout.py)."""

    root: Path

    @property
    def lake(self) -> Path:
        return self.root / LAKE

    @property
    def warehouse(self) -> Path:
        return self.root / WAREHOUSE

    @property
    def pristine(self) -> Path:
        return self.root / "pristine.duckdb"

    def restore(self, monkeypatch: pytest.MonkeyPatch) -> Path:
        """The built warehouse again, in the module's folder: for tests that change the
        warehouse only."""
        shutil.copyfile(self.pristine, self.warehouse)
        in_folder(self.root, monkeypatch)
        return self.warehouse

    def copy_to(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Lake, Path]:
        """A lake and warehouse of the test's own, for tests that land more days."""
        shutil.copytree(self.lake, folder / LAKE)
        (folder / WAREHOUSE).parent.mkdir(parents=True)
        shutil.copyfile(self.pristine, folder / WAREHOUSE)
        in_folder(folder, monkeypatch)
        return Lake(str(folder / LAKE)), folder / WAREHOUSE


@pytest.fixture(scope="module")
def built(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    shared = Built(tmp_path_factory.mktemp("built"))
    copy_built_days(tmp_path_factory, sandbox_url, shared.root)
    shutil.copyfile(shared.warehouse, shared.pristine)
    yield shared


def test_staging_reads_every_partition_of_the_lake(
    s3_bucket: str, sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On S3 (moto), which dbt reads through s3fs: every other build here reads a folder."""
    in_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("LAKE_URL", f"s3://{s3_bucket}/lake")
    warehouse = tmp_path / WAREHOUSE
    lake = Lake.from_settings(load_settings())
    asyncio.run(fill(lake, sandbox_url))
    stale_id = land_stale_copy(lake)

    run_dbt(tmp_path, "build")
    run_dbt(tmp_path, "docs", "generate")  # what `make docs` runs
    catalog = orjson.loads((Path(os.environ["DBT_TARGET_PATH"]) / "catalog.json").read_bytes())
    assert "model.game_market.dim_games" in catalog["nodes"]

    with duckdb.connect(str(warehouse), read_only=True) as db:
        for endpoint in ENDPOINTS:
            counted = db.sql(
                f"select dt, count(*) from main.stg_rawg__{endpoint} group by dt order by dt"
            ).fetchall()
            expected = [
                (day, lake.read_partition(endpoint, day)["id"].n_unique())
                for day in lake.partitions(endpoint)
            ]
            assert counted == expected, endpoint
        for entity, (source, column) in REFERENCES.items():
            newest_day = lake.partitions(f"{entity}s")[-1]
            listed = set(lake.read_partition(f"{entity}s", newest_day)["id"])
            rows = db.sql(
                f"select {entity}_id, snapshot_dt, is_in_catalog_snapshot from main.dim_{entity}s"
            ).fetchall()
            assert {row[0] for row in rows if row[2]} == listed, entity
            assert {row[1] for row in rows if row[2]} == {newest_day}, entity
            # ids only games name still get a row, so every game-element row finds its dimension
            assert {row[0] for row in rows} == listed | referenced_ids(lake, source, column)
        dim_games = dict(db.sql("select game_id, updated_at from main.dim_games").fetchall())
    games = pl.concat([lake.read_partition("games", day) for day in [*DAYS, STALE_DT]])
    newest = dict(games.group_by("id").agg(pl.col("updated").max()).iter_rows())
    assert len(dim_games) == len(newest) == games["id"].n_unique() > 0
    assert dim_games == newest  # every game, in its latest version
    assert stale_id in dim_games


STALE_DT = date(2026, 1, 19)
# entity -> (endpoint, column) whose lists name the entity's ids
REFERENCES = {
    "genre": ("games", "genres"),
    "developer": ("game_details", "developers"),
    "publisher": ("game_details", "publishers"),
}


def referenced_ids(lake: Lake, endpoint: str, column: str) -> set[int]:
    rows = pl.concat([lake.read_partition(endpoint, day) for day in lake.partitions(endpoint)])
    return set(rows[column].explode().struct.field("id").drop_nulls())


def land_stale_copy(lake: Lake) -> int:
    """A later partition holding an older version of one game: dim_games must ignore it."""
    original = orjson.loads(lake.read_partition("games", DAYS[0])["_raw"][0])
    stale = {**original, "name": "Stale copy", "updated": "2001-01-01T00:00:00"}
    frame = (
        SCHEMAS["games"]
        .normalize([stale], page=1, run_id="stale", ingested_at=datetime.now(UTC))
        .table
    )
    with lake.open_partition("games", STALE_DT, run_id="stale") as writer:
        writer.add(frame)
        writer.commit(new_manifest("games", STALE_DT, "stale"))
    return original["id"]


def table_rows(warehouse: Path, table: str, order_by: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as db:
        return db.sql(f"select * from main.{table} order by {order_by}").fetchall()


def test_incremental_snapshots_match_a_full_rebuild_after_a_backfilled_day(
    built: Built, sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, incremental = built.copy_to(tmp_path, monkeypatch)
    asyncio.run(fill_days(lake, sandbox_url, [BACKFILLED_DT]))  # older than what is built
    emptied_id = land_newer_copy_without_genres(lake)
    run_dbt(tmp_path, "build")
    shutil.copytree(tmp_path / LAKE, tmp_path / "rebuilt" / LAKE)  # the same lake, built anew
    run_dbt(tmp_path / "rebuilt", "build", "--full-refresh")
    rebuilt = tmp_path / "rebuilt" / WAREHOUSE

    got = table_rows(incremental, "fct_game_daily_snapshots", "game_id, dt")
    assert got == table_rows(rebuilt, "fct_game_daily_snapshots", "game_id, dt")
    assert BACKFILLED_DT in {row[1] for row in got}
    for table, key in {**STAGING, **INCREMENTAL_BY_GAME, **REPORT_MARTS}.items():
        assert table_rows(incremental, table, key) == table_rows(rebuilt, table, key), table
    genres = table_rows(incremental, "fct_game_genres", "game_id, genre_id")
    assert emptied_id not in {row[0] for row in genres}  # its old genre pairs are gone


def land_newer_copy_without_genres(lake: Lake) -> int:
    """A later partition where one game, updated since, lists no genres any more."""
    original = next(
        item
        for item in map(orjson.loads, lake.read_partition("games", DAYS[0])["_raw"])
        if item["genres"]
    )
    newer = {**original, "genres": [], "updated": "2026-01-19T23:00:00"}
    frame = (
        SCHEMAS["games"]
        .normalize([newer], page=1, run_id="newer", ingested_at=datetime.now(UTC))
        .table
    )
    with lake.open_partition("games", STALE_DT, run_id="newer") as writer:
        writer.add(frame)
        writer.commit(new_manifest("games", STALE_DT, "newer"))
    return original["id"]


# Incremental by landing time, one day replaced whole, and their keys.
STAGING = {
    "stg_rawg__games": "game_id, dt",
    "stg_rawg__game_details": "game_id, dt",
    "stg_rawg__genres": "genre_id, dt",
    "stg_rawg__platforms": "platform_id, dt",
    "stg_rawg__parent_platforms": "parent_platform_id, dt",
    "stg_rawg__developers": "developer_id, dt",
    "stg_rawg__publishers": "publisher_id, dt",
}
# Incremental models rebuilt per changed game, and their keys.
INCREMENTAL_BY_GAME = {
    "int_games_deduplicated": "game_id",
    "fct_game_genres": "game_id, genre_id",
    "fct_game_platforms": "game_id, platform_id",
    "fct_game_stores": "game_id, store_id",
    "fct_game_tags": "game_id, tag_id",
    "fct_game_developers": "game_id, developer_id",
    "fct_game_publishers": "game_id, publisher_id",
    "dim_games": "game_id",
}
# The report's marts are tables built from the incremental ones: the same report either way.
REPORT_MARTS = {
    "mart_report_periods": "report_date",
    "mart_report_genres": "report_date, genre_id",
    "mart_report_platforms": "report_date, parent_platform_id",
    "mart_report_releases": "report_date, release_month, series_rank",
}


LATEST_REPORT_DAY = "report_date = (select max(report_date) from main.{table})"


@pytest.mark.parametrize(
    ("table", "check", "rows"),
    [
        ("agg_releases_monthly", "assert_releases_reconcile_with_dim_games", "true"),
        ("fct_game_daily_snapshots", "assert_snapshot_rows_match_lake", "true"),
        ("mart_report_genres", "assert_report_shares_reconcile", LATEST_REPORT_DAY),
        (
            "mart_report_releases",
            "assert_report_releases_reconcile",
            LATEST_REPORT_DAY + " and releases > 0",
        ),
    ],
)
def test_reconciliation_tests_catch_a_lost_row(
    table: str,
    check: str,
    rows: str,
    built: Built,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `check` passed in the module's build (`dbt build` runs every singular test).
    warehouse = built.restore(monkeypatch)

    where = rows.format(table=table)
    with duckdb.connect(str(warehouse)) as db:
        db.execute(
            f"delete from main.{table} "
            f"where rowid = (select min(rowid) from main.{table} where {where})"
        )
    with pytest.raises(AssertionError, match=f"FAIL 1 {check}"):
        run_dbt(built.root, "test", "--select", check)


def test_a_key_test_fails_on_a_null_part_of_the_key(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The row a changed game whose genres emptied leaves (macros/emptied_game_rows.sql), had
    # the fact's post-hook not dropped it: its key repeats nothing, only its null says.
    warehouse = built.restore(monkeypatch)
    with duckdb.connect(str(warehouse)) as db:
        db.execute(
            "update main.fct_game_genres set genre_id = null "
            "where rowid = (select min(rowid) from main.fct_game_genres)"
        )
    with pytest.raises(
        AssertionError, match="FAIL 1 primary_key_fct_game_genres_game_id__genre_id"
    ):
        run_dbt(built.root, "test", "--select", "fct_game_genres,test_name:primary_key")


def test_an_incremental_build_tests_what_it_landed_and_dbt_test_everything(
    built: Built, sandbox_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, warehouse = built.copy_to(tmp_path, monkeypatch)
    asyncio.run(fill_days(lake, sandbox_url, [STALE_DT]))
    landed = set(lake.read_partition("games", STALE_DT)["id"])
    with duckdb.connect(str(warehouse)) as db:
        # A duplicate of a pair no build revisits: of a game in the oldest landing only, which
        # the new day does not list (and no mart reads tags).
        db.execute(
            "insert into main.fct_game_tags select * from main.fct_game_tags "
            "where rowid = (select min(rowid) from main.fct_game_tags where _ingested_at = "
            "(select min(_ingested_at) from main.fct_game_tags) "
            f"and game_id not in {tuple(landed)})"
        )

    run_dbt(tmp_path, "build")  # its tests read the rows of the games it landed
    with pytest.raises(
        AssertionError, match="Failure in test primary_key_fct_game_tags_game_id__tag_id"
    ):
        run_dbt(tmp_path, "test")
