"""The columnar path for items as RAWG's JSON bytes, and fuzzed items and batches."""

from __future__ import annotations

import copy
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from polars.testing import assert_frame_equal

from game_market.endpoints import ENDPOINTS, SCHEMAS
from game_market.schema.columnar import ColumnarReader, DoesNotFit
from tests.support.schema_samples import (
    INGESTED_AT,
    SAMPLES_DIR,
    SAMPLES_MISSING,
    endpoint_for,
    game,
    items_of,
    normalize,
    only,
    sample,
    sample_params,
)

# --- the columnar path for items as JSON bytes -------------------------------------------------

SEARCH_SAMPLE = "games_list_search_lastpage_2023-03.json"  # string scores: the dict path


def as_rawg_sends(item: Any) -> bytes:
    """An item as RAWG's API sends it: Django REST framework's compact JSON, unicode as is."""
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("path", sample_params())
def test_the_columnar_path_lands_what_the_dict_path_does(path: Path) -> None:
    endpoint = endpoint_for(path)
    raws = [as_rawg_sends(item) for item in items_of(path)]
    spec = ENDPOINTS[endpoint]
    reader = ColumnarReader(spec.attrs, spec.raw_only)
    if path.name == SEARCH_SAMPLE:
        with pytest.raises(DoesNotFit):
            reader.read(raws)
    else:
        assert reader.read(raws).num_rows == len(raws)  # the fast path takes real pages
    fast = spec.schema.normalize_raw(raws, page=7, run_id="run-42", ingested_at=INGESTED_AT)
    items = [orjson.loads(raw) for raw in raws]
    old = spec.schema.normalize(items, page=7, run_id="run-42", ingested_at=INGESTED_AT)
    assert_frame_equal(fast.frame, old.frame)  # _raw included: the bytes as they came
    # Both in the lake's exact Arrow types, so either lands in the same Parquet file as it is.
    assert fast.table.schema == old.table.schema == spec.schema.arrow_schema
    assert fast.table.equals(old.table)
    assert fast.drift == old.drift == Counter()


def test_nulls_take_the_columnar_path_and_land_as_the_dict_path_does() -> None:
    items = [
        game(id=1, platforms=None, esrb_rating=None),
        game(id=2, tags=[{"id": 9, "name": None}], genres=None),
        game(id=3, platforms=[{"platform": None, "released_at": None}], released=None),
        game(id=4),
    ]
    raws = [orjson.dumps(item) for item in items]
    spec = ENDPOINTS["games"]
    assert ColumnarReader(spec.attrs, spec.raw_only).read(raws).num_rows == 4
    fast = spec.schema.normalize_raw(raws, page=1, run_id="run-1", ingested_at=INGESTED_AT)
    assert_frame_equal(fast.frame, normalize("games", items).frame)
    assert fast.frame["platforms"].to_list()[0] is None
    assert len(fast.frame["platforms"].to_list()[3]) == len(items[3]["platforms"])


def test_a_batch_the_columnar_path_does_not_fit_is_read_as_dicts() -> None:
    items = [game(), game(id=8, rating="4.5"), game(id=9, tags=[None]), game(id=10, new=1)]
    for kept in range(len(items) + 1):
        batch = items[:kept]
        raws = [orjson.dumps(item) for item in batch]
        fast = SCHEMAS["games"].normalize_raw(raws, page=1, run_id="run-1", ingested_at=INGESTED_AT)
        assert_frame_equal(fast.frame, normalize("games", batch).frame)
        assert fast.drift == normalize("games", batch).drift


# --- fuzzing -----------------------------------------------------------------------------------

GARBAGE: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**63,  # fits orjson (uint64) but not Int64
    2**64 - 1,
    1.5,
    float("1e308"),
    "",
    "x",
    "2024-02-30",
    "4.5",
    [],
    [None],
    {},
    {"a": {"b": [1, "2", None]}},
    [[[[[]]]]],
]


