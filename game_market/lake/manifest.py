"""A partition's manifest: what it holds and how it was made.

It is written beside the data, as ``_manifest.json``, and last, so a partition without one
reads as incomplete; and inside it, in the Parquet file's metadata under
``game_market.manifest``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import orjson

from game_market.endpoints import ENDPOINTS, Endpoint

MANIFEST_FILE = "_manifest.json"
MANIFEST_METADATA_KEY = "game_market.manifest"


@dataclass(kw_only=True)
class PartitionCounts:
    """What filling a partition cost and found, in the units a user plans RAWG quota with."""

    rows: int = 0
    pages: int = 0
    requests: int = 0  # every HTTP attempt, retries included: what the quota was charged
    retries: int = 0
    bytes: int = 0
    expected_rows: int | None = None  # RAWG's ``count``
    gap: int = 0  # expected rows that did not arrive as distinct ids
    unreachable: int = 0  # of the gap, rows RAWG's 500-page window kept from every request
    truncated: bool = False  # a page cap stopped it before RAWG's last page
    drift: dict[str, int] = field(default_factory=dict)
    # pages served from an earlier attempt's journal (game_market.lake.journal): requests saved
    resumed_pages: int = 0
    quarantined: int = 0  # items set aside under quarantine/ (see game_market.lake.quarantine)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)


@dataclass(kw_only=True)
class Manifest(PartitionCounts):
    """What a partition holds and how it was made; written beside (and inside) the data."""

    endpoint: str
    dt: str
    schema_version: int
    run_id: str
    written_at: str

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = orjson.loads(data)
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})


def new_manifest(
    endpoint: Endpoint, dt: date, run_id: str, counts: PartitionCounts | None = None
) -> Manifest:
    return Manifest(
        **asdict(counts or PartitionCounts()),
        endpoint=endpoint,
        dt=dt.isoformat(),
        schema_version=ENDPOINTS[endpoint].schema.version,
        run_id=run_id,
        written_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
