"""The lake on a local folder and on a real S3 endpoint (moto_server)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime

import orjson
import polars as pl
import pyarrow as pa
import pytest

from game_market.endpoints import SCHEMAS
from game_market.errors import LakeUnavailable
from game_market.lake import (
    DATA_FILE,
    MANIFEST_METADATA_KEY,
    QUARANTINE_FILE,
    Lake,
    Manifest,
    new_manifest,
)
from game_market.settings import load_settings

DT = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)


def genres(ids: list[int], label: str) -> list[dict]:
    return [{"id": i, "name": f"{label}-{i}", "slug": f"g{i}", "games_count": i} for i in ids]


def normalized(items: list[dict], page: int, run_id: str) -> pa.Table:
    return SCHEMAS["genres"].normalize(items, page=page, run_id=run_id, ingested_at=NOW).table


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path) -> Lake:
    if request.param == "local":
        return Lake.from_settings(load_settings(lake_url=str(tmp_path / "lake")))
    bucket = request.getfixturevalue("s3_bucket")
    return Lake.from_settings(load_settings(lake_url=f"s3://{bucket}/game-market"))


def land(lake: Lake, run_id: str, pages: list[list[dict]], dt: date = DT):
    with lake.open_partition("genres", dt, run_id=run_id, chunk_rows=3) as writer:
        for number, items in enumerate(pages, start=1):
            writer.add(normalized(items, number, run_id))
        manifest = new_manifest("genres", dt, run_id)
        manifest.pages = len(pages)
        manifest.requests = len(pages)
        return writer.commit(manifest)


def visible_files(lake: Lake, dt: date = DT) -> list[str]:
    directory = lake.partition_dir("genres", dt)
    lake.fs.invalidate_cache()
    if not lake.fs.exists(directory):
        return []
    return sorted(p.rsplit("/", 1)[-1] for p in lake.fs.ls(directory, detail=False))


def test_one_row_per_id_and_the_last_one_seen_wins(lake: Lake) -> None:
    manifest = land(
        lake, "run-1", [genres([1, 2, 3], "p1"), genres([3, 4], "p2"), genres([4, 5], "p3")]
    )
    rows = lake.read_partition("genres", DT).sort("id")
    assert rows["id"].to_list() == [1, 2, 3, 4, 5]
    assert rows.filter(pl.col("id") == 3)["name"].item() == "p2-3"
    assert rows.filter(pl.col("id") == 4)["name"].item() == "p3-4"
    assert manifest.rows == 5
    assert orjson.loads(rows.filter(pl.col("id") == 4)["_raw"].item())["name"] == "p3-4"
    assert set(rows["_run_id"]) == {"run-1"}


@pytest.mark.parametrize(
    ("pages", "ids"),
    [
        ([genres([5, 1, 3], "p1"), genres([4, 2], "p2")], [5, 1, 3, 4, 2]),  # written once
        (  # rewritten: a row seen again on a later page; the one without an id set aside
            [genres([5, 1, 3], "p1"), [{"name": "no id"}, *genres([3, 2], "p2")]],
            [5, 1, 3, 2],
        ),
    ],
    ids=["distinct", "repeated-and-idless"],
)
def test_rows_land_in_arrival_order_with_the_manifest_inside(
    lake: Lake, pages: list[list[dict]], ids: list[int | None]
) -> None:
    manifest = land(lake, "run-1", pages)
    with lake.fs.open(f"{lake.partition_dir('genres', DT)}/{DATA_FILE}", "rb") as handle:
        inside = pl.read_parquet_metadata(handle)[MANIFEST_METADATA_KEY]
    rows = lake.read_partition("genres", DT)
    assert rows.schema == SCHEMAS["genres"].polars_schema
    assert rows["id"].to_list() == ids and manifest.rows == len(ids)
    assert Manifest.from_json(inside.encode()) == manifest


def quarantined(lake: Lake, dt: date = DT) -> pl.DataFrame | None:
    path = f"{lake.quarantine_dir('genres', dt)}/{QUARANTINE_FILE}"
    lake.fs.invalidate_cache()
    if not lake.fs.exists(path):
        return None
    with lake.fs.open(path, "rb") as handle:
        return pl.read_parquet(handle)


def test_items_without_an_integer_id_are_quarantined_with_the_reason(lake: Lake) -> None:
    bad = [{"name": "no id"}, {"id": "7", "name": "text id"}, "not an object", {"id": 1.5}]
    manifest = land(lake, "run-1", [genres([1, 2], "p1"), [*bad, *genres([3], "p2")]])
    assert lake.read_partition("genres", DT)["id"].to_list() == [1, 2, 3]
    assert (manifest.rows, manifest.quarantined) == (3, 4)
    assert manifest.quarantine_reasons == {
        "missing id": 1,
        "id is not an integer (str)": 1,
        "item is not an object": 1,
        "id is not an integer (float)": 1,
    }
    assert lake.read_manifest("genres", DT) == manifest
    aside = quarantined(lake)
    assert aside is not None
    assert aside.select("_page", "_pos").rows() == [(2, 0), (2, 1), (2, 2), (2, 3)]
    assert [orjson.loads(raw) for raw in aside["_raw"]] == bad
    assert set(aside["_run_id"]) == {"run-1"}
    assert aside["reason"][1] == "id is not an integer (str)"
    # A rerun that sets nothing aside leaves no stale quarantine behind.
    assert land(lake, "run-2", [genres([1, 2, 3], "p1")]).quarantined == 0
    assert quarantined(lake) is None


def test_partition_layout_and_manifest(lake: Lake) -> None:
    land(lake, "run-7", [genres([1, 2], "a")])
    assert visible_files(lake) == ["_manifest.json", DATA_FILE]
    assert lake.partition_dir("genres", DT).endswith("/raw/genres/dt=2026-01-05")
    manifest = lake.read_manifest("genres", DT)
    assert manifest is not None
    assert (manifest.rows, manifest.pages, manifest.requests) == (2, 1, 1)
    assert manifest.run_id == "run-7"
    assert manifest.schema_version == SCHEMAS["genres"].version
    assert datetime.fromisoformat(manifest.written_at).tzinfo is not None
    assert lake.is_complete("genres", DT)
    assert lake.partitions("genres") == [DT]


def test_rerun_replaces_the_partition_without_duplicates(lake: Lake) -> None:
    land(lake, "run-1", [genres([1, 2, 3], "old")])
    land(lake, "run-2", [genres([2, 3, 4], "new")])
    rows = lake.read_partition("genres", DT).sort("id")
    assert rows["id"].to_list() == [2, 3, 4]
    assert set(rows["name"].str.slice(0, 3)) == {"new"}
    assert lake.read_manifest("genres", DT).run_id == "run-2"
    assert visible_files(lake) == ["_manifest.json", DATA_FILE]


def test_a_failed_run_leaves_the_old_partition_untouched(lake: Lake) -> None:
    land(lake, "run-1", [genres([1, 2], "old")])
    with pytest.raises(RuntimeError), lake.open_partition("genres", DT, run_id="run-2") as writer:
        writer.add(normalized(genres([9], "new"), 1, "run-2"))
        raise RuntimeError("API died mid-crawl")
    assert lake.read_partition("genres", DT)["name"].to_list() == ["old-1", "old-2"]
    assert lake.read_manifest("genres", DT).run_id == "run-1"


def test_empty_partition_has_the_schema(lake: Lake) -> None:
    land(lake, "run-1", [])
    rows = lake.read_partition("genres", DT)
    assert rows.height == 0
    assert rows.schema == SCHEMAS["genres"].polars_schema


def test_a_killed_run_never_leaves_half_a_partition_visible(lake: Lake, tmp_path) -> None:
    land(lake, "run-1", [genres([1], "old")])
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import date, datetime, UTC
        from game_market.lake import Lake
        from game_market.endpoints import SCHEMAS
        lake = Lake({lake.url!r}, {lake_options(lake)!r})
        writer = lake.open_partition("genres", date(2026, 1, 5), run_id="killed", chunk_rows=2)
        for page in range(1, 6):
            items = [{{"id": page * 10 + i, "name": "x"}} for i in range(3)]
            writer.add(SCHEMAS["genres"].normalize(
                items, page=page, run_id="killed", ingested_at=datetime.now(UTC)).table)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9, result.stderr.decode()
    assert lake.read_partition("genres", DT)["name"].to_list() == ["old-1"]
    assert visible_files(lake) == ["_manifest.json", DATA_FILE]


def test_a_run_killed_between_data_and_manifest_is_redone_whole(lake: Lake) -> None:
    """SIGKILL at the one point where the new data file is in place and its manifest is not:
    the partition reads incomplete (so `only_missing` redoes it), and the rerun lands whole."""
    land(lake, "run-1", [genres([1], "old")])
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import date, datetime, UTC
        from game_market.lake import Lake, new_manifest
        from game_market.endpoints import SCHEMAS
        lake = Lake({lake.url!r}, {lake_options(lake)!r})
        replace, pipe_file = os.replace, lake.fs.pipe_file

        def killed_at_the_manifest(write):
            def wrapper(*args, **kwargs):
                if str(args[-1] if lake.is_local else args[0]).endswith("_manifest.json"):
                    os.kill(os.getpid(), signal.SIGKILL)
                return write(*args, **kwargs)
            return wrapper

        if lake.is_local:
            os.replace = killed_at_the_manifest(replace)
        else:
            lake.fs.pipe_file = killed_at_the_manifest(pipe_file)
        items = [{{"id": i, "name": "new"}} for i in (1, 2)]
        rows = SCHEMAS["genres"].normalize(
            items, page=1, run_id="killed", ingested_at=datetime.now(UTC)).table
        with lake.open_partition("genres", date(2026, 1, 5), run_id="killed") as writer:
            writer.add(rows)
            writer.commit(new_manifest("genres", date(2026, 1, 5), "killed"))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9, result.stderr.decode()
    assert not lake.is_complete("genres", DT)
    assert lake.read_manifest("genres", DT) is None
    land(lake, "run-3", [genres([1, 2, 3], "rerun")])
    assert lake.is_complete("genres", DT)
    rows = lake.read_partition("genres", DT)
    assert rows["name"].to_list() == ["rerun-1", "rerun-2", "rerun-3"]
    assert set(rows["_run_id"]) == {"run-3"}


def lake_options(lake: Lake) -> dict:
    if lake.is_local:
        return {}
    return load_settings(lake_url=lake.url).storage_options()


def test_missing_bucket_is_one_clear_sentence(s3_env: dict[str, str]) -> None:
    lake = Lake.from_settings(load_settings(lake_url="s3://no-such-bucket/lake"))
    with pytest.raises(LakeUnavailable) as err:
        lake.check_writable()
    message = str(err.value)
    assert "s3://no-such-bucket/lake" in message and "bucket exists" in message


def test_unreachable_lake_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    lake = Lake.from_settings(load_settings(lake_url="s3://lake/prefix"))
    started = time.monotonic()
    with pytest.raises(LakeUnavailable) as err:
        lake.check_writable()
    assert time.monotonic() - started < 60
    assert "LAKE_URL" in str(err.value)
