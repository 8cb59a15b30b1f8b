"""Writing a generated lake exactly as the ingest lays it out, and caching it on disk.

``raw/{endpoint}/dt=YYYY-MM-DD/data.parquet`` with each endpoint's lake schema (``_raw``
included) and the ingest's manifest inside and beside, plus a JSON twin of the `games`
partitions (each API response kept as it came, one file per page) for the JSON-vs-Parquet
comparison, and the next day's partitions apart for the incremental build.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from game_market.endpoints import SCHEMAS
from game_market.lake import DATA_FILE, MANIFEST_FILE, MANIFEST_METADATA_KEY, new_manifest
from rawg_simulator.lake.days import appearances, game_rows, next_day_appearances
from rawg_simulator.lake.details import STUDIO_STREAMS, game_details, studio_pool
from rawg_simulator.lake.snapshots import reference_snapshots
from rawg_simulator.lake.spec import PAGE_SIZE, LakeSpec
from rawg_simulator.lake.universe import game_universe


def _lake_frame(frame: pl.DataFrame, endpoint: str) -> pl.DataFrame:
    schema = SCHEMAS[endpoint].polars_schema
    typed = frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    if typed.schema != schema:  # a cast that reshaped a nested column would land here
        raise AssertionError(f"{endpoint}: generated schema differs from the lake's")
    return typed


def _write_partition(root: Path, endpoint: str, dt: date, frame: pl.DataFrame) -> int:
    """One partition as the ingest publishes it: zstd Parquet, its manifest inside and beside."""
    directory = root / "raw" / endpoint / f"dt={dt.isoformat()}"
    directory.mkdir(parents=True, exist_ok=True)
    manifest = new_manifest(endpoint, dt, f"bench-{dt}")
    manifest.rows = frame.height
    manifest.pages = int(frame["_page"].max() or 0) if frame.height else 0
    manifest.requests = manifest.pages
    typed = _lake_frame(frame, endpoint)
    metadata = {MANIFEST_METADATA_KEY: manifest.to_json().decode()}
    typed.write_parquet(directory / DATA_FILE, compression="zstd", metadata=metadata)
    manifest.bytes = (directory / DATA_FILE).stat().st_size
    (directory / MANIFEST_FILE).write_bytes(manifest.to_json())
    return manifest.bytes


def _write_json(root: Path, dt: date, raws: pl.Series) -> int:
    """The JSON lake: each API response kept as it came, one file per page of 40 items."""
    directory = root / "games" / f"dt={dt.isoformat()}"
    directory.mkdir(parents=True, exist_ok=True)
    pages = (
        raws.to_frame("item")
        .with_row_index("position")
        .group_by((pl.col("position") // PAGE_SIZE).alias("page"), maintain_order=True)
        .agg(pl.col("item").str.join(","))
    )
    size = 0
    for page, items in pages.iter_rows():
        body = (
            f'{{"count":{raws.len()},"next":null,"previous":null,"results":[{items}]}}'
        ).encode()
        (directory / f"page-{page + 1:05d}.json").write_bytes(body)
        size += len(body)
    return size


def _write_days(
    spec: LakeSpec,
    lake: Path,
    json_lake: Path | None,
    universe: pl.DataFrame,
    rows: pl.DataFrame,
    catalogs: dict[str, pl.DataFrame],
    studios: dict[str, pl.DataFrame],
    days_per_chunk: int = 16,
) -> dict[str, int]:
    """Every endpoint's partitions for the days in `rows`, written chunk by chunk."""
    sizes = {"parquet": 0, "json": 0, "rows": 0}
    rows = rows.sort("day", "g")  # ids grow with g: each day's rows in id order, like pages
    days = sorted(rows["day"].unique().to_list())
    for start in range(0, len(days), days_per_chunk):
        chunk_days = days[start : start + days_per_chunk]
        games = game_rows(spec, universe, rows.filter(pl.col("day").is_in(chunk_days)))
        details = game_details(spec, games, studios)
        sizes["rows"] += games.height
        details_by_day = details.partition_by("day", as_dict=True, maintain_order=True)
        offsets = games.group_by("day", maintain_order=True).len()
        starts = dict(zip(offsets["day"], offsets["len"].cum_sum() - offsets["len"], strict=True))
        lengths = dict(zip(offsets["day"], offsets["len"], strict=True))
        for day in chunk_days:
            dt = spec.first_day + timedelta(days=day)
            landed = datetime.combine(dt + timedelta(days=1), datetime.min.time(), UTC)
            part = games.slice(starts[day], lengths[day])  # zero-copy: rows are sorted by day
            sizes["parquet"] += _write_partition(lake, "games", dt, part)
            if json_lake is not None:
                sizes["json"] += _write_json(json_lake, dt, part["_raw"])
            detail_part = details_by_day.get((day,))
            if detail_part is not None:
                sizes["parquet"] += _write_partition(lake, "game_details", dt, detail_part)
            for minute, (endpoint, frame) in enumerate(catalogs.items(), start=1):
                stamped = frame.with_columns(
                    _ingested_at=pl.lit(landed + timedelta(hours=2, minutes=minute)),
                    _run_id=pl.lit(f"bench-{dt}"),
                )
                sizes["parquet"] += _write_partition(lake, endpoint, dt, stamped)
    return sizes


