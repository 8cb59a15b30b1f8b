"""Every flow and the dbt subflow carry a timeout_seconds from the settings."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from flows import timeouts
from flows.backfill import game_market_backfill
from flows.daily import daily_game_market_update
from flows.ingest import ingest_all, ingest_endpoint
from flows.releases import release_backfill
from flows.transform import transform
from game_market.settings import Settings


@pytest.fixture
def reread() -> Iterator[None]:
    """flows.timeouts read again after the test changes the environment, then as it was."""
    yield
    importlib.reload(timeouts)


def default(name: str) -> float:
    return Settings.model_fields[name].default


def test_each_flow_has_the_timeout_of_its_kind() -> None:
    assert daily_game_market_update.timeout_seconds == default("daily_timeout_seconds") == 7200
    assert game_market_backfill.timeout_seconds == default("backfill_timeout_seconds") == 43200
    assert release_backfill.timeout_seconds == default("backfill_timeout_seconds")
    assert ingest_all.timeout_seconds == default("ingest_timeout_seconds") == 3600
    assert ingest_endpoint.timeout_seconds == default("ingest_timeout_seconds")
    assert transform.timeout_seconds == default("build_timeout_seconds") == 3600


def test_the_timeouts_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, reread: None
) -> None:
    monkeypatch.setenv("DAILY_TIMEOUT_SECONDS", "600")
    monkeypatch.setenv("BUILD_TIMEOUT_SECONDS", "90")
    importlib.reload(timeouts)
    assert (timeouts.DAILY_S, timeouts.BUILD_S, timeouts.INGEST_S) == (600, 90, 3600)


def test_settings_that_do_not_validate_leave_the_defaults_for_the_entry_point_to_report(
    monkeypatch: pytest.MonkeyPatch, reread: None
) -> None:
    monkeypatch.setenv("RAWG_MAX_CONCURRENCY", "many")
    monkeypatch.setenv("BUILD_TIMEOUT_SECONDS", "-1")
    importlib.reload(timeouts)  # imports, rather than failing the flow's import
    assert default("build_timeout_seconds") == timeouts.BUILD_S
