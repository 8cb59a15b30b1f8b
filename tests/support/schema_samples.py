"""The real RAWG samples (../shared/rawg_samples) and small items, for the schema tests."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from game_market.endpoints import SCHEMAS
from game_market.schema import NormalizedBatch

SAMPLES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "rawg_samples"
SAMPLES_MISSING = f"real RAWG samples not found at {SAMPLES_DIR}"
INGESTED_AT = datetime(2024, 8, 12, 10, 30, tzinfo=UTC)
GAME_ENDPOINTS = ("games", "game_details")


def endpoint_for(path: Path) -> str:
    if path.name.startswith("game_detail_"):
        return "game_details"
    kind = path.name.split("_list")[0]
    return {"platforms_parents": "parent_platforms"}.get(kind, kind)


def items_of(path: Path) -> list[Any]:
    payload = orjson.loads(path.read_bytes())
    return payload.get("results", [payload])


def sample(name: str) -> list[Any]:
    path = SAMPLES_DIR / name
    if not path.is_file():
        pytest.skip(SAMPLES_MISSING)
    return items_of(path)


def sample_params() -> list[Any]:
    if not SAMPLES_DIR.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=SAMPLES_MISSING))]
    return [pytest.param(path, id=path.name) for path in sorted(SAMPLES_DIR.glob("*.json"))]


def normalize(endpoint: str, items: list[Any], page: int = 1) -> NormalizedBatch:
    return SCHEMAS[endpoint].normalize(items, page=page, run_id="run-1", ingested_at=INGESTED_AT)


def only(endpoint: str, item: Any) -> tuple[dict[str, Any], Counter[str]]:
    batch = normalize(endpoint, [item])
    return batch.frame.row(0, named=True), batch.drift


def game(**overrides: Any) -> dict[str, Any]:
    """A minimal valid full-shape game list item."""
    item: dict[str, Any] = {
        "id": 3498,
        "slug": "grand-theft-auto-v",
        "name": "Grand Theft Auto V",
        "released": "2013-09-17",
        "tba": False,
        "updated": "2024-08-10T18:09:12",
        "rating": 4.47,
        "metacritic": 92,
        "esrb_rating": {"id": 4, "name": "Mature", "slug": "mature"},
        "platforms": [
            {"platform": {"id": 4, "name": "PC", "slug": "pc"}, "released_at": "2013-09-17"}
        ],
        "genres": [{"id": 4, "name": "Action", "slug": "action"}],
        "tags": [{"id": 31, "name": "Singleplayer", "slug": "singleplayer", "language": "eng"}],
    }
    item.update(overrides)
    return item
