"""The dbt subflow: `dbt build` of transforms/ through PrefectDbtRunner, one task per node."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbt.contracts.results import RunExecutionResult
from dbt_common.events.base_types import EventLevel
from prefect import flow, get_run_logger
from prefect.concurrency.sync import concurrency
from prefect.states import Completed, State
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from flows.context import failed, runtime_scope
from game_market.errors import PipelineError
from game_market.runtime import Runtime
from game_market.warehouse import Target, warehouse_for

TRANSFORMS_DIR = Path(__file__).resolve().parents[1] / "transforms"
FAILED_STATUSES = {"error", "fail", "runtime error"}
DBT_LEVELS = {
    "DEBUG": EventLevel.DEBUG,
    "INFO": EventLevel.INFO,
    "WARNING": EventLevel.WARN,
    "ERROR": EventLevel.ERROR,
    "CRITICAL": EventLevel.ERROR,
}
BUILD_LIMIT = "dbt-build"  # global concurrency limit, created with the platform
progress = logging.getLogger("game_market.progress")


def dbt_runner(level: int) -> PrefectDbtRunner:
    # dbt's lines follow the run logger's level, mapped by hand: prefect-dbt's own mapping
    # fails on names dbt spells differently ("WARNING" vs "warn").
    settings = PrefectDbtSettings(
        project_dir=TRANSFORMS_DIR,
        profiles_dir=TRANSFORMS_DIR,
        log_level=DBT_LEVELS.get(logging.getLevelName(level), EventLevel.INFO),
    )
    # Failures are read from the results below, to name every failing node in one message.
    return PrefectDbtRunner(settings=settings, raise_on_failure=False)


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Run dbt in-process with ``values`` in the environment, as they were before after.

    dbt reads its profile and sources with ``env_var()``: this is where the entry point's
    settings reach it, so a run started with other settings (``gmp demo``) builds what they name.
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def wait_for_node_tasks(before: set[threading.Thread], timeout_s: float = 300) -> None:
    """Let the per-node task threads PrefectDbtRunner started finish reporting.

    They report each node's task run from daemon threads that can lag the build by seconds;
    a flow that ended first would lose those task runs, and a CLI process exiting under them
    can abort while the interpreter tears them down.
    """
    deadline = time.monotonic() + timeout_s
    for thread in set(threading.enumerate()) - before:
        if thread.daemon and thread.name.endswith("(run_task)"):
            thread.join(max(0.0, deadline - time.monotonic()))


def failing_nodes(result: Any) -> list[str]:
    """'model dim_games (<first line of the error>)', 'test unique_... (3 failures)'."""
    if not isinstance(result, RunExecutionResult):
        return []
    nodes = []
    for node_result in result.results:
        status = str(node_result.status).lower()
        if status not in FAILED_STATUSES:
            continue
        resource = str(node_result.node.resource_type).lower()
        detail = f"{node_result.failures} failures" if node_result.failures else status
        if node_result.message and not node_result.failures:
            first_line = str(node_result.message).strip().splitlines()[0]
            detail = first_line if len(first_line) <= 160 else first_line[:157] + "..."
        nodes.append(f"{resource} {node_result.node.name} ({detail})")
    return nodes


def build_args(
    target: str, select: str | None, full_refresh: bool, variables: dict[str, Any]
) -> list[str]:
    """The `dbt build` arguments. `--vars` only when a run sets some: dbt parses the whole
    project again whenever they differ from the last run's, where an unchanged project is
    otherwise read back from its partial parse."""
    args = ["build", "--target", target]
    if variables:
        args += ["--vars", json.dumps(variables, default=str)]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


def build(
    runtime: Runtime,
    target: Target,
    select: str | None,
    full_refresh: bool,
    variables: dict[str, Any],
) -> State:
    """One `dbt build`, its failures named; the settings' variables are in the environment."""
    logger = get_run_logger()
    warehouse = warehouse_for(target, runtime.settings)
    warehouse.prepare()
    runner = dbt_runner(logger.logger.getEffectiveLevel())
    progress.info("dbt build on %s: every model and every test", target)
    # One build at a time per platform: DuckDB allows a single writer, and two builds of one
    # incremental model would race. Without the limit (a temporary server) this is a no-op.
    threads_before = set(threading.enumerate())
    with concurrency(BUILD_LIMIT, occupy=1):
        try:
            result = runner.invoke(build_args(target, select, full_refresh, variables))
        finally:
            warehouse.release()
    wait_for_node_tasks(threads_before)
    failures = failing_nodes(result.result)
    if not result.success:
        if failures:
            return failed(
                PipelineError(
                    f"dbt build failed on {len(failures)} node(s): {'; '.join(failures)}."
                )
            )
        return failed(PipelineError(f"dbt build did not run: {result.exception}."))
    statuses = [str(r.status).lower() for r in result.result.results]
    summary = {
        "target": target,
        "nodes": len(statuses),
        "passed": sum(s in ("success", "pass") for s in statuses),
        "warned": sum(s == "warn" for s in statuses),
        "skipped": sum(s == "skipped" for s in statuses),
    }
    logger.info("dbt build on %s: %s", target, summary)
    progress.info("dbt build passed: %s nodes", summary["nodes"])
    return Completed(message=f"dbt build passed {summary['nodes']} nodes.", data=summary)


@flow(name="dbt-build", flow_run_name="dbt-build-{target}")
def transform(
    target: Target = "duckdb",
    select: str | None = None,
    full_refresh: bool = False,
    vars: dict[str, Any] | None = None,
) -> dict[str, Any] | State:
    """Build and test the warehouse; any failing model or test fails the run, named."""
    try:
        with runtime_scope() as runtime, environment(runtime.settings.dbt_environment()):
            return build(runtime, target, select, full_refresh, vars or {})
    except PipelineError as exc:
        return failed(exc)
