"""The files generated from the endpoint declarations are current, and say so."""

from __future__ import annotations

import json

import pytest

from game_market import exports
from game_market.endpoints import ENDPOINTS
from game_market.schema import META_COLUMNS


def test_committed_generated_files_are_current() -> None:
    assert exports.stale_files() == [], "run `make generate` and commit the result"


def test_check_names_a_stale_file_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = exports.REPO / "transforms" / "stale.yml"
    monkeypatch.setattr(exports, "generated_files", lambda: {stale: "new\n"})
    assert exports.main(["--check"]) == 1
    assert capsys.readouterr().err == "transforms/stale.yml is stale: run `make generate`.\n"


def test_every_endpoint_is_a_dbt_source_with_its_lake_columns() -> None:
    text = exports.dbt_sources()
    for name, spec in ENDPOINTS.items():
        assert f"      - name: {name}\n        description: {json.dumps(spec.description)}" in text
        for column in [*spec.schema.columns, *META_COLUMNS]:
            assert f"          - name: {column}\n" in text


def test_snowflake_columns_follow_the_lake_schema() -> None:
    document = json.loads(exports.snowflake_columns())
    assert list(document["endpoint_columns"]) == list(ENDPOINTS)
    games = {c["name"]: c["type"] for c in document["endpoint_columns"]["games"]}
    assert games["id"] == "NUMBER" and games["genres"] == "VARIANT"
    assert games["updated"] == "TIMESTAMP_NTZ" and games["released"] == "DATE"
    assert [c["name"] for c in document["meta_columns"]] == list(META_COLUMNS)
