"""Lake schemas and the API-item normalizer on the real RAWG samples, and the declarations."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest

from game_market.endpoints import SCHEMAS
from game_market.schema import META_COLUMNS, EndpointSchema
from tests.support.schema_samples import (
    GAME_ENDPOINTS,
    INGESTED_AT,
    endpoint_for,
    items_of,
    normalize,
    only,
    sample,
    sample_params,
)

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
# The release backfill lands /games list items, so its lake columns are the games'.
EXPECTED_COLUMNS["game_releases"] = EXPECTED_COLUMNS["games"]

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
    ("game_releases", 1): "691b8962c6a7bc48",
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
