"""`prefect deploy` of prefect.yaml against a real Prefect server: the ECS deployments ask
nothing in a terminal and come out as with --no-prompt, running from the image's working
directory; and however the local and ECS deployments are combined on one server, the day is
scheduled once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from prefect.settings import PREFECT_API_URL

from tests.support.cloud_env import EXPECTED_ENV
from tests.support.deploy import (
    ECS,
    LOCAL,
    create_pools,
    delete_deployments,
    deploy,
    deploy_env,
    deploy_in_terminal,
    described,
    read_deployments,
    render_ecs_template,
    run,
    runs_scheduled_on,
)
from tests.support.dockerfile import REPO, parse_dockerfile

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A server with the `local` and `ecs` pools and none of prefect.yaml's deployments."""
    folder = tmp_path_factory.mktemp("deploy")
    run(create_pools(render_ecs_template(folder)))
    run(delete_deployments())
    yield deploy_env(str(PREFECT_API_URL.value()), folder / "prefect-home")
    run(delete_deployments())


def image_workdir() -> str:
    return parse_dockerfile((REPO / "Dockerfile").read_text())[-1].all("WORKDIR")[-1]


def test_ecs_deployments_ask_nothing_in_a_terminal_and_match_no_prompt(
    env: dict[str, str],
) -> None:
    in_terminal = deploy_in_terminal(ECS, env)
    assert in_terminal.returncode == 0, in_terminal.output[-3000:]
    assert "? " not in in_terminal.output, in_terminal.output[-3000:]
    interactive = {name: described(d) for name, d in run(read_deployments()).items()}
    assert sorted(interactive) == ECS

    run(delete_deployments())
    no_prompt = deploy(ECS, env)
    assert no_prompt.returncode == 0, no_prompt.stdout[-3000:] + no_prompt.stderr[-3000:]
    # Prefect's own guess ("Using default working directory") is not needed.
    assert "working directory" not in no_prompt.stdout + no_prompt.stderr
    assert {name: described(d) for name, d in run(read_deployments()).items()} == interactive

    pull = {"prefect.deployments.steps.set_working_directory": {"directory": image_workdir()}}
    for name, deployment in interactive.items():
        assert deployment["pull_steps"] == [pull], name
        assert deployment["job_variables"]["image"] == EXPECTED_ENV["GMP_IMAGE_URI"], name
    assert interactive["daily-ecs"]["schedules"][0][1] is True
    run(delete_deployments())


def assert_the_day_runs_once_on(expected: str, deployed: subprocess.CompletedProcess[str]) -> None:
    """Tomorrow has one scheduled run, of ``expected``; the other daily deployment, if
    deployed, keeps its 03:00 schedule, off, and ``deployed`` (the last `prefect deploy`) said
    why."""
    assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert run(runs_scheduled_on(tomorrow, str(PREFECT_API_URL.value()))) == [expected]
    deployments = run(read_deployments())
    others = {"daily", "daily-ecs"} & set(deployments) - {expected}
    for name in others:
        assert [(s.schedule.cron, s.active) for s in deployments[name].schedules] == [
            ("0 3 * * *", False)
        ]
        assert "already runs the day on this server" in deployed.stdout


# Each: the `prefect deploy` commands run one after the other on one server, and the daily
# deployment that runs the day after each (ECS alone: daily-ecs, as after the first command
# of "ECS, then local").
COMBINATIONS = {
    "only local": ([LOCAL], "daily"),
    "ECS, then local": ([ECS, LOCAL], "daily-ecs"),
}


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_the_day_is_scheduled_once_however_the_deployments_are_combined(
    env: dict[str, str], combination: str
) -> None:
    commands, expected = COMBINATIONS[combination]
    run(delete_deployments())
    for names in commands:
        assert_the_day_runs_once_on(expected, deploy(names, env))


def test_deploying_everything_schedules_the_day_once_and_keeps_it_where_it_was_moved(
    env: dict[str, str],
) -> None:
    """`prefect deploy --all`: the local deployment runs the day. A user then turns the local
    schedule off and the ECS one on: deploying everything again keeps the day where they put
    it."""
    run(delete_deployments())
    assert_the_day_runs_once_on("daily", deploy([], env))
    run(set_daily_schedules({"daily": False, "daily-ecs": True}))
    assert_the_day_runs_once_on("daily-ecs", deploy([], env))


async def set_daily_schedules(active: dict[str, bool]) -> None:
    from prefect.client.orchestration import get_client

    deployments = await read_deployments()
    async with get_client() as client:
        for name, on in active.items():
            deployment = deployments[name]
            for schedule in deployment.schedules:
                await client.update_deployment_schedule(deployment.id, schedule.id, active=on)
