"""The dbt subflow: `dbt build` of transforms/ in this process, one artifact for every node.

dbt runs through its own Python API (`dbtRunner`). What a user looks for is in the UI: the
state message names every failing node, the run's artifact lists every node with its status
and time, and dbt's log lines are the run's. With ``node_tasks`` the build runs through
prefect-dbt's `PrefectDbtRunner` instead (flows/dbt_nodes.py): one task run per node and the
asset lineage Prefect Cloud shows. It is not the default because each node's task run makes
its own calls to the Prefect API, which a build of many small nodes waits on;
benchmarks/dbt_subflow.py measures both against the bare `dbt build`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.states import Completed, State

from flows import timeouts
from flows.build_slot import build_slot
from flows.context import failed, runtime_scope
from flows.dbt_nodes import build_with_node_tasks
from flows.warehouse import warehouse_for
from game_market.errors import PipelineError
from game_market.render.dbt_build import NodeResult, build_markdown
from game_market.runtime import Runtime
from game_market.settings import DEFAULT_LAKE_URL, Settings
from game_market.warehouse import Target

# dbt is imported where a build or check runs it, not with the module: its import costs
# seconds of CPU that a run failing on its input, an ingest-only run or `prefect deploy`
# (which imports the flows to read their parameters) would pay for nothing.
if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult
    from dbt_common.events.base_types import EventMsg

TRANSFORMS_DIR = Path(__file__).resolve().parents[1] / "transforms"
# dbt's event levels by name, as Python's logging levels.
DBT_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
progress = logging.getLogger("game_market.progress")
# Off unless asked for: dbt's file log at debug (every statement of every node) and its JSON
# artifacts (manifest.json written twice, run_results.json) are written on every build, which
# a build of many nodes waits on, and on ECS the files go with the task; the run's artifact and
# log hold what a user reads. dbt's own variables, under either of its names, bring them back:
# DBT_ENGINE_LOG_LEVEL_FILE=debug, DBT_ENGINE_WRITE_JSON=true.
BUILD_DEFAULTS = {"DBT_ENGINE_LOG_LEVEL_FILE": "info", "DBT_ENGINE_WRITE_JSON": "false"}
# The target transforms/profiles.yml builds when none is named, and the variables that name one.
PROFILE_TARGET: Target = "duckdb"
TARGET_VARIABLES = ("DBT_ENGINE_TARGET", "DBT_TARGET")


def forward_to(logger: logging.LoggerAdapter[Any]) -> Callable[[EventMsg], None]:
    """dbt's events as the run's log lines, at the run logger's level and above. The run
    logger carries its run's id: dbt calls back from its own threads, outside the run's
    context."""
    threshold = logger.getEffectiveLevel()

    def forward(event: EventMsg) -> None:
        level = DBT_LEVELS.get(event.info.level, logging.INFO)
        if level >= threshold and event.info.msg:
            logger.log(level, event.info.msg)

    return forward


@contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Run dbt in-process with ``values`` in the environment (None: not there), as they were
    before after.

    dbt reads its profile and sources with ``env_var()``: this is where the entry point's
    settings reach it, so a run started with other settings (``gmp demo``) builds what they name.
    """
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def node_results(result: Any) -> list[NodeResult]:
    """Every node dbt ran, with 'N failures' or its error on one line: the first line of
    dbt's message is often only the error's kind ("Internal Error", "Runtime Error in test
    x"), which says nothing of the cause."""
    from dbt.contracts.results import RunExecutionResult

    if not isinstance(result, RunExecutionResult):
        return []
    nodes = []
    for node_result in result.results:
        detail = f"{node_result.failures} failures" if node_result.failures else ""
        if node_result.message and not node_result.failures:
            line = " ".join(str(node_result.message).split())
            detail = line if len(line) <= 240 else line[:237] + "..."
        nodes.append(
            NodeResult(
                resource=str(node_result.node.resource_type).lower(),
                name=node_result.node.name,
                status=str(node_result.status).lower(),
                seconds=node_result.execution_time,
                detail=detail,
            )
        )
    return nodes


def build_args(
    target: Target, select: str | None, full_refresh: bool, variables: dict[str, Any]
) -> list[str]:
    """The `dbt build` arguments. dbt parses the whole project again whenever its `--vars` or
    its `--target` (DBT_TARGET) differ from the last run's, where an unchanged project is
    otherwise read back from its partial parse: so `--vars` only when a run sets some, and
    `--target` only for another target than the profile's own, which `make transform` builds
    without naming it (dbt_environment keeps DBT_TARGET from naming it either)."""
    # Unit tests check the models' SQL against fixed inputs: `make test` and CI run them on
    # every change, as dbt advises, so a production build does not pay for them again.
    args = ["build", "--project-dir", str(TRANSFORMS_DIR)]
    if target != PROFILE_TARGET:
        args += ["--target", target]
    args += ["--exclude-resource-type", "unit_test"]
    args += ["--profiles-dir", str(TRANSFORMS_DIR)]
    if variables:
        args += ["--vars", json.dumps(variables, default=str)]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


