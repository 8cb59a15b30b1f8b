"""The dbt subflow's build with one Prefect task run per dbt node (``node_tasks``), through
prefect-dbt's ``PrefectDbtRunner``.

The runner runs dbt's own ``dbtRunner`` (dbt's build order, threads and test edges) and turns
each node dbt starts into a task run: a failing model or test is a Failed task run, the nodes
dbt skips after it get none. Models get materializing task runs whose asset events
(``prefect.asset.materialization.*``, the upstream tables and sources as related resources,
``dbt`` as the materializer) draw the lineage of Prefect Cloud's asset graph.

prefect-dbt's other engine, ``PrefectDbtOrchestrator``, is not used: with tests run between
models (its ``TestStrategy.IMMEDIATE``), it makes a model wait for every test on any of its
parents unless that test reads the model or its descendants, so two sibling marts that each
hold a ``relationships`` test to one dimension (mart_report_genres and mart_report_releases,
to dim_genres) wait for each other's test, and it refuses the graph as cyclic. dbt makes a
node wait only for the tests whose every parent is its ancestor.
"""

from __future__ import annotations

import logging
import threading
import time
from itertools import pairwise
from typing import TYPE_CHECKING, Any

# dbt is imported where a build runs it, as flows/transform.py says why.
if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult
    from dbt_common.events.base_types import EventLevel

# The flags of `dbt build` that `dbt parse` takes as well: the ones dbt's partial parse
# depends on, so the parse here and the build after it read back one partial parse.
PARSE_FLAGS = ("--project-dir", "--profiles-dir", "--target", "--vars")
# How long a node's task run may take to report its final state once dbt is done with it.
REPORT_TIMEOUT_S = 300.0


def parse_args(build_args: list[str]) -> list[str]:
    """`dbt parse` of the project `dbt build` with ``build_args`` builds, without console
    lines: its errors are the result's."""
    args = ["parse", "--quiet"]
    for flag, value in pairwise(build_args):
        if flag in PARSE_FLAGS:
            args += [flag, value]
    return args


def event_level(level: int) -> EventLevel:
    """dbt's level for Python's ``level``: dbt spells warning "warn" and has no critical,
    where prefect-dbt's default (the Prefect logging level's name) fails on both."""
    from dbt_common.events.base_types import EventLevel

    if level >= logging.ERROR:
        return EventLevel.ERROR
    if level >= logging.WARNING:
        return EventLevel.WARN
    return EventLevel.INFO if level >= logging.INFO else EventLevel.DEBUG


def wait_for_node_tasks(before: set[threading.Thread]) -> None:
    """Let the task runs PrefectDbtRunner started report their final state.

    It runs each node's task run in a daemon thread of its own, which sets the state in the
    Prefect API after dbt finished the node: a flow run that ended first would leave task runs
    Running, and a process exiting under them can abort while the interpreter tears them down.
    """
    deadline = time.monotonic() + REPORT_TIMEOUT_S
    for thread in set(threading.enumerate()) - before:
        if thread.daemon and thread.name.endswith("(run_task)"):
            thread.join(max(0.0, deadline - time.monotonic()))


def build_with_node_tasks(
    build_args: list[str], logger: logging.LoggerAdapter[Any]
) -> dbtRunnerResult:
    """`dbt build` with ``build_args``, one task run per node, its log lines in them: dbt's
    result as ``dbtRunner`` returns it, a failed node included, and an error that kept dbt
    from building as the result's exception."""
    # Imported here: the builds without node tasks do not pay for prefect-dbt's import.
    from dbt.cli.main import dbtRunner, dbtRunnerResult
    from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

    # The runner reads its manifest (which node is a model, what it depends on) from
    # target/manifest.json unless given one; dbt writes that file only when asked to
    # (DBT_ENGINE_WRITE_JSON, off for the subflow), so the project is parsed here instead.
    parsed = dbtRunner().invoke(parse_args(build_args))
    if not parsed.success:
        return parsed
    project_dir = build_args[build_args.index("--project-dir") + 1]
    runner = PrefectDbtRunner(
        manifest=parsed.result,
        settings=PrefectDbtSettings(
            project_dir=project_dir,
            profiles_dir=project_dir,
            log_level=event_level(logger.getEffectiveLevel()),
        ),
        # Failures are read from the result, to name every failing node in one message.
        raise_on_failure=False,
    )
    threads = set(threading.enumerate())
    try:
        return runner.invoke(build_args)
    except ValueError as exc:
        # How the runner reports dbt's own exception, after the command line it ran.
        message = str(exc).split("': ", 1)[-1]
        return dbtRunnerResult(success=False, exception=RuntimeError(message))
    finally:
        wait_for_node_tasks(threads)
