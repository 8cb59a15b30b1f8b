"""Two runs publishing one partition at once, on a local folder and on a real S3 endpoint.

The race is forced, not hoped for: the first publisher is held between replacing the data file
and writing its manifest, long enough for the second to publish whole. Without the partition
lock that leaves one run's data under the other's manifest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from game_market.endpoints import SCHEMAS
from game_market.errors import LakeUnavailable
from game_market.lake import DATA_FILE, MANIFEST_METADATA_KEY, Lake, Manifest, new_manifest
from game_market.lake.lock import lock_path, partition_lock
from game_market.settings import load_settings

DT = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)
HELD_S = 0.6


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    if request.param == "local":
        return Lake.from_settings(load_settings(lake_url=str(tmp_path / "lake")))
    bucket = request.getfixturevalue("s3_bucket")
    return Lake.from_settings(load_settings(lake_url=f"s3://{bucket}/game-market"))


def publish(lake: Lake, run_id: str, ids: list[int]) -> None:
    items = [{"id": i, "name": f"{run_id}-{i}", "slug": f"g{i}", "games_count": i} for i in ids]
    rows = SCHEMAS["genres"].normalize(items, page=1, run_id=run_id, ingested_at=NOW).table
    with lake.open_partition("genres", DT, run_id=run_id) as writer:
        writer.add(rows)
        writer.commit(new_manifest("genres", DT, run_id))


def hold_first_manifest(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Run "first" pauses just before writing its manifest; the event is set once it is
    paused there."""
    paused = threading.Event()

    def delayed(write):
        def wrapper(*args, **kwargs):
            target = str(args[-1] if lake.is_local else args[0])
            is_manifest = target.endswith("_manifest.json")
            if is_manifest and threading.current_thread().name == "first":
                paused.set()
                time.sleep(HELD_S)
            return write(*args, **kwargs)

        return wrapper

    if lake.is_local:
        monkeypatch.setattr(os, "replace", delayed(os.replace))
    else:
        monkeypatch.setattr(lake.fs, "pipe_file", delayed(lake.fs.pipe_file))
    return paused


def test_the_last_writer_wins_whole(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    paused = hold_first_manifest(lake, monkeypatch)
    first = threading.Thread(target=publish, args=(lake, "first", [1, 2, 3]), name="first")
    first.start()
    assert paused.wait(30)
    second = threading.Thread(target=publish, args=(lake, "second", [3, 4]), name="second")
    second.start()
    first.join(30)
    second.join(30)

    lake.fs.invalidate_cache()
    manifest = lake.read_manifest("genres", DT)
    rows = lake.read_partition("genres", DT)
    path = f"{lake.partition_dir('genres', DT)}/{DATA_FILE}"
    with lake.fs.open(path, "rb") as handle:
        inside = Manifest.from_json(
            pl.read_parquet_metadata(handle)[MANIFEST_METADATA_KEY].encode()
        )
    assert manifest is not None
    assert set(rows["_run_id"]) == {manifest.run_id} == {inside.run_id}
    assert rows["id"].to_list() == {"first": [1, 2, 3], "second": [3, 4]}[manifest.run_id]
    assert manifest.rows == rows.height


def test_a_held_lock_makes_the_next_publisher_wait_then_say_so(lake: Lake) -> None:
    with partition_lock(lake, "genres", DT.isoformat(), "holder"):
        started = time.monotonic()
        with (
            pytest.raises(LakeUnavailable) as error,
            partition_lock(lake, "genres", DT.isoformat(), "waiter", wait_s=0.5),
        ):
            pass
        assert time.monotonic() - started >= 0.5
    assert str(error.value) == (
        f"Another run has been publishing this partition for over 0.5 s (lock "
        f"{lake.uri(lock_path(lake, 'genres', DT.isoformat()))}): let it finish, or if no run is "
        "publishing, delete the lock and rerun."
    )
    with partition_lock(lake, "genres", DT.isoformat(), "after", wait_s=0.5):
        pass  # released by its holder: free at once


def test_a_killed_holder_never_blocks_the_next_run(lake: Lake) -> None:
    """SIGKILL while holding the lock: a local flock dies with its process; an S3 lock names a
    process that no longer exists on this machine, and is taken over."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from game_market.lake import Lake\n"
            "from game_market.lake.lock import partition_lock\n"
            "from game_market.settings import load_settings\n"
            "lake = Lake.from_settings(load_settings(lake_url=sys.argv[1]))\n"
            "with partition_lock(lake, 'genres', '2026-01-05', 'killed'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
            lake.url,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with (
        pytest.raises(LakeUnavailable),
        partition_lock(lake, "genres", DT.isoformat(), "while-alive", wait_s=0.3),
    ):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    started = time.monotonic()
    publish(lake, "next", [7])
    assert time.monotonic() - started < 5
    manifest = lake.read_manifest("genres", DT)
    assert manifest is not None and (manifest.run_id, manifest.rows) == ("next", 1)
    if not lake.is_local:  # the taken-over lock was given back
        assert not lake.fs.exists(lock_path(lake, "genres", DT.isoformat()))