def garbage(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 6 and roll < 0.15:
        return [garbage(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 6 and roll < 0.3:
        return {rng.choice(["id", "name", "platform", "z"]): garbage(rng, depth + 1)}
    return rng.choice(GARBAGE)


def mutate(value: Any, rng: random.Random) -> Any:
    """Swap types, delete and add keys, nest garbage, at random depths."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            roll = rng.random()
            if roll < 0.05:
                continue  # delete
            out[key] = garbage(rng) if roll < 0.12 else mutate(inner, rng)
        if rng.random() < 0.1:
            out[f"new_{rng.randint(0, 9)}"] = garbage(rng)
        return out
    if isinstance(value, list):
        out_list = [mutate(inner, rng) for inner in value if rng.random() > 0.05]
        if rng.random() < 0.1:
            out_list.insert(rng.randint(0, len(out_list)), garbage(rng))
        return out_list
    return garbage(rng) if rng.random() < 0.1 else value


def fuzz_seeds() -> list[tuple[str, Any]]:
    if not SAMPLES_DIR.is_dir():
        pytest.skip(SAMPLES_MISSING)
    return [
        (endpoint_for(path), item)
        for path in sorted(SAMPLES_DIR.glob("*.json"))
        for item in items_of(path)[:6]
    ]


def test_fuzzed_items_never_raise_and_never_lose_data() -> None:
    rng = random.Random(20240812)
    seeds = fuzz_seeds()
    for _ in range(150):
        endpoint = rng.choice(list(SCHEMAS))
        # Items of any endpoint, mutated: also exercises completely foreign shapes.
        items = [mutate(rng.choice(seeds)[1], rng) for _ in range(rng.randint(0, 12))]
        if rng.random() < 0.2:
            items.insert(0, garbage(rng))

        snapshot = copy.deepcopy(items)

        batch = normalize(endpoint, items, page=rng.randint(1, 500))

        assert items == snapshot, "normalize must not modify its input"
        frame = batch.frame
        assert frame.schema == SCHEMAS[endpoint].polars_schema
        assert frame.height == len(items)
        for item, raw in zip(items, frame["_raw"], strict=True):
            assert orjson.loads(raw) == item


def test_fuzzed_batches_land_the_same_as_bytes_and_as_dicts() -> None:
    rng = random.Random(20240813)
    seeds = fuzz_seeds()
    for _ in range(150):
        endpoint = rng.choice(list(SCHEMAS))
        chosen = [rng.choice(seeds) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.5:  # unmutated items of its endpoint: what the columnar path takes
            items = [item for of, item in chosen if of == endpoint]
        else:
            items = [mutate(item, rng) for _, item in chosen]
        raws = [orjson.dumps(item) for item in items]
        fast = SCHEMAS[endpoint].normalize_raw(
            raws, page=3, run_id="run-1", ingested_at=INGESTED_AT
        )
        old = normalize(endpoint, items, page=3)
        assert_frame_equal(fast.frame, old.frame)
        assert fast.drift == old.drift


def test_fuzzed_wrong_types_are_nulls_not_coerced_values() -> None:
    # polars itself would happily turn "4.5" into 4.5 or True into 1; the normalizer must not.
    rng = random.Random(7)
    schema = SCHEMAS["games"]
    for _ in range(200):
        column = rng.choice([c for c, t in schema.columns.items() if t.is_numeric()])
        value = rng.choice(["4", "4.5", True, False, [], {}, "x"])
        if column == "score" and value in ("4", "4.5"):
            continue
        row, drift = only("games", game(**{column: value}))
        assert row[column] is None, (column, value)
        assert sum(drift.values()) == 1


def test_normalizing_grows_linearly_with_the_items() -> None:
    """A guard against quadratic or per-value polars work: four times the items cost about
    four times the CPU (sixteen if quadratic). Speed itself is benchmarks/ingest.py's."""
    schema = SCHEMAS["games"]
    page = sample("games_list_page1_2024-08.json")

    def cpu_seconds(copies: int) -> float:
        items = page * copies

        def once() -> float:
            started = time.process_time()
            schema.normalize(items, page=1, run_id="r", ingested_at=INGESTED_AT)
            return time.process_time() - started

        return min(once() for _ in range(3))

    cpu_seconds(5)  # imports and first-call work out of the measure
    assert cpu_seconds(100) / cpu_seconds(25) < 8
