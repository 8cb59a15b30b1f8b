"""Alerts as code: the automations of ``gmp/automations.yaml`` applied to a Prefect server,
each notifying the destination the ALERT_* settings name.

Applying is idempotent: an automation is found by its name and updated, else created; extra
copies of a name and automations tagged ours that the file no longer declares are deleted, so
applying twice leaves the same set. With no destination the automations are still applied,
disabled and with nothing to do, so that they are visible in the UI and no earlier
destination keeps receiving alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import yaml

from game_market.errors import ConfigError
from game_market.settings import Settings

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.events.schemas.automations import Automation, AutomationCore

DECLARATIONS = Path(__file__).with_name("automations.yaml")
# Every automation applied from the file carries this tag: how a removed one is found.
TAG = "game-market-alerts"
# The blocks made from ALERT_WEBHOOK_URL and ALERT_SLACK_WEBHOOK_URL.
BLOCK_NAME = "game-market-alerts"
DESTINATIONS = ("ALERT_BLOCK", "ALERT_WEBHOOK_URL", "ALERT_SLACK_WEBHOOK_URL")
# The generic webhook's JSON body; `text` makes it a Slack-, Teams- or Mattermost-style post.
WEBHOOK_JSON = {"subject": "{{subject}}", "body": "{{body}}", "text": "{{subject}}\n{{body}}"}


@dataclass(frozen=True)
class Destination:
    """The notification block the automations send to, as ``<block-type>/<name>``."""

    block_document_id: UUID
    label: str


def declared(path: Path = DECLARATIONS) -> list[dict[str, Any]]:
    """The automations the file declares, as written."""
    return yaml.safe_load(path.read_text())["automations"]


def automations(
    declarations: list[dict[str, Any]],
    destination: Destination | None,
    daily_within_s: int | None = None,
) -> list[AutomationCore]:
    """Prefect's automations for the declarations: each sends its notification to
    ``destination``, or, with none, is disabled and does nothing. ``daily_within_s`` replaces
    the window of the proactive (absence) triggers."""
    from prefect.events.actions import DoNothing, SendNotification
    from prefect.events.schemas.automations import AutomationCore

    made = []
    for declaration in declarations:
        trigger = dict(declaration["trigger"], type="event")
        if daily_within_s is not None and trigger.get("posture") == "Proactive":
            trigger["within"] = daily_within_s
        if destination is None:
            action: Any = DoNothing()
        else:
            action = SendNotification(
                block_document_id=destination.block_document_id, **declaration["notify"]
            )
        made.append(
            AutomationCore(
                name=declaration["name"],
                description=declaration.get("description", ""),
                enabled=destination is not None,
                tags=[TAG],
                trigger=trigger,
                actions=[action],
            )
        )
    return made


def chosen_destination(settings: Settings) -> str | None:
    """The one ALERT_* destination set, by name; None when none is."""
    values = (settings.alert_block, settings.alert_webhook_url, settings.alert_slack_webhook_url)
    chosen = [name for name, value in zip(DESTINATIONS, values, strict=True) if value]
    if len(chosen) > 1:
        raise ConfigError(
            [
                f"{' and '.join(chosen)} are each a destination for the alerts: set one of "
                f"them in .env or the environment (see .env.example)."
            ]
        )
    return chosen[0] if chosen else None


async def destination_block(client: PrefectClient, settings: Settings) -> Destination | None:
    """The notification block the settings name: ALERT_BLOCK's, or one saved from a webhook
    URL (the URL kept as a secret of the block, never printed); None when none is set."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock, SlackWebhook
    from prefect.exceptions import ObjectNotFound

    chosen = chosen_destination(settings)
    if chosen == "ALERT_BLOCK":
        assert settings.alert_block is not None
        slug, name = settings.alert_block.split("/", 1)
        try:
            document = await client.read_block_document_by_name(name, slug, include_secrets=False)
        except ObjectNotFound:
            raise ConfigError(
                [
                    f"ALERT_BLOCK={settings.alert_block} names no block on this Prefect "
                    f"server: create it (prefect block create {slug}, or the UI's Blocks "
                    f"page), or fix ALERT_BLOCK."
                ]
            ) from None
        if "notify" not in (document.block_schema.capabilities if document.block_schema else []):
            raise ConfigError(
                [
                    f"ALERT_BLOCK={settings.alert_block} is not a notification block: name "
                    f"one that sends messages, such as slack-webhook/<name>."
                ]
            )
        return Destination(document.id, settings.alert_block)
    if chosen == "ALERT_WEBHOOK_URL":
        assert settings.alert_webhook_url is not None
        block: Any = CustomWebhookNotificationBlock(
            name=BLOCK_NAME,
            url="{{url}}",
            json_data=WEBHOOK_JSON,
            secrets={"url": settings.alert_webhook_url.get_secret_value()},
        )
    elif chosen == "ALERT_SLACK_WEBHOOK_URL":
        block = SlackWebhook(url=settings.alert_slack_webhook_url)
    else:
        return None
    block_id = await block.asave(BLOCK_NAME, overwrite=True, client=client)
    return Destination(block_id, f"{block.get_block_type_slug()}/{BLOCK_NAME}")


async def apply(client: PrefectClient, wanted: list[AutomationCore]) -> dict[str, str]:
    """Make the server's automations tagged ours exactly ``wanted``, matched by name: what
    was done to each, by name (``created``, ``updated``, ``deleted``)."""
    names = {automation.name for automation in wanted}
    present: dict[str, list[Automation]] = {}
    for automation in await client.read_automations():
        if TAG in automation.tags or automation.name in names:
            present.setdefault(automation.name, []).append(automation)
    done: dict[str, str] = {}
    for automation in wanted:
        same_name = present.pop(automation.name, [])
        if same_name:
            await client.update_automation(same_name[0].id, automation)
            done[automation.name] = "updated"
        else:
            await client.create_automation(automation)
            done[automation.name] = "created"
        for extra in same_name[1:]:
            await client.delete_automation(extra.id)
    for name, stale in present.items():
        for automation in stale:
            await client.delete_automation(automation.id)
        done[name] = "deleted"
    return done


async def setup_alerts(client: PrefectClient, settings: Settings) -> list[str]:
    """Apply the declared automations to the destination the settings name; one line an
    automation, and one line saying where they notify (or that they notify nothing)."""
    destination = await destination_block(client, settings)
    wanted = automations(declared(), destination, settings.alert_daily_within_seconds)
    done = await apply(client, wanted)
    state = "enabled" if destination else "disabled"
    lines = [
        f"automation {name!r}: {what}" + (f", {state}" if what != "deleted" else "")
        for name, what in done.items()
    ]
    if destination is None:
        lines.append(
            f"alerts: no destination set ({', '.join(DESTINATIONS[:-1])} or "
            f"{DESTINATIONS[-1]}), so the {len(wanted)} automations are disabled and notify "
            f"nothing."
        )
    else:
        lines.append(f"alerts: the {len(wanted)} automations notify {destination.label}")
    return lines
