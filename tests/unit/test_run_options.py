"""The seed's run options: page caps by endpoint, checked in one sentence, and described in the
Prefect UI's custom-run form of every deployment that takes them."""

from __future__ import annotations

import pytest
from prefect.utilities.callables import parameter_schema

from flows.backfill import game_market_backfill
from flows.daily import daily_game_market_update
from flows.ingest import ingest_all
from flows.transform import transform
from game_market.endpoints import Endpoint
from game_market.errors import ConfigError, PipelineError
from game_market.ingest import check_max_pages
from gmp.commands import page_caps
from gmp.main import build_parser


def test_page_caps_are_checked_by_endpoint_name() -> None:
    assert check_max_pages(None) == {}
    assert check_max_pages({"games": -1, "developers": 20}) == {
        Endpoint.GAMES: -1,
        Endpoint.DEVELOPERS: 20,
    }


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        (
            {"game_details": 2},
            "max_pages names 'game_details', which is not a list endpoint: use games, genres, "
            "platforms, parent_platforms, developers, publishers (game_details takes "
            "detail_budget).",
        ),
        (
            {"developers": -2},
            "max_pages for developers must be -1 (every page) or a page count, not -2.",
        ),
        ({"games": True}, "max_pages for games must be -1 (every page) or a page count, not True."),
    ],
)
def test_a_bad_page_cap_is_one_sentence(caps: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        check_max_pages(caps)
    assert str(raised.value) == message


@pytest.mark.parametrize("flow", [daily_game_market_update, game_market_backfill, ingest_all])
def test_the_custom_run_form_describes_every_parameter(flow) -> None:
    properties = parameter_schema(flow.fn).model_dump()["properties"]

    undescribed = [name for name, field in properties.items() if not field.get("description")]
    assert not undescribed
    assert '{"games": -1, "developers": 20}' in properties["max_pages"]["description"]
    if flow is not ingest_all:
        assert "--full-refresh" in properties["full_refresh"]["description"]


def test_gmp_takes_page_caps_as_endpoint_equals_count() -> None:
    assert page_caps(["games=-1", "developers=20"]) == {"games": -1, "developers": 20}
    with pytest.raises(PipelineError, match="--max-pages takes ENDPOINT=N"):
        page_caps(["games"])


def test_the_dbt_build_run_form_describes_node_tasks_and_the_runs_that_build_pass_it() -> None:
    properties = parameter_schema(transform.fn).model_dump()["properties"]
    assert not [name for name, field in properties.items() if not field.get("description")]
    assert properties["node_tasks"]["default"] is False
    assert "task run" in properties["node_tasks"]["description"]
    for flow in (daily_game_market_update, game_market_backfill):
        assert "node_tasks" in parameter_schema(flow.fn).model_dump()["properties"]
    parser = build_parser()
    assert parser.parse_args(["daily", "--node-tasks"]).node_tasks
    backfill = ["backfill", "--start", "2026-01-01", "--end", "2026-01-02"]
    assert not parser.parse_args(backfill).node_tasks