def dbt_environment(settings: Settings, target: Target) -> dict[str, str | None]:
    """The settings dbt reads (for the profile's own target, without the variables that would
    name it: see build_args), and for a snowflake build the login, from the credentials block
    or the SNOWFLAKE_* settings; then the build's defaults that the user did not set."""
    values: dict[str, str | None] = {**settings.dbt_environment()}
    if target == PROFILE_TARGET:
        values |= dict.fromkeys(TARGET_VARIABLES)
    # dbt's partial parse records whether a variable the models read was set, not only its
    # value: given LAKE_URL=./data/lake, a build parses the sources again after `make
    # transform` left it unset, though both read the same lake.
    if values.get("LAKE_URL") == DEFAULT_LAKE_URL and "LAKE_URL" not in os.environ:
        values["LAKE_URL"] = None
    values |= {
        name: value
        for name, value in BUILD_DEFAULTS.items()
        if name not in os.environ and name.replace("DBT_ENGINE_", "DBT_") not in os.environ
    }
    if target == "snowflake":
        from flows.snowflake import dbt_credentials_environment, snowflake_credentials

        values |= dbt_credentials_environment(snowflake_credentials(settings))
    return values


def build(
    runtime: Runtime,
    target: Target,
    select: str | None,
    full_refresh: bool,
    variables: dict[str, Any],
    node_tasks: bool = False,
) -> State:
    """One `dbt build`, its failures named; the settings' variables are in the environment."""
    logger = get_run_logger()
    warehouse = warehouse_for(target, runtime.settings)
    progress.info("dbt build on %s: every model and every test", target)
    # One build at a time per platform; a deployment's run fails in one sentence without it.
    from dbt.cli.main import dbtRunner

    with build_slot():
        warehouse.prepare()
        try:
            # dbt's own console lines would repeat what the run's log already shows, and
            # color codes are noise there.
            args = [
                *build_args(target, select, full_refresh, variables),
                "--quiet",
                "--no-use-colors",
            ]
            result: dbtRunnerResult = (
                timeouts.interruptible(build_with_node_tasks, args, logger)
                if node_tasks
                else timeouts.interruptible(dbtRunner(callbacks=[forward_to(logger)]).invoke, args)
            )
        finally:
            warehouse.release()
    nodes = node_results(result.result)
    if nodes:
        create_markdown_artifact(
            build_markdown(f"dbt build on {target}", nodes),
            key=f"dbt-build-{target}",
            description=f"Every node of the dbt build on {target}",
        )
    failures = [f"{n.resource} {n.name} ({n.detail or n.status})" for n in nodes if n.failed]
    if not result.success:
        if failures:
            return failed(
                PipelineError(
                    f"dbt build failed on {len(failures)} node(s): {'; '.join(failures)}."
                )
            )
        return failed(PipelineError(f"dbt build did not run: {result.exception}."))
    summary = {
        "target": target,
        "nodes": len(nodes),
        "passed": sum(n.status in ("success", "pass") for n in nodes),
        "warned": sum(n.status == "warn" for n in nodes),
        "skipped": sum(n.status == "skipped" for n in nodes),
    }
    logger.info("dbt build on %s: %s", target, summary)
    progress.info("dbt build passed: %s nodes", summary["nodes"])
    return Completed(message=f"dbt build passed {summary['nodes']} nodes.", data=summary)


@flow(name="dbt-build", flow_run_name="dbt-build-{target}", timeout_seconds=timeouts.BUILD_S)
def transform(
    target: Target = "duckdb",
    select: str | None = None,
    full_refresh: bool = False,
    vars: dict[str, Any] | None = None,
    node_tasks: bool = False,
) -> dict[str, Any] | State:
    """Build and test the warehouse; any failing model or test fails the run, named.

    Args:
        target: The warehouse: duckdb (the local file, DUCKDB_PATH) or snowflake.
        select: dbt's node selection, to rebuild chosen assets: e.g. `dim_genres+`
            (a model and everything downstream of it), `+dim_genres` (and everything
            upstream), `marts`; empty: the whole project.
        full_refresh: Rebuild incremental models from scratch instead of adding new rows.
        vars: dbt variables for the build, e.g. {"trending_top_n": 20}.
        node_tasks: Also show each dbt node as a Prefect task run, with the asset lineage
            Prefect Cloud draws from them (prefect-dbt's runner); the build takes longer.
    """
    try:
        with (
            runtime_scope() as runtime,
            environment(dbt_environment(runtime.settings, target)),
        ):
            return build(runtime, target, select, full_refresh, vars or {}, node_tasks)
    except PipelineError as exc:
        return failed(exc)


@dataclass(frozen=True)
class BuildOptions:
    """The dbt build a flow ends with, as its parameters ask for it."""

    target: Target = "duckdb"
    full_refresh: bool = False
    node_tasks: bool = False

    def run(self) -> State:
        """The build as a subflow; its final state, failed or not, for the caller to weigh."""
        return transform(
            target=self.target,
            full_refresh=self.full_refresh,
            node_tasks=self.node_tasks,
            return_state=True,
        )