@dataclass
class GeneratedLake:
    root: Path  # holds lake/, json/ and next_day/
    spec: LakeSpec
    seconds: float
    rows: int
    distinct_games: int
    parquet_bytes: int
    json_bytes: int
    next_day_rows: int

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def json_lake(self) -> Path:
        return self.root / "json"

    @property
    def next_day(self) -> Path:
        return self.root / "next_day"

    def land_next_day(self) -> list[Path]:
        """Copies the next day's partitions into the lake; returns them, to remove later."""
        placed = []
        for source in sorted(self.next_day.glob("raw/*/dt=*")):
            target = self.lake / source.relative_to(self.next_day)
            shutil.copytree(source, target)
            placed.append(target)
        return placed

    def remove_next_day(self) -> None:
        """Takes the next day's partitions out of the lake (a killed run may have left them)."""
        for stale in self.lake.glob(f"raw/*/dt={self.spec.next_day.isoformat()}"):
            shutil.rmtree(stale)


def generate(spec: LakeSpec, root: Path, *, with_json: bool = True) -> GeneratedLake:
    """Writes the lake, its JSON twin and the next day's partitions under `root`."""
    started = time.perf_counter()
    rows = appearances(spec)
    next_rows = next_day_appearances(spec, rows)
    universe = game_universe(spec, spec.distinct_games + spec.rows_per_day)
    studios = {kind: studio_pool(spec, stream) for kind, stream in STUDIO_STREAMS.items()}
    catalogs = reference_snapshots(spec, universe)
    sizes = _write_days(
        spec, root / "lake", root / "json" if with_json else None, universe, rows, catalogs, studios
    )
    next_sizes = _write_days(spec, root / "next_day", None, universe, next_rows, catalogs, studios)
    generated = GeneratedLake(
        root=root,
        spec=spec,
        seconds=time.perf_counter() - started,
        rows=sizes["rows"],
        distinct_games=int(rows["g"].n_unique()),
        parquet_bytes=sizes["parquet"],
        json_bytes=sizes["json"],
        next_day_rows=next_sizes["rows"],
    )
    record = {k: v for k, v in asdict(generated).items() if k not in {"root", "spec"}}
    (root / "generated.json").write_text(json.dumps(record, indent=2))
    return generated


def cached_lake(
    spec: LakeSpec, cache: Path, *, regenerate: bool, with_json: bool = True
) -> tuple[GeneratedLake, bool]:
    """The generated lake for `spec`, from the cache unless missing or `regenerate`; without
    its JSON twin (a lake of its own in the cache) when only dbt reads it."""
    root = cache / f"transform-{spec.key}{'' if with_json else '-parquet'}"
    record = root / "generated.json"
    if record.exists() and not regenerate:
        saved = json.loads(record.read_text())
        return GeneratedLake(root=root, spec=spec, **saved), True
    partial = root.with_name(root.name + ".partial")
    for stale in (partial, root):
        shutil.rmtree(stale, ignore_errors=True)
    partial.mkdir(parents=True)
    generated = generate(spec, partial, with_json=with_json)
    partial.rename(root)
    generated.root = root
    return generated, False
