"""The declared automations, built and rendered as the Prefect server builds and renders them,
without a server: the templates' text for each kind of run and event."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from prefect.events.actions import DoNothing, SendNotification
from prefect.server.events import actions as server_actions
from prefect.server.events.schemas.automations import Automation, Firing, TriggerState
from prefect.server.events.schemas.events import ReceivedEvent
from prefect.server.schemas.core import Flow
from prefect.server.schemas.responses import DeploymentResponse, FlowRunResponse
from prefect.server.schemas.states import State, StateType
from prefect.server.utilities.user_templates import render_user_template_sync
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

from game_market.checks import CHECKS
from game_market.errors import ConfigError
from game_market.settings import load_settings
from gmp.alerts import TAG, Destination, automations, chosen_destination, declared

DECLARED = {declaration["name"]: declaration for declaration in declared()}
FAILED = DECLARED["game-market: run failed"]["notify"]
OVERDUE = "game-market: daily run overdue"
CHECK = DECLARED["game-market: data check"]["notify"]
MESSAGE = "RAWG refused RAWG_API_KEY (401): check the key in .env."


def render(template: str, context: dict[str, Any]) -> str:
    server_actions.JinjaTemplateAction._register_filters_if_needed()  # ui_url, as the server
    with temporary_settings({PREFECT_UI_URL: "http://127.0.0.1:4200"}):
        return render_user_template_sync(template, context)


def run_context(flow_name: str, deployment: str, **parameters: str) -> dict[str, Any]:
    flow = Flow(name=flow_name)
    run = FlowRunResponse(
        id=uuid4(),
        name="crimson-fox",
        flow_id=flow.id,
        parameters=parameters,
        expected_start_time=dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC),
        state=State(type=StateType.FAILED, name="TimedOut", message=MESSAGE),
    )
    deployment_response = DeploymentResponse(name=deployment, flow_id=flow.id)
    return {"flow_run": run, "flow": flow, "deployment": deployment_response}


def test_each_declaration_is_an_automation_notifying_the_destination() -> None:
    destination = Destination(uuid4(), "custom-webhook/game-market-alerts")
    made = automations(declared(), destination)
    assert [a.name for a in made] == list(DECLARED)
    for automation in made:
        assert automation.enabled and automation.tags == [TAG]
        (action,) = automation.actions
        assert isinstance(action, SendNotification)
        assert action.block_document_id == destination.block_document_id
        # The server's own model checks the templates as creating the automation would.
        server_actions.SendNotification(**action.model_dump(exclude={"type"}))


def test_every_check_s_warning_and_error_alert_and_its_ok_does_not() -> None:
    expected = DECLARED["game-market: data check"]["trigger"]["expect"]
    assert sorted(expected) == sorted(
        f"game-market.data-check.{check}.{status}"
        for check in CHECKS
        for status in ("warn", "error")
    )


def test_without_a_destination_they_are_disabled_and_do_nothing() -> None:
    for automation in automations(declared(), None):
        assert not automation.enabled
        assert [type(action) for action in automation.actions] == [DoNothing]


def test_the_daily_window_is_26_hours_unless_a_setting_replaces_it() -> None:
    def windows(within_s: int | None) -> dict[str, timedelta]:
        return {a.name: a.trigger.within for a in automations(declared(), None, within_s)}

    assert windows(None)[OVERDUE] == timedelta(hours=26)
    shortened = windows(10)
    assert shortened[OVERDUE] == timedelta(seconds=10)
    assert shortened["game-market: run failed"] == timedelta(0)


@pytest.mark.parametrize(
    ("parameters", "subject_tail", "date_line"),
    [
        ({"date": "2026-12-01"}, " for 2026-12-01", "Date: 2026-12-01"),
        (
            {"start_date": "2026-11-01", "end_date": "2026-11-03"},
            " for 2026-11-01 to 2026-11-03",
            "Date: 2026-11-01 to 2026-11-03",
        ),
        (
            {"start_month": "2025-11", "end_month": "2025-12"},
            " for 2025-11 to 2025-12",
            "Date: 2025-11 to 2025-12 (months of releases)",
        ),
        # A scheduled run collects the UTC day before its scheduled start.
        (
            {},
            " for 2026-12-06",
            "Date: 2026-12-06 (the UTC day before the scheduled start, 2026-12-07 03:00 UTC)",
        ),
    ],
)
def test_a_failed_run_names_the_deployment_date_message_and_link(
    parameters: dict[str, str], subject_tail: str, date_line: str
) -> None:
    context = run_context("daily-game-market-update", "daily", **parameters)
    subject = render(FAILED["subject"], context)
    body = render(FAILED["body"], context).splitlines()
    assert subject == f"game-market: daily-game-market-update/daily TimedOut{subject_tail}"
    run_id = context["flow_run"].id
    assert body == [
        "Deployment: daily-game-market-update/daily",
        date_line,
        f"State: TimedOut: {MESSAGE}",
        f"Run: http://127.0.0.1:4200/runs/flow-run/{run_id}",
    ]


def test_a_run_of_a_flow_without_a_date_says_so() -> None:
    body = render(FAILED["body"], run_context("dbt-build", "dbt-build"))
    assert "Date: none (the run takes no date)" in body


def test_without_a_ui_url_the_run_is_named_by_its_id() -> None:
    context = run_context("game-market-backfill", "backfill")
    server_actions.JinjaTemplateAction._register_filters_if_needed()
    # Prefect derives a UI URL from the API's when none is set: neither is, here.
    with temporary_settings({PREFECT_UI_URL: None, PREFECT_API_URL: None}):
        body = render_user_template_sync(FAILED["body"], context)
    assert f"Run: flow run {context['flow_run'].id} (set PREFECT_UI_URL" in body


def test_the_overdue_alert_says_since_when() -> None:
    (overdue,) = (a for a in automations(declared(), None) if a.name == OVERDUE)
    automation = Automation(id=uuid4(), **overdue.model_dump(exclude={"actions"}), actions=[])
    firing = Firing(
        trigger=automation.trigger,
        trigger_states={TriggerState.Triggered},
        triggered=dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC),
    )
    notify = DECLARED[OVERDUE]["notify"]
    context = {"automation": automation, "firing": firing}
    assert render(notify["subject"], context) == (
        "game-market: the daily run has not completed since 2026-12-07 03:00 UTC"
    )
    assert render(notify["body"], context).startswith(
        "The daily run has not completed since 2026-12-07 03:00 UTC (no Completed run of "
        "daily-game-market-update within 1 day and 2 hours)."
    )


def test_a_data_check_alert_quotes_the_check_day_and_message() -> None:
    event = ReceivedEvent(
        occurred=dt.datetime.now(dt.UTC),
        event="game-market.data-check.volume.warn",
        resource={"prefect.resource.id": "game-market.data-check.volume"},
        payload={"day": "2026-12-06", "message": "61 games updated, 0.05x the median of 1220."},
        id=uuid4(),
    )
    assert render(CHECK["subject"], {"event": event}) == (
        "game-market: volume check warn for 2026-12-06"
    )
    assert render(CHECK["body"], {"event": event, "flow_run": None}).splitlines() == [
        "Data check: volume (warn)",
        "Day: 2026-12-06",
        "61 games updated, 0.05x the median of 1220.",
    ]
    # Emitted from a run (the build's checks), the event names it: the alert links to it.
    run = run_context("daily-game-market-update", "daily")["flow_run"]
    body = render(CHECK["body"], {"event": event, "flow_run": run})
    assert body.splitlines()[-1] == f"Run: http://127.0.0.1:4200/runs/flow-run/{run.id}"


def test_two_destinations_are_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_BLOCK", "slack-webhook/on-call")
    monkeypatch.setenv("ALERT_WEBHOOK_URL", "https://hooks.example.com/T0/secret")
    with pytest.raises(ConfigError) as err:
        chosen_destination(load_settings())
    assert str(err.value) == (
        "ALERT_BLOCK and ALERT_WEBHOOK_URL are each a destination for the alerts: set one of "
        "them in .env or the environment (see .env.example)."
    )
    assert "secret" not in str(err.value)


def test_blank_destinations_are_unset_and_a_block_needs_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ALERT_BLOCK", "ALERT_WEBHOOK_URL", "ALERT_DAILY_WITHIN_SECONDS"):
        monkeypatch.setenv(name, "")
    assert chosen_destination(load_settings()) is None
    monkeypatch.setenv("ALERT_BLOCK", "on-call")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ALERT_BLOCK" in str(err.value) and "slack-webhook/on-call" in str(err.value)
