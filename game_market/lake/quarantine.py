"""Items RAWG sent that cannot be a row: set aside with the reason, never landed, never lost.

A list item without an integer ``id`` cannot be deduplicated, joined or trusted as a game, and
a page whose ``results`` is not a list holds no items to read. Both are kept, as RAWG sent
them, in ``{LAKE_URL}/quarantine/{endpoint}/dt=YYYY-MM-DD/items.parquet``, published with the
partition they came with (a rerun that sets nothing aside removes the old file), and counted
in the partition's manifest and the run's ingest artifact. The marts only read ``raw/``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa

QUARANTINE_FILE = "items.parquet"
NOT_AN_OBJECT = "item is not an object"
MISSING_ID = "missing id"
NOT_A_LIST = "results is not a list"

SCHEMA = pl.Schema(
    {
        "reason": pl.String,
        "_page": pl.Int32,
        "_pos": pl.Int32,  # null for a whole page
        "_raw": pl.String,
        "_run_id": pl.String,
    }
)


def reason_for(raw: str) -> str:
    """Why an item that normalized to a null ``id`` cannot land."""
    try:
        item = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOT_AN_OBJECT
    if not isinstance(item, dict):
        return NOT_AN_OBJECT
    value = item.get("id")
    if value is None:
        return MISSING_ID
    return f"id is not an integer ({type(value).__name__})"


@dataclass
class Quarantine:
    """What one partition's landing set aside."""

    run_id: str
    reasons: Counter[str] = field(default_factory=Counter)
    _rows: list[tuple[str, int, int | None, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self._rows)

    def add_items(self, rejected: pa.Table) -> None:
        """Rows whose ``id`` is null, with their ``_raw``, ``_page`` and ``_pos``."""
        columns = (rejected[name].to_pylist() for name in ("_raw", "_page", "_pos"))
        for raw, page, pos in zip(*columns, strict=True):
            self._add(reason_for(raw), page, pos, raw)

    @property
    def items(self) -> int:
        """Items set aside one by one (a rejected page's items were never seen)."""
        return sum(1 for _, _, pos, _ in self._rows if pos is not None)

    def add_page(self, reason: str, raw: bytes, *, page: int) -> None:
        self._add(reason, page, None, raw.decode("utf-8", errors="replace"))

    def _add(self, reason: str, page: int, pos: int | None, raw: str) -> None:
        self.reasons[reason] += 1
        self._rows.append((reason, page, pos, raw))

    def write(self, path: Path) -> None:
        rows = [(*row, self.run_id) for row in self._rows]
        pl.DataFrame(rows, schema=SCHEMA, orient="row").write_parquet(path, compression="zstd")
