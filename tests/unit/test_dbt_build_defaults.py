"""The dbt subflow's build defaults: dbt's file log at info and no JSON artifacts, unless the
user set dbt's own variable for either, under its current or its older name."""

from __future__ import annotations

import pytest

from flows.transform import BUILD_DEFAULTS, dbt_environment
from game_market.settings import load_settings


def defaults_set(monkeypatch: pytest.MonkeyPatch, **user: str) -> dict[str, str]:
    for name in (*BUILD_DEFAULTS, *(n.replace("DBT_ENGINE_", "DBT_") for n in BUILD_DEFAULTS)):
        monkeypatch.delenv(name, raising=False)
    for name, value in user.items():
        monkeypatch.setenv(name, value)
    values = dbt_environment(load_settings(), "duckdb")
    return {name: values[name] for name in BUILD_DEFAULTS if name in values}


def test_a_build_logs_at_info_and_writes_no_json_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert defaults_set(monkeypatch) == {
        "DBT_ENGINE_LOG_LEVEL_FILE": "info",
        "DBT_ENGINE_WRITE_JSON": "false",
    }


@pytest.mark.parametrize(
    ("user", "kept"),
    [
        ({"DBT_ENGINE_LOG_LEVEL_FILE": "debug"}, {"DBT_ENGINE_WRITE_JSON": "false"}),
        ({"DBT_LOG_LEVEL_FILE": "debug"}, {"DBT_ENGINE_WRITE_JSON": "false"}),
        ({"DBT_WRITE_JSON": "true"}, {"DBT_ENGINE_LOG_LEVEL_FILE": "info"}),
        ({"DBT_ENGINE_WRITE_JSON": "true", "DBT_LOG_LEVEL_FILE": "warn"}, {}),
    ],
)
def test_what_the_user_sets_for_dbt_is_left_to_dbt(
    monkeypatch: pytest.MonkeyPatch, user: dict[str, str], kept: dict[str, str]
) -> None:
    assert defaults_set(monkeypatch, **user) == kept
