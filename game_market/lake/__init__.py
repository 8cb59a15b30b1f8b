"""The Parquet lake: what RAWG sent, one partition per endpoint and day.

``LAKE_URL`` names its root: a local folder, or ``s3://bucket/prefix`` on S3 or MinIO. A
partition is the folder ``raw/{endpoint}/dt=YYYY-MM-DD/``: ``data.parquet``, one row per
``id``, and ``_manifest.json``, what the partition holds and how it was made (a copy is in the
Parquet file's metadata). Rows are staged on local disk while pages arrive, and the partition
is published in one step (``os.replace`` on a disk, one PUT or completed multipart upload on
S3), the old manifest removed first and the new one written last: readers see the old
partition or the new one, and a run killed while publishing leaves a partition with no
manifest, which reads as incomplete (a run with ``only_missing`` lands it again). dbt reads
``raw/`` and nothing else.

- ``store``: ``Lake``, the root and its partitions (list, read, publish), and the
  ``PartitionWriter`` that stages one partition's rows and publishes them
- ``manifest``: what a partition holds and how it was made: its rows, the requests and pages
  it cost, its gap against RAWG's ``count``, what was set aside
- ``lock``: one publisher at a time per partition (``flock`` on a disk, an object created
  only if absent on S3), so two runs of one date never mix one's data with the other's
  manifest
- ``journal``: the pages an earlier attempt at a partition fetched, kept on local disk until
  it is published, so a retry does not spend RAWG's quota on them again
- ``quarantine``: items that cannot be rows (no integer ``id``, a ``results`` that is not a
  list), set aside with the reason under ``quarantine/`` and published with their partition
"""

from __future__ import annotations

from game_market.lake.journal import PageJournal
from game_market.lake.manifest import (
    MANIFEST_FILE,
    MANIFEST_METADATA_KEY,
    Manifest,
    PartitionCounts,
    new_manifest,
)
from game_market.lake.quarantine import NOT_A_LIST, QUARANTINE_FILE
from game_market.lake.store import DATA_FILE, Lake, PartitionWriter

__all__ = [
    "DATA_FILE",
    "MANIFEST_FILE",
    "MANIFEST_METADATA_KEY",
    "NOT_A_LIST",
    "QUARANTINE_FILE",
    "Lake",
    "Manifest",
    "PageJournal",
    "PartitionCounts",
    "PartitionWriter",
    "new_manifest",
]
