"""Lake schemas and the API-item normalizer: real RAWG samples, drift handling, fuzzing."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from game_market.endpoints import ENDPOINTS, SCHEMAS
from game_market.schema import META_COLUMNS, EndpointSchema, NormalizedBatch
from game_market.schema.columnar import ColumnarReader, DoesNotFit
from game_market.schema.readers import pad_blocks

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


# --- reference: a deliberately naive re-implementation, used as the oracle for real samples ----


def ref_value(value: Any, dtype: pl.DataType) -> Any:
    """The typed value for a JSON value known to be well-typed (real samples have no drift)."""
    if value is None:
        return None
    if isinstance(dtype, pl.Struct):
        return {f.name: ref_value(value.get(f.name), f.dtype) for f in dtype.fields}
    if isinstance(dtype, pl.List):
        return [ref_value(element, dtype.inner) for element in value]
    if dtype == pl.Date:
        return date.fromisoformat(value)
    if dtype == pl.Datetime:
        return datetime.fromisoformat(value)
    if dtype == pl.Float64:
        return float(value)
    return value


def _platform_ref(element: dict[str, Any], *, id_key: str = "id") -> dict[str, Any]:
    platform = element["platform"]
    return {
        "platform_id": platform[id_key],
        "platform_name": platform["name"],
        "platform_slug": platform["slug"],
    }


# Game list items wrap referenced objects ({"platform": {...}}); these columns flatten them.
GAME_ELEMENT_REFS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "platforms": lambda e: {
        **_platform_ref(e),
        "released_at": ref_value(e.get("released_at"), pl.Date()),
    },
    "parent_platforms": lambda e: {k: e["platform"][k] for k in ("id", "name", "slug")},
    "stores": lambda e: {f"store_{k}": e["store"][k] for k in ("id", "name", "slug")},
    "metacritic_platforms": lambda e: {
        "metascore": e["metascore"],
        "url": e["url"],
        **_platform_ref(e, id_key="platform"),
    },
}


def reference_row(endpoint: str, item: dict[str, Any]) -> dict[str, Any]:
    schema = SCHEMAS[endpoint]
    row = {}
    for name, dtype in schema.columns.items():
        value = item.get(name)
        ref = GAME_ELEMENT_REFS.get(name) if endpoint in GAME_ENDPOINTS else None
        if ref is not None and value is not None:
            row[name] = [ref(element) for element in value]
        else:
            row[name] = ref_value(value, dtype)
    return row


# --- real samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sample_params())
def test_every_real_sample_normalizes_exactly_and_losslessly(path: Path) -> None:
    endpoint = endpoint_for(path)
    items = items_of(path)
    schema = SCHEMAS[endpoint]

    batch = schema.normalize(items, page=7, run_id="run-42", ingested_at=INGESTED_AT)

    frame = batch.frame
    assert frame.schema == schema.polars_schema
    assert frame.height == len(items)
    # Real responses must fit the schema as declared: any drift here is a schema bug.
    assert batch.drift == Counter()
    for i, item in enumerate(items):
        row = frame.row(i, named=True)
        assert orjson.loads(row["_raw"]) == item
        assert list(orjson.loads(row["_raw"])) == list(item), "key order must be preserved"
        assert {k: row[k] for k in schema.columns} == reference_row(endpoint, item)
    assert frame["_pos"].to_list() == list(range(len(items)))
    assert frame["_page"].unique().to_list() == [7]
    assert frame["_run_id"].unique().to_list() == ["run-42"]
    assert frame["_ingested_at"].unique().to_list() == [INGESTED_AT]


def test_gta_v_detail_spot_checks() -> None:
    (item,) = sample("game_detail_3498_gta-v_2024-08.json")

    row, drift = only("game_details", item)

    assert drift == Counter()
    assert row["id"] == 3498
    assert row["metacritic"] == item["metacritic"] == 92
    assert row["released"] == date(2013, 9, 17)
    assert row["updated"] == datetime.fromisoformat(item["updated"])
    assert [g["name"] for g in row["genres"]] == [g["name"] for g in item["genres"]]
    assert [p["platform_id"] for p in row["platforms"]] == [
        p["platform"]["id"] for p in item["platforms"]
    ]
    assert [p["platform_id"] for p in row["metacritic_platforms"]] == [
        p["platform"]["platform"] for p in item["metacritic_platforms"]
    ]
    assert row["developers"][0]["name"] == item["developers"][0]["name"]
    assert row["alternative_names"] == item["alternative_names"]
    assert row["esrb_rating"] == {"id": 4, "name": "Mature", "slug": "mature"}
    assert "score" not in row


def test_gta_v_list_item_spot_checks() -> None:
    items = sample("games_list_page1_2024-08.json")
    gta = next(i for i in items if i["id"] == 3498)

    batch = normalize("games", items)
    row = batch.frame.filter(pl.col("id") == 3498).row(0, named=True)

    assert row["metacritic"] == gta["metacritic"]
    assert row["rating"] == gta["rating"]
    assert row["added_by_status"] == gta["added_by_status"]
    assert [r["percent"] for r in row["ratings"]] == [r["percent"] for r in gta["ratings"]]
    assert [s["store_slug"] for s in row["stores"]] == [s["store"]["slug"] for s in gta["stores"]]
    assert [t["slug"] for t in row["tags"]] == [t["slug"] for t in gta["tags"]]
    assert row["score"] is None


def test_search_results_keep_nulls_and_parse_string_scores() -> None:
    items = sample("games_list_search_lastpage_2023-03.json")

    batch = normalize("games", items)
    rows = batch.frame.rows(named=True)

    assert batch.drift == Counter()
    for item, row in zip(items, rows, strict=True):
        assert row["score"] == float(item["score"])
        assert isinstance(row["rating"], float)
        for name in ("metacritic", "esrb_rating", "added_by_status", "platforms"):
            if item[name] is None:
                assert row[name] is None, name
    assert rows[0]["rating"] == 0.0  # RAWG sends the int 0 here
    assert rows[0]["score"] == pytest.approx(6.472929)
    assert min(r["score"] for r in rows) == pytest.approx(-2.3412542)
    null_platforms = [r for r, i in zip(rows, items, strict=True) if i["platforms"] is None]
    assert null_platforms, "the sample has items with platforms: null"
    assert all(r["platforms"] is None for r in null_platforms)  # null, not an empty list


def test_filtered_query_slim_shape() -> None:
    items = sample("games_list_filter_genres4_2023-03.json")

    batch = normalize("games", items)
    first = batch.frame.row(0, named=True)

    assert batch.drift == Counter()
    # Slim platforms have no released_at and slim stores no top-level id: typed as null.
    assert all(p["released_at"] is None for p in first["platforms"])
    assert first["stores"][0]["store_id"] == items[0]["stores"][0]["store"]["id"]
    # esrb_rating gains name_en/name_ru there; only id/name/slug are typed, _raw keeps all.
    esrb = next(i["esrb_rating"] for i in items if i["esrb_rating"])
    assert "name_en" in esrb
    assert batch.frame["score"].null_count() == len(items)


def test_integer_rating_percent_becomes_float() -> None:
    items = sample("games_list_page1_2026-01.json")
    ints = [
        (i, r) for i, item in enumerate(items) for r in item["ratings"] if type(r["percent"]) is int
    ]
    assert ints, "the 2026 sample has an integer ratings[].percent"

    frame = normalize("games", items).frame
    index, rating = ints[0]
    typed = next(r for r in frame["ratings"][index] if r["id"] == rating["id"])
    assert typed["percent"] == float(rating["percent"])


def test_null_platform_release_date_stays_null() -> None:
    (item,) = sample("game_detail_4200_portal-2_2023-02.json")
    assert any(p["released_at"] is None for p in item["platforms"])

    row, drift = only("game_details", item)

    assert drift == Counter()
    assert [p["released_at"] for p in row["platforms"]] == [
        None if p["released_at"] is None else date.fromisoformat(p["released_at"])
        for p in item["platforms"]
    ]
    assert row["alternative_names"] == []


def test_catalog_endpoints() -> None:
    parents = normalize("parent_platforms", sample("platforms_parents_list_2024-08.json")).frame
    pc = parents.filter(pl.col("slug") == "pc").row(0, named=True)
    assert pc["platforms"][0] == {"id": 4, "name": "PC", "slug": "pc"}

    platforms = normalize("platforms", sample("platforms_list_page1_2024-08.json")).frame
    assert platforms["image"].null_count() == platforms.height
    assert platforms["year_start"].dtype == pl.Int64

    genres = normalize("genres", sample("genres_list_2024-08.json")).frame
    assert genres["games"][0][0].keys() == {"id", "slug", "name", "added"}


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


def test_throughput_smoke() -> None:
    # A loose guard against accidental quadratic or per-value polars work; the real figure
    # (>= 10,000 items/s on one core) is measured outside the test suite.
    items = sample("games_list_page1_2024-08.json") * 100
    schema = SCHEMAS["games"]

    started = time.perf_counter()
    schema.normalize(items, page=1, run_id="r", ingested_at=INGESTED_AT)
    elapsed = time.perf_counter() - started

    assert len(items) / elapsed > 1_000


# --- schema declarations -----------------------------------------------------------------------

EXPECTED_COLUMNS = {
    "games": (
        "id slug name released tba updated rating rating_top ratings_count reviews_text_count"
        " reviews_count added metacritic playtime suggestions_count score background_image"
        " dominant_color saturated_color esrb_rating added_by_status ratings platforms"
        " parent_platforms genres stores tags"
    ),
    "game_details": (
        "id slug name released tba updated rating rating_top ratings_count reviews_text_count"
        " reviews_count added metacritic playtime suggestions_count background_image"
        " dominant_color saturated_color esrb_rating added_by_status ratings platforms"
        " parent_platforms genres stores tags name_original description_raw website"
        " metacritic_url reddit_url alternative_names screenshots_count movies_count"
        " creators_count achievements_count parent_achievements_count additions_count"
        " game_series_count parents_count reddit_count twitch_count youtube_count developers"
        " publishers metacritic_platforms"
    ),
    "genres": "id name slug games_count image_background games",
    "developers": "id name slug games_count image_background games",
    "publishers": "id name slug games_count image_background games",
    "platforms": "id name slug games_count image_background image year_start year_end games",
    "parent_platforms": "id name slug platforms",
}

# Fingerprint of each endpoint's lake schema at its current version. A change here means the
# lake layout changed: bump that endpoint's version in game_market/endpoints.py, then update
# the fingerprint.
SCHEMA_FINGERPRINTS = {
    ("games", 1): "691b8962c6a7bc48",
    ("game_details", 1): "44744461596f20b7",
    ("genres", 1): "20cab5b503acef22",
    ("platforms", 1): "835ab11a53bd27a6",
    ("parent_platforms", 1): "09dee66660c82b68",
    ("developers", 1): "20cab5b503acef22",
    ("publishers", 1): "20cab5b503acef22",
}


def fingerprint(schema: EndpointSchema) -> str:
    text = repr([(name, repr(dtype)) for name, dtype in schema.polars_schema.items()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.mark.parametrize("endpoint", sorted(SCHEMAS))
def test_schema_declaration(endpoint: str) -> None:
    schema = SCHEMAS[endpoint]

    assert schema.endpoint == endpoint
    assert list(schema.columns) == EXPECTED_COLUMNS[endpoint].split()
    assert list(schema.polars_schema) == [*schema.columns, *META_COLUMNS]
    assert list(META_COLUMNS) == ["_raw", "_ingested_at", "_run_id", "_page", "_pos"]
    assert schema.known_fields >= set(schema.columns)
    assert SCHEMA_FINGERPRINTS[(endpoint, schema.version)] == fingerprint(schema)
    assert SCHEMAS[endpoint].empty_frame().schema == schema.polars_schema


def test_declared_types() -> None:
    games = SCHEMAS["games"].columns
    id_name_slug = pl.Struct({"id": pl.Int64, "name": pl.String, "slug": pl.String})
    assert games["id"] == pl.Int64
    assert games["released"] == pl.Date
    assert games["updated"] == pl.Datetime("us")
    assert games["rating"] == pl.Float64
    assert games["score"] == pl.Float64
    assert games["tba"] == pl.Boolean
    assert games["esrb_rating"] == id_name_slug
    assert games["genres"] == pl.List(id_name_slug)
    assert games["parent_platforms"] == pl.List(id_name_slug)
    assert games["platforms"] == pl.List(
        pl.Struct(
            {
                "platform_id": pl.Int64,
                "platform_name": pl.String,
                "platform_slug": pl.String,
                "released_at": pl.Date,
            }
        )
    )
    assert games["stores"] == pl.List(
        pl.Struct({"store_id": pl.Int64, "store_name": pl.String, "store_slug": pl.String})
    )
    assert games["ratings"] == pl.List(
        pl.Struct({"id": pl.Int64, "title": pl.String, "count": pl.Int64, "percent": pl.Float64})
    )
    details = SCHEMAS["game_details"].columns
    assert details["alternative_names"] == pl.List(pl.String)
    assert details["metacritic_platforms"] == pl.List(
        pl.Struct(
            {
                "metascore": pl.Int64,
                "url": pl.String,
                "platform_id": pl.Int64,
                "platform_name": pl.String,
                "platform_slug": pl.String,
            }
        )
    )
    assert SCHEMAS["developers"].columns["games"] == pl.List(
        pl.Struct({"id": pl.Int64, "slug": pl.String, "name": pl.String, "added": pl.Int64})
    )
