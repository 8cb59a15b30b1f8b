"""The data checks after a build: verdicts from the core, as Prefect events and one artifact.

Each verdict (game_market.checks) becomes an event ``game-market.data-check.<check>.<status>``
on the resource ``game-market.data-check.<check>``, its payload the day, the one sentence and
the figures, which the project's automations turn into notifications; the run's artifact
``data-checks-<day>`` shows them all. A warning or an error does not fail a run that built:
its data is in the warehouse, a retry would fetch the same answer again, and the run's state
message names it beside the alert.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.asyncio import concurrency
from prefect.events import emit_event

from flows.limits import BUILD_LIMIT
from flows.transform import (
    PROFILE_TARGET,
    TRANSFORMS_DIR,
    dbt_environment,
    environment,
    forward_to,
)
from flows.warehouse import warehouse_for
from game_market.checks import Verdict, state_message
from game_market.checks.completeness import read_completeness
from game_market.checks.freshness import SourceFreshness, freshness_verdict
from game_market.checks.volume import read_volume
from game_market.render.checks import checks_markdown
from game_market.runtime import Runtime
from game_market.warehouse import Target


def freshness_args(target: Target) -> list[str]:
    """`dbt source freshness` as the build is invoked (flows.transform.build_args): the same
    project, profile and `--target` rule and no `--vars`, so dbt reads the project back from
    the build's partial parse instead of parsing it again, and the next build does too."""
    args = ["source", "freshness", "--project-dir", str(TRANSFORMS_DIR)]
    if target != PROFILE_TARGET:
        args += ["--target", target]
    return [*args, "--profiles-dir", str(TRANSFORMS_DIR), "--quiet", "--no-use-colors"]


def source_freshness(result: object) -> list[SourceFreshness]:
    """dbt's freshness results of the sources (not its hooks') as plain values."""
    from dbt.artifacts.schemas.freshness import FreshnessResult
    from dbt.node_types import NodeType

    if not isinstance(result, FreshnessResult):
        return []
    return [
        SourceFreshness(
            name=r.node.name,
            status=str(r.status),
            age_hours=r.age / 3600 if getattr(r, "age", None) is not None else None,
            error=str(r.message or "").strip().split("\n")[0],
        )
        for r in result.results
        if r.node.resource_type == NodeType.Source
    ]


def measure_freshness(runtime: Runtime, target: Target, day: date) -> Verdict:
    """`dbt source freshness` of the lake sources, in this process (dbt imported here, as
    flows/transform.py says why)."""
    from dbt.cli.main import dbtRunner

    logger = get_run_logger()
    warehouse = warehouse_for(target, runtime.settings)
    with environment(dbt_environment(runtime.settings, target)):
        # The project's on-run-start hooks run too: on Snowflake they refresh the external
        # tables, so the newest partitions are measured.
        warehouse.prepare()
        try:
            outcome = dbtRunner(callbacks=[forward_to(logger)]).invoke(freshness_args(target))
        finally:
            warehouse.release()
    sources = source_freshness(outcome.result)
    return freshness_verdict(day, sources, "" if sources else str(outcome.exception or ""))


def emit(verdict: Verdict) -> None:
    emit_event(
        event=verdict.event,
        resource={
            "prefect.resource.id": verdict.resource_id,
            "prefect.resource.name": f"{verdict.check} data check",
        },
        payload=verdict.payload(),
    )


@task(name="data-checks", cache_policy=NO_CACHE)
async def data_checks(runtime: Runtime, target: Target, days: Sequence[date]) -> list[Verdict]:
    """Freshness of the lake, then volume and completeness of each day; events and artifact."""
    logger = get_run_logger()
    last = days[-1]
    started = time.perf_counter()
    # One dbt at a time on the warehouse: DuckDB has a single writer.
    async with concurrency(BUILD_LIMIT, occupy=1):
        freshness = await asyncio.to_thread(measure_freshness, runtime, target, last)
    logger.info("dbt source freshness took %.1f s", time.perf_counter() - started)
    volume = read_volume(runtime.lake, days)
    completeness = read_completeness(runtime.lake, days)
    verdicts = [freshness, *(v for pair in zip(volume, completeness, strict=True) for v in pair)]
    for verdict in verdicts:
        emit(verdict)
        level = logger.info if verdict.status == "ok" else logger.warning
        level(
            "Data check %s %s for %s: %s",
            verdict.check,
            verdict.status,
            verdict.day,
            verdict.message,
        )
    span = str(last) if len(days) == 1 else f"{days[0]}..{last}"
    await acreate_markdown_artifact(
        checks_markdown(f"Data checks for {span}", verdicts),
        key=f"data-checks-{span.replace('..', '-')}",
        description=f"Freshness, volume and completeness of the data for {span}",
    )
    return verdicts


async def check_data(runtime: Runtime, target: Target, days: Sequence[date]) -> str:
    """The checks of a run that built ``days``, as the sentence its state message carries.

    Never fails the run: checks that cannot run leave their task run failed, say so in the
    log and here, and the warehouse the run built stands.
    """
    if not days:
        return ""
    state = await data_checks(runtime, target, sorted(days), return_state=True)
    if not state.is_completed():
        get_run_logger().warning("The data checks did not run: %s", state.message)
        return f"Data checks did not run: {state.message}"
    return state_message(await state.aresult())
