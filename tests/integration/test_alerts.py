"""Alerts as code on a real Prefect server with its automation services: `gmp setup-platform`
applies gmp/automations.yaml, and a failed or timed-out deployment run, an overdue daily run and
a data check's event each reach a local webhook as one notification. (A data check's event
raised by a real build: tests/integration/test_data_checks.py.)"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun
from prefect.events import Event

from gmp.alerts import TAG, declared
from gmp.server import LocalServer
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.automation_server import delete_automations
from tests.support.cli import isolated_env, run_gmp
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, start_outage
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAILY = "daily-game-market-update/daily"
DECLARED = sorted(a["name"] for a in declared())
# Past the last notification expected: long enough for a second one to have come.
QUIET_S = 8


@pytest.fixture
def server(alert_server: LocalServer) -> LocalServer:
    return alert_server


@pytest.fixture
def receiver(server: LocalServer) -> Iterator[WebhookReceiver]:
    with webhook_receiver() as started:
        yield started
    asyncio.run(delete_automations(server))


async def automations(server: LocalServer) -> list[tuple[str, UUID, bool]]:
    async with PrefectClient(api=server.api_url) as client:
        found = await client.read_automations()
    return sorted((a.name, a.id, a.enabled) for a in found)


def setup_platform(
    server: LocalServer, tmp_path: Path, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = isolated_env(tmp_path, PREFECT_API_URL=server.api_url, **settings)
    done = run_gmp("setup-platform", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def emit_data_check(server: LocalServer, check: str, status: str, day: str) -> None:
    """A data check's event, as the checks after a build emit it, sent to the server's events
    API."""
    event = Event(
        event=f"game-market.data-check.{check}.{status}",
        resource={"prefect.resource.id": f"game-market.data-check.{check}"},
        payload={"day": day, "message": f"{check} is {status} on {day}: 3 games, not 60."},
    )
    sent = httpx.post(f"{server.api_url}/events", json=[event.model_dump(mode="json")])
    sent.raise_for_status()


def prefect(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(BIN / "prefect"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass(frozen=True)
class RunAlerts:
    """Two runs of the daily deployment that end badly, run by one process worker, and the
    notifications they sent."""

    made: str  # what `gmp setup-platform` printed
    url: str  # the webhook's
    failed: UUID  # RAWG refused the key, as it does a wrong or spent one
    failed_day: str
    timed_out: UUID  # RAWG held every request open past the run's timeout
    timed_out_day: str
    alerts: list[dict]


TIMEOUT_S = 15


@pytest.fixture(scope="module")
def run_alerts(alert_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> RunAlerts:
    """`prefect deploy` of the daily deployment, one run of it for each way to end badly
    (each its own RAWG and lake, as the run's environment), and a process worker that runs
    both to their end, as on the local platform."""
    server, tmp = alert_server, tmp_path_factory.mktemp("alert-runs")
    refusing = SandboxConfig(games=50, today=SANDBOX_TODAY, valid_keys=frozenset({"another-key"}))
    days = [str(SANDBOX_TODAY), str(SANDBOX_TODAY - timedelta(days=1))]
    with (
        webhook_receiver() as receiver,
        running_sandbox(refusing) as refusing_url,
        running_sandbox(SandboxConfig(games=50, today=SANDBOX_TODAY)) as hanging_url,
    ):
        try:
            made = setup_platform(server, tmp, ALERT_WEBHOOK_URL=receiver.url)
            start_outage(hanging_url, 120, hold=True)
            env = isolated_env(
                tmp,
                PREFECT_API_URL=server.api_url,
                RAWG_API_KEY=SECRET_KEY,
                DUCKDB_PATH=str(tmp / "warehouse.duckdb"),
            )
            prefect(env, "--no-prompt", "deploy", "-n", "daily")
            failed = deployment_run(
                env, days[0], RAWG_BASE_URL=refusing_url, LAKE_URL=str(tmp / "lake-failed")
            )
            timed_out = deployment_run(
                env,
                days[1],
                RAWG_BASE_URL=hanging_url,
                LAKE_URL=str(tmp / "lake-timed-out"),
                DAILY_TIMEOUT_SECONDS=str(TIMEOUT_S),
                RAWG_TIMEOUT_SECONDS="300",
            )
            prefect(env, "worker", "start", "--pool", "local", "--type", "process", "--run-once")
            start_outage(hanging_url, 0)
            receiver.wait_for(2, timeout=60)
            time.sleep(QUIET_S)
            alerts = list(receiver.received)
        finally:
            asyncio.run(delete_automations(server))
    return RunAlerts(
        made.stdout + made.stderr, receiver.url, failed, days[0], timed_out, days[1], alerts
    )


def deployment_run(env: dict[str, str], day: str, **run_env: str) -> UUID:
    """`prefect deployment run` of the daily deployment for ``day``, ``run_env`` its own
    environment on the worker."""
    started = prefect(
        env,
        *("deployment", "run", DAILY, "--param", f"date={day}"),
        *("--job-variable", f"env={json.dumps(run_env)}"),
    )
    return UUID(re.search(r"UUID: ([0-9a-f-]{36})", started).group(1))


def alert_of(run_alerts: RunAlerts, run_id: UUID) -> dict:
    """The one notification that links the run."""
    (alert,) = [a for a in run_alerts.alerts if str(run_id) in a["body"]]
    return alert


def test_the_runs_ending_badly_send_one_notification_each(
    alert_server: LocalServer, run_alerts: RunAlerts
) -> None:
    assert "alerts: the 3 automations notify custom-webhook/game-market-alerts" in run_alerts.made
    assert run_alerts.url not in run_alerts.made
    assert len(run_alerts.alerts) == 2, run_alerts.alerts
    assert SECRET_KEY not in str(run_alerts.alerts)


def test_a_failed_deployment_run_sends_one_notification(
    alert_server: LocalServer, run_alerts: RunAlerts
) -> None:
    server, run_id, day = alert_server, run_alerts.failed, run_alerts.failed_day
    state, message = asyncio.run(final_state(server, run_id))
    assert state == "FAILED" and "RAWG rejected the API key" in message
    assert message.endswith("Nothing landed, so the warehouse was not built.")
    alert = alert_of(run_alerts, run_id)
    assert alert["subject"] == f"game-market: {DAILY} Failed for {day}"
    assert f"Deployment: {DAILY}" in alert["body"]
    assert f"Date: {day}" in alert["body"]
    assert f"State: Failed: {message}" in alert["body"]
    assert f"Run: {server.ui_url}/runs/flow-run/{run_id}" in alert["body"]


def test_a_deployment_run_that_times_out_sends_one_notification(
    alert_server: LocalServer, run_alerts: RunAlerts
) -> None:
    server, run_id, day = alert_server, run_alerts.timed_out, run_alerts.timed_out_day
    run = asyncio.run(read_run(server, run_id))
    assert run.state.name == "TimedOut", (run.state.name, run.state.message)
    alert = alert_of(run_alerts, run_id)
    assert alert["subject"] == f"game-market: {DAILY} TimedOut for {day}"
    assert f"State: TimedOut: Flow run exceeded timeout of {TIMEOUT_S}" in alert["body"]
    assert f"Run: {server.ui_url}/runs/flow-run/{run_id}" in alert["body"]


async def read_run(server: LocalServer, run_id: UUID) -> FlowRun:
    async with PrefectClient(api=server.api_url) as client:
        return await client.read_flow_run(run_id)


async def final_state(server: LocalServer, run_id: UUID) -> tuple[str, str | None]:
    run = await read_run(server, run_id)
    return run.state.type.value, run.state.message


def test_no_completed_daily_run_within_the_window_sends_the_overdue_alert(
    server: LocalServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    setup_platform(
        server, tmp_path, ALERT_WEBHOOK_URL=receiver.url, ALERT_DAILY_WITHIN_SECONDS="10"
    )
    (alert,) = receiver.wait_for(1, timeout=90)
    assert alert["subject"].startswith("game-market: the daily run has not completed since ")
    assert "The daily run has not completed since " in alert["body"]
    assert "within 10 seconds" in alert["body"]


def test_a_data_check_warning_sends_one_notification_and_an_ok_none(
    server: LocalServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    setup_platform(server, tmp_path, ALERT_WEBHOOK_URL=receiver.url)
    emit_data_check(server, "volume", "ok", "2026-01-18")
    emit_data_check(server, "volume", "warn", "2026-01-19")
    receiver.wait_for(1, timeout=60)
    time.sleep(QUIET_S)
    (alert,) = receiver.received
    assert alert["subject"] == "game-market: volume check warn for 2026-01-19"
    assert "Day: 2026-01-19" in alert["body"]
    assert "volume is warn on 2026-01-19: 3 games, not 60." in alert["body"]


def test_applying_twice_leaves_the_same_automations(
    server: LocalServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    first = setup_platform(server, tmp_path, ALERT_WEBHOOK_URL=receiver.url)
    applied = asyncio.run(automations(server))
    assert [(name, enabled) for name, _, enabled in applied] == [(n, True) for n in DECLARED]
    assert first.stdout.count(": created, enabled") == len(DECLARED)

    again = setup_platform(server, tmp_path, ALERT_WEBHOOK_URL=receiver.url)
    assert asyncio.run(automations(server)) == applied
    assert again.stdout.count(": updated, enabled") == len(DECLARED)

    # One the file no longer declares: the next apply removes it.
    asyncio.run(add_retired(server))
    third = setup_platform(server, tmp_path, ALERT_WEBHOOK_URL=receiver.url)
    assert "automation 'game-market: retired': deleted" in third.stdout
    assert asyncio.run(automations(server)) == applied


async def add_retired(server: LocalServer) -> None:
    from prefect.events.actions import DoNothing
    from prefect.events.schemas.automations import AutomationCore, EventTrigger

    retired = AutomationCore(
        name="game-market: retired",
        tags=[TAG],
        trigger=EventTrigger(expect={"game-market.retired"}),
        actions=[DoNothing()],
    )
    async with PrefectClient(api=server.api_url) as client:
        await client.create_automation(retired)


def test_without_a_destination_it_says_so_and_nothing_is_notified(
    server: LocalServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    setup_platform(server, tmp_path, ALERT_WEBHOOK_URL=receiver.url)
    unset = setup_platform(server, tmp_path)
    lines = [line for line in unset.stdout.splitlines() if line.startswith("alerts:")]
    assert lines == [
        "alerts: no destination set (ALERT_BLOCK, ALERT_WEBHOOK_URL or "
        "ALERT_SLACK_WEBHOOK_URL), so the 3 automations are disabled and notify nothing."
    ]
    assert [enabled for _, _, enabled in asyncio.run(automations(server))] == [False] * 3

    emit_data_check(server, "volume", "error", "2026-01-19")
    time.sleep(QUIET_S)
    assert receiver.received == []


def test_a_named_block_or_slack_is_the_destination_and_a_missing_block_one_sentence(
    server: LocalServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    asyncio.run(save_on_call_block(server, receiver.url))
    named = setup_platform(server, tmp_path, ALERT_BLOCK="custom-webhook/on-call")
    assert "alerts: the 3 automations notify custom-webhook/on-call" in named.stdout
    emit_data_check(server, "freshness", "error", "2026-01-19")
    (alert,) = receiver.wait_for(1, timeout=60)
    assert alert["subject"] == "game-market: freshness check error for 2026-01-19"

    slack_url = "https://hooks.slack.com/services/T000/B000/not-a-real-secret"
    slack = setup_platform(server, tmp_path, ALERT_SLACK_WEBHOOK_URL=slack_url)
    assert "alerts: the 3 automations notify slack-webhook/game-market-alerts" in slack.stdout
    assert "not-a-real-secret" not in slack.stdout + slack.stderr

    env = isolated_env(tmp_path, PREFECT_API_URL=server.api_url, ALERT_BLOCK="slack-webhook/gone")
    missing = run_gmp("setup-platform", env=env, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "error: ALERT_BLOCK=slack-webhook/gone names no block on this Prefect server: create "
        "it (prefect block create slack-webhook, or the UI's Blocks page), or fix ALERT_BLOCK."
    )


async def save_on_call_block(server: LocalServer, url: str) -> None:
    """A notification block someone made for the team, as the UI's Blocks page makes it."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(
        name="on-call", url=url, json_data={"subject": "{{subject}}", "body": "{{body}}"}
    )
    async with PrefectClient(api=server.api_url) as client:
        await block.asave("on-call", overwrite=True, client=client)
