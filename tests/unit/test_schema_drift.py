"""The normalizer under drift: wrong types, unknown and missing fields, odd items, sizes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from game_market.endpoints import SCHEMAS
from game_market.schema.readers import pad_blocks
from tests.support.schema_samples import (
    INGESTED_AT,
    game,
    normalize,
    only,
)

# --- drift: wrong types never break a run or lose data ------------------------------------------

NOT_NUMERIC = "score: expected number or numeric string, got non-numeric str"
BAD_DATETIME = "updated: expected datetime, got unparseable str"
DRIFT_CASES = [
    # (overrides, column, typed value, drift)
    ({"rating": "4.5"}, "rating", None, "rating: expected number, got str"),
    ({"rating": True}, "rating", None, "rating: expected number, got bool"),
    ({"rating": 4}, "rating", 4.0, None),
    ({"metacritic": True}, "metacritic", None, "metacritic: expected int, got bool"),
    ({"metacritic": 85.0}, "metacritic", None, "metacritic: expected int, got float"),
    ({"metacritic": "85"}, "metacritic", None, "metacritic: expected int, got str"),
    ({"id": 2**63}, "id", None, "id: expected int, got out-of-range int"),
    ({"id": -(2**63) - 1}, "id", None, "id: expected int, got out-of-range int"),
    ({"id": -(2**63)}, "id", -(2**63), None),
    ({"tba": 1}, "tba", None, "tba: expected bool, got int"),
    ({"name": 5}, "name", None, "name: expected str, got int"),
    ({"name": ["x"]}, "name", None, "name: expected str, got list"),
    ({"score": "-0.95027065"}, "score", -0.95027065, None),
    ({"score": 3}, "score", 3.0, None),
    ({"score": "abc"}, "score", None, NOT_NUMERIC),
    ({"score": "nan"}, "score", None, NOT_NUMERIC),
    ({"score": "1e999"}, "score", None, NOT_NUMERIC),
    ({"score": False}, "score", None, "score: expected number or numeric string, got bool"),
    ({"released": "2024-13-01"}, "released", None, "released: expected date, got unparseable str"),
    ({"released": "20240101"}, "released", None, "released: expected date, got unparseable str"),
    ({"released": 20240101}, "released", None, "released: expected date, got int"),
    ({"updated": "2024-01-02T03:04:05Z"}, "updated", datetime(2024, 1, 2, 3, 4, 5), None),
    (
        {"updated": "2024-01-02T03:04:05.123456"},
        "updated",
        datetime(2024, 1, 2, 3, 4, 5, 123456),
        None,
    ),
    ({"updated": "2024-01-02 03:04:05"}, "updated", None, BAD_DATETIME),
    ({"updated": "2024-01-02T03:04:05+02:00"}, "updated", None, BAD_DATETIME),
    ({"esrb_rating": "M"}, "esrb_rating", None, "esrb_rating: expected object, got str"),
    (
        {"esrb_rating": {"id": "4", "name": "Mature", "slug": "mature"}},
        "esrb_rating",
        {"id": None, "name": "Mature", "slug": "mature"},
        "esrb_rating.id: expected int, got str",
    ),
    ({"platforms": {"platform": {}}}, "platforms", None, "platforms: expected list, got dict"),
    ({"platforms": None}, "platforms", None, None),
    ({"platforms": []}, "platforms", [], None),
    (
        {"genres": [7, {"id": 4, "name": "Action", "slug": "action"}]},
        "genres",
        [{"id": 4, "name": "Action", "slug": "action"}],
        "genres[]: expected object, got int",
    ),
    ({"genres": [None]}, "genres", [], "genres[]: expected object, got null"),
    (
        {"platforms": [{"platform": "pc", "released_at": "2013-09-17"}]},
        "platforms",
        [
            {
                "platform_id": None,
                "platform_name": None,
                "platform_slug": None,
                "released_at": date(2013, 9, 17),
            }
        ],
        "platforms[].platform: expected object, got str",
    ),
    (
        {"platforms": [{"platform": {"id": 4, "name": "PC", "slug": "pc"}, "released_at": 2013}]},
        "platforms",
        [{"platform_id": 4, "platform_name": "PC", "platform_slug": "pc", "released_at": None}],
        "platforms[].released_at: expected date, got int",
    ),
    (
        {"tags": [{"id": 2**64, "name": "x", "slug": "x", "language": "eng", "games_count": 1}]},
        "tags",
        [{"id": None, "name": "x", "slug": "x", "language": "eng", "games_count": 1}],
        "tags[].id: expected int, got out-of-range int",
    ),
]


@pytest.mark.parametrize(("overrides", "column", "typed", "expected_drift"), DRIFT_CASES)
def test_unexpected_types_become_null_and_are_counted(
    overrides: dict[str, Any], column: str, typed: Any, expected_drift: str | None
) -> None:
    item = game(**overrides)

    row, drift = only("games", item)

    assert row[column] == typed
    assert drift == (Counter({expected_drift: 1}) if expected_drift else Counter())
    assert json.loads(row["_raw"]) == item
    assert row["name"] == item["name"] or column == "name", "other columns are unaffected"


def test_a_bad_value_only_nulls_its_own_cell() -> None:
    items = [
        game(id=1, metacritic=92, esrb_rating=None, genres=[{"id": 4, "name": "Action"}]),
        game(id=2, metacritic="92", esrb_rating="M", genres=[3, {"id": 5}, None]),
        game(id=3, metacritic=None, genres=None),
        game(id=4, metacritic=True, esrb_rating={"id": 1}, genres="Action"),
        game(id=5, metacritic=85, genres=[]),
    ]

    batch = normalize("games", items)
    frame = batch.frame

    assert frame["id"].to_list() == [1, 2, 3, 4, 5]
    assert frame["metacritic"].to_list() == [92, None, None, None, 85]
    assert frame["esrb_rating"].to_list() == [
        None,
        None,
        {"id": 4, "name": "Mature", "slug": "mature"},
        {"id": 1, "name": None, "slug": None},
        {"id": 4, "name": "Mature", "slug": "mature"},
    ]
    assert frame["genres"].to_list() == [
        [{"id": 4, "name": "Action", "slug": None}],
        [{"id": 5, "name": None, "slug": None}],
        None,
        None,
        [],
    ]
    assert batch.drift == Counter(
        {
            "metacritic: expected int, got str": 1,
            "metacritic: expected int, got bool": 1,
            "esrb_rating: expected object, got str": 1,
            "genres[]: expected object, got int": 1,
            "genres[]: expected object, got null": 1,
            "genres: expected list, got str": 1,
        }
    )


def test_one_bad_intermediate_object_counts_once() -> None:
    _, drift = only("games", game(stores=[{"store": 3}, {"store": [1]}]))
    assert drift == Counter(
        {
            "stores[].store: expected object, got int": 1,
            "stores[].store: expected object, got list": 1,
        }
    )


def test_scalar_list_elements_of_a_wrong_type_are_dropped_and_counted() -> None:
    item = {"id": 1, "alternative_names": ["GTA 5", 5, None, "GTA V"]}

    row, drift = only("game_details", item)

    assert row["alternative_names"] == ["GTA 5", "GTA V"]
    assert drift == Counter(
        {
            "alternative_names[]: expected str, got int": 1,
            "alternative_names[]: expected str, got null": 1,
        }
    )


def test_unknown_fields_are_counted_and_kept_in_raw() -> None:
    item = game(new_thing={"a": [1, 2]}, another=None)

    row, drift = only("games", item)

    assert drift == Counter({"unknown field: new_thing": 1, "unknown field: another": 1})
    assert orjson.loads(row["_raw"]) == item


def test_deliberately_raw_only_fields_are_not_drift() -> None:
    item = game(short_screenshots=[{"id": 1, "image": "x"}], clip=None, community_rating=0)
    assert only("games", item)[1] == Counter()


def test_missing_fields_are_null_without_drift() -> None:
    row, drift = only("games", {"id": 1})

    assert drift == Counter()
    assert row["id"] == 1
    assert all(row[name] is None for name in SCHEMAS["games"].columns if name != "id")


@pytest.mark.parametrize("item", [42, "text", None, [1, {"id": 2}], True, 1.5])
def test_an_item_that_is_not_an_object_still_becomes_a_row(item: Any) -> None:
    batch = normalize("games", [game(), item, game(id=7)])

    assert batch.frame.height == 3
    row = batch.frame.row(1, named=True)
    assert all(row[name] is None for name in SCHEMAS["games"].columns)
    assert orjson.loads(row["_raw"]) == item
    assert batch.drift == Counter({"item: expected object": 1})
    assert batch.frame["id"].to_list() == [3498, None, 7]
    assert batch.frame["_pos"].to_list() == [0, 1, 2]


def test_values_orjson_cannot_encode_still_round_trip() -> None:
    # json.loads yields these; orjson.dumps refuses them, so _raw falls back (ASCII-escaped).
    item = json.loads(
        '{"id": 1, "name": "bad \\ud800 surrogate", "huge": 123456789012345678901234567890,'
        ' "deep": ' + "[" * 600 + "]" * 600 + "}"
    )

    row, drift = only("games", item)

    assert json.loads(row["_raw"]) == item
    assert row["id"] == 1
    assert row["name"] is None
    assert drift == Counter(
        {
            "name: expected str, got str with lone surrogate": 1,
            "unknown field: huge": 1,
            "unknown field: deep": 1,
        }
    )


def test_any_nesting_depth_is_accepted() -> None:
    deep: Any = 0
    for _ in range(5000):  # beyond orjson's and the stdlib json encoder's recursion limits
        deep = {"x": [deep]}

    row, _ = only("games", game(tags=deep, junk=deep))

    assert row["tags"] is None
    assert row["_raw"].startswith('{"id":3498,')


def test_very_uneven_list_lengths_are_exact() -> None:
    # One very long list must not pad every other row to its width (the rows are split
    # into blocks); the result must be the same.
    lengths = [0, 3000, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 5, 3000, 1] + [2] * 200
    items = [
        {"id": row, "genres": [{"id": i, "name": f"g{i}", "slug": "s"} for i in range(n)]}
        for row, n in enumerate(lengths)
    ]
    items[3]["genres"] = None

    genres = normalize("games", items).frame["genres"].to_list()

    assert genres == [item["genres"] for item in items]


@pytest.mark.parametrize(
    "counts",
    [[], [0], [5] * 100, [3000] + [0] * 50 + [1, 2] * 50, [0, 10**5] * 200, [7, 0, 10**4, 3] * 30],
)
def test_padding_blocks_cover_all_rows_and_stay_linear(counts: list[int]) -> None:
    blocks = pad_blocks(counts)

    assert [first for first, _ in blocks] == [0, *(stop for _, stop in blocks[:-1])]
    assert blocks[-1][1] == len(counts)
    padded = sum((stop - first) * max(counts[first:stop], default=0) for first, stop in blocks)
    assert padded <= 4 * sum(counts) + 64 * len(blocks)


def test_empty_batch_has_the_exact_schema() -> None:
    for endpoint, schema in SCHEMAS.items():
        batch = schema.normalize([], page=1, run_id="r", ingested_at=INGESTED_AT)
        assert batch.frame.schema == schema.polars_schema, endpoint
        assert batch.frame.height == 0
        assert batch.drift == Counter()
        assert batch.frame.equals(SCHEMAS[endpoint].empty_frame())


def test_ingested_at_must_be_aware_and_is_stored_in_utc() -> None:
    schema = SCHEMAS["genres"]
    with pytest.raises(ValueError, match="timezone-aware"):
        schema.normalize([], page=1, run_id="r", ingested_at=datetime(2024, 1, 1))

    paris = timezone(timedelta(hours=2))
    frame = schema.normalize(
        [{"id": 1}], page=3, run_id="r", ingested_at=datetime(2024, 1, 1, 12, tzinfo=paris)
    ).frame
    assert frame["_ingested_at"][0] == datetime(2024, 1, 1, 10, tzinfo=UTC)
