"""The Parquet lake: ``{LAKE_URL}/raw/{endpoint}/dt=YYYY-MM-DD/data.parquet`` + manifest.

A partition is one Parquet file, published in a single atomic step (``os.replace`` on a
local disk, one PUT or completed multipart upload on S3), so readers see the old partition
or the new one and never half of one. Rows are written to that file on local disk while pages
arrive, a row group at a time, which keeps memory flat for partitions of any size; duplicates
across pages are resolved at publish time: the last one seen (highest page, then position)
wins. Only a partition that has some (rows that moved between pages while paging) is written
a second time. Publishing holds the partition's lock (:mod:`game_market.lake.lock`), so runs
landing one partition at once never mix one's data file with the other's manifest: the last
writer wins whole.

Rows go through pyarrow's writer as they arrive rather than into polars chunks rewritten by
one ``sink_parquet`` at the end: a rewrite holds the whole partition in memory and pays for
every row twice, where writing once keeps memory at a row group and the CPU at one pass.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import fsspec
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from game_market.endpoints import ENDPOINTS, Endpoint
from game_market.errors import LakeUnavailable
from game_market.lake.lock import partition_lock
from game_market.lake.manifest import MANIFEST_FILE, MANIFEST_METADATA_KEY, Manifest
from game_market.lake.quarantine import QUARANTINE_FILE, Quarantine
from game_market.schema import EndpointSchema
from game_market.settings import Settings

logger = logging.getLogger(__name__)

DATA_FILE = "data.parquet"
# Short timeouts so an unreachable endpoint fails in seconds, not after minutes of retries.
S3_CONFIG = {"connect_timeout": 5, "read_timeout": 60, "retries": {"max_attempts": 3}}


class Lake:
    """A lake root on any fsspec filesystem (local folder or ``s3://bucket/prefix``)."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        options = dict(storage_options or {})
        if url.startswith("s3://"):
            options.setdefault("config_kwargs", S3_CONFIG)
        elif not url.startswith("file://"):
            url = str(Path(url).expanduser().resolve())
        self.url = url
        self.fs, self.root = fsspec.core.url_to_fs(url, **options)
        self.is_local = isinstance(self.fs, LocalFileSystem)

    @classmethod
    def from_settings(cls, settings: Settings) -> Lake:
        return cls(settings.lake_url, settings.storage_options())

    def partition_dir(self, endpoint: str, dt: date) -> str:
        return f"{self.root}/raw/{endpoint}/dt={dt.isoformat()}"

    @property
    def access_advice(self) -> str:
        """What a user checks when the lake cannot be read or written."""
        if self.is_local:
            return f"check LAKE_URL, that {self.root} is writable and that its disk has space"
        return "check LAKE_URL, that the bucket exists, AWS_ENDPOINT_URL_S3 and the AWS credentials"

    def quarantine_dir(self, endpoint: str, dt: date) -> str:
        return f"{self.root}/quarantine/{endpoint}/dt={dt.isoformat()}"

    def uri(self, path: str) -> str:
        return path if self.is_local else f"s3://{path}"

    def check_writable(self) -> None:
        """Prove we can write and delete under the root before any API request is spent."""
        probe = f"{self.root}/_probe/{os.getpid()}-{datetime.now(UTC).timestamp():.0f}"
        try:
            if self.is_local:
                os.makedirs(os.path.dirname(probe), exist_ok=True)
            self.fs.pipe_file(probe, b"ok")
            self.fs.rm_file(probe)
        except Exception as exc:  # any backend error means the same thing to the user
            raise LakeUnavailable(
                f"Cannot write to the lake at {self.url} ({_short(exc)}): {self.access_advice}."
            ) from None

    def read_manifest(self, endpoint: str, dt: date) -> Manifest | None:
        path = f"{self.partition_dir(endpoint, dt)}/{MANIFEST_FILE}"
        try:
            return Manifest.from_json(self.fs.cat_file(path))
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise LakeUnavailable(
                f"Cannot read {self.uri(path)} ({_short(exc)}): check LAKE_URL and the "
                "lake's credentials."
            ) from None

    def is_complete(self, endpoint: str, dt: date) -> bool:
        """A partition is complete when its manifest and its data file are both there."""
        self.fs.invalidate_cache(self.partition_dir(endpoint, dt))
        manifest = self.read_manifest(endpoint, dt)
        if manifest is None:
            return False
        return bool(self.fs.exists(f"{self.partition_dir(endpoint, dt)}/{DATA_FILE}"))

    def partitions(self, endpoint: str) -> list[date]:
        base = f"{self.root}/raw/{endpoint}"
        self.fs.invalidate_cache(base)
        try:
            names = self.fs.ls(base, detail=False)
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            leaf = name.rstrip("/").rsplit("/", 1)[-1]
            if leaf.startswith("dt="):
                try:
                    found.append(date.fromisoformat(leaf[3:]))
                except ValueError:
                    continue
        return sorted(found)

    def read_partition(
        self, endpoint: str, dt: date, columns: list[str] | None = None
    ) -> pl.DataFrame:
        path = f"{self.partition_dir(endpoint, dt)}/{DATA_FILE}"
        with self.fs.open(path, "rb") as handle:
            return pl.read_parquet(handle, columns=columns)

    def open_partition(
        self, endpoint: Endpoint, dt: date, *, run_id: str, chunk_rows: int = 1000
    ) -> PartitionWriter:
        """A writer for one partition; ``chunk_rows`` rows make a row group (1,000 RAWG-sized
        items, ~9 MB, held ~18 MB less at peak than 2,000 in a 20,000-game partition)."""
        return PartitionWriter(
            self, ENDPOINTS[endpoint].schema, dt, run_id=run_id, chunk_rows=chunk_rows
        )

    def publish_partition(
        self,
        staged_file: Path,
        endpoint: str,
        dt: date,
        manifest: Manifest,
        quarantined: Path | None = None,
    ) -> None:
        """Replace the partition with ``staged_file`` and its manifest, under its lock, and the
        partition's quarantine with ``quarantined`` (None: remove the last landing's)."""
        directory = self.partition_dir(endpoint, dt)
        data_path = f"{directory}/{DATA_FILE}"
        manifest_path = f"{directory}/{MANIFEST_FILE}"
        try:
            with partition_lock(self, endpoint, dt.isoformat(), manifest.run_id):
                self._publish_quarantine(endpoint, dt, quarantined)
                # Drop the old manifest first: a run killed mid-publish reads as incomplete.
                if self.fs.exists(manifest_path):
                    self.fs.rm_file(manifest_path)
                if self.is_local:
                    os.makedirs(directory, exist_ok=True)
                    temporary = f"{data_path}.{manifest.run_id}.tmp"
                    shutil.move(str(staged_file), temporary)
                    os.replace(temporary, data_path)
                    temporary_manifest = f"{manifest_path}.{manifest.run_id}.tmp"
                    Path(temporary_manifest).write_bytes(manifest.to_json())
                    os.replace(temporary_manifest, manifest_path)
                else:
                    self.fs.put_file(str(staged_file), data_path)
                    self.fs.pipe_file(manifest_path, manifest.to_json())
        except LakeUnavailable:
            raise
        except Exception as exc:
            if self.is_local:  # a copy cut short (a full disk) leaves no stray file behind
                Path(f"{data_path}.{manifest.run_id}.tmp").unlink(missing_ok=True)
            raise LakeUnavailable(
                f"Could not publish to the lake at {self.url} ({_short(exc)}): the partition "
                f"was not published; {self.access_advice}, then rerun this date."
            ) from None

    def _publish_quarantine(self, endpoint: str, dt: date, staged: Path | None) -> None:
        """The items this landing set aside replace the last landing's, or remove them."""
        path = f"{self.quarantine_dir(endpoint, dt)}/{QUARANTINE_FILE}"
        if staged is None:
            if self.fs.exists(path):
                self.fs.rm_file(path)
        elif self.is_local:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.replace(shutil.move(str(staged), f"{path}.tmp"), path)
        else:
            self.fs.put_file(str(staged), path)


class PartitionWriter:
    """Collects normalized pages for one (endpoint, dt) and publishes them atomically."""

    def __init__(
        self, lake: Lake, schema: EndpointSchema, dt: date, *, run_id: str, chunk_rows: int
    ) -> None:
        self.lake = lake
        self.schema = schema
        self.dt = dt
        self.run_id = run_id
        self.chunk_rows = chunk_rows
        self._staging = Path(tempfile.mkdtemp(prefix=f"gmp-{schema.endpoint}-{dt}-"))
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._rows_path = self._staging / "rows.parquet"
        self._rows: pq.ParquetWriter | None = None
        self._written = 0
        self._winner: dict[int, tuple[int, int]] = {}
        self.quarantine = Quarantine(run_id)

    @property
    def distinct_ids(self) -> int:
        return len(self._winner)

    def add(self, rows: pa.Table) -> None:
        """Stage normalized rows (a ``NormalizedBatch.table``); those without an integer ``id``
        go to the quarantine."""
        if rows["id"].null_count:
            self.quarantine.add_items(rows.filter(pc.is_null(rows["id"])))
            rows = rows.filter(pc.is_valid(rows["id"]))
        if rows.num_rows == 0:
            return
        winner = self._winner
        for key, page, pos in zip(
            rows["id"].to_pylist(), rows["_page"].to_pylist(), rows["_pos"].to_pylist(), strict=True
        ):
            if (page, pos) > winner.get(key, (-1, -1)):
                winner[key] = (page, pos)
        self._buffer.append(rows)
        self._buffered += rows.num_rows

    @property
    def chunk_due(self) -> bool:
        """Enough rows are buffered to write a row group (call ``flush``, off the event loop)."""
        return self._buffered >= self.chunk_rows

    def flush(self) -> None:
        """Write the buffered rows as one row group of the staged file."""
        if not self._buffer:
            return
        tables, self._buffer, self._buffered = self._buffer, [], 0
        table = pa.concat_tables(tables)
        if self._rows is None:
            # The endpoint's schema, not the first batch's: a batch of another refuses to land.
            self._rows = _parquet_writer(self._rows_path, self.schema.arrow_schema)
        self._rows.write_table(table)
        self._written += table.num_rows

    def commit(self, manifest: Manifest) -> Manifest:
        """Deduplicate, finish the Parquet file and publish it with its manifest."""
        self.flush()
        manifest.rows = len(self._winner)
        manifest.quarantined = len(self.quarantine)
        manifest.quarantine_reasons = dict(self.quarantine.reasons)
        manifest.schema_version = self.schema.version
        output = self._staging / DATA_FILE
        metadata = {MANIFEST_METADATA_KEY: manifest.to_json().decode()}
        if self._rows is None:
            self.schema.empty_frame().write_parquet(output, compression="zstd", metadata=metadata)
        elif self._written == len(self._winner):  # every row has an id, none seen twice
            self._rows.add_key_value_metadata(metadata)
            self._rows.close()
            self._rows_path.rename(output)
        else:
            self._rows.close()
            self._keep_winners(output, metadata)
        quarantined = None
        if len(self.quarantine):
            quarantined = self._staging / QUARANTINE_FILE
            self.quarantine.write(quarantined)
        self.lake.publish_partition(output, self.schema.endpoint, self.dt, manifest, quarantined)
        self.close()
        return manifest

    def _keep_winners(self, output: Path, metadata: dict[str, str]) -> None:
        """Rewrite the staged rows keeping the last one seen per id, a row group at a time."""
        winners = pl.DataFrame(
            {
                "id": list(self._winner),
                "_page": [page for page, _ in self._winner.values()],
                "_pos": [pos for _, pos in self._winner.values()],
            },
            schema={"id": pl.Int64, "_page": pl.Int32, "_pos": pl.Int32},
        )
        staged = pq.ParquetFile(self._rows_path)
        with _parquet_writer(output, staged.schema_arrow) as kept:
            for group in range(staged.num_row_groups):
                rows = pl.from_arrow(staged.read_row_group(group))
                kept.write_table(
                    rows.join(
                        winners, on=["id", "_page", "_pos"], how="semi", maintain_order="left"
                    ).to_arrow()
                )
            kept.add_key_value_metadata(metadata)

    def close(self) -> None:
        if self._rows is not None and self._rows.is_open:
            self._rows.close()
        shutil.rmtree(self._staging, ignore_errors=True)

    def __enter__(self) -> PartitionWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A lake file's writer. No min/max statistics for ``_raw``: no query filters on an item's
    JSON, and each row group's would hold two items of ~9 KB in the footer, for CPU spent."""
    with_statistics = [name for name in schema.names if name != "_raw"]
    return pq.ParquetWriter(path, schema, compression="zstd", write_statistics=with_statistics)


def _short(exc: BaseException) -> str:
    """The error's type and first line; a URL it quotes is shortened to its host, so the same
    cause reads the same for every partition it hit."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = re.sub(r'"?https?://([^/"\s]+)[^"\s]*"?', r"\1", text)
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
