"""A `prefect deploy` build step: the day is scheduled once per workspace.

prefect.yaml gives both daily deployments (`daily` on the local pool, `daily-ecs` on ECS) the
03:00 UTC schedule; deployed side by side to one server, both would run every day. This step,
run by `prefect deploy` before it saves a daily deployment, makes that deployment's schedule
active unless another deployment of the same flow already has an active one: the first daily
deployment a workspace gets keeps the day, whatever is deployed next or again. To move the day
to the other deployment, turn its schedule on and the first one's off (UI or `prefect
deployment schedule`): the next deploy of either keeps that choice.
"""

from __future__ import annotations

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName


def scheduled_elsewhere(flow: str, deployment: str) -> list[str]:
    """The other deployments of ``flow`` on the server that have an active schedule."""
    with get_client(sync_client=True) as client:
        deployments = client.read_deployments(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow]))
        )
    return sorted(
        d.name
        for d in deployments
        if d.name != deployment and any(schedule.active for schedule in d.schedules)
    )


def daily_schedule(flow: str, deployment: str) -> dict[str, bool]:
    """``{"active": ...}`` for ``deployment``'s schedule, read by prefect.yaml as
    ``{{ daily-schedule.active }}``."""
    others = scheduled_elsewhere(flow, deployment)
    if others:
        print(
            f"{flow}/{deployment}: its schedule is saved inactive, because "
            f"{', '.join(f'{flow}/{name}' for name in others)} already runs the day on this "
            "server; turn that one's schedule off and deploy again to move the day here."
        )
    return {"active": not others}
