"""``gmp doctor``: the settings and everything they name, checked one line at a time.

The plain checks are the core's (``game_market.doctor``); the ones here need Prefect or dbt:
the Prefect API, a Snowflake login and the dbt project. Each line is printed as soon as its
check ends, so a slow one (dbt's first parse) shows what has passed before it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from game_market.doctor import (
    Check,
    SettingSources,
    check_duckdb,
    check_lake,
    check_rawg_key,
    setting_values,
)
from game_market.errors import ConfigError, PipelineError
from game_market.settings import Settings, load_settings
from game_market.warehouse import Target, check_target
from gmp.console import console


def run(args: argparse.Namespace) -> int:
    """Print one line per check; 1 when any fails. Nothing runs past invalid settings: every
    other check reads them."""
    sources = SettingSources(os.environ)
    try:
        settings = load_settings()
    except ConfigError as exc:
        for problem in exc.problems:
            show(Check("settings", False, problem))
        console.print("The other checks read the settings: fix them, then run `gmp doctor` again.")
        return 1
    show_settings(settings, sources, args.all)
    checks: list[Callable[[], Check]] = [
        lambda: check_rawg_key(settings),
        lambda: check_lake(settings),
        lambda: check_warehouse(settings, args.target or os.environ.get("DBT_TARGET") or "duckdb"),
        check_prefect,
        lambda: check_dbt_project(settings),
    ]
    failed = sum(not show(check()) for check in checks)
    total = len(checks) + 1  # and the settings
    if failed:
        console.print(f"{failed} of {total} checks failed: fix the ✗ lines, then run again.")
        return 1
    console.print(f"All {total} checks passed.")
    return 0


def show(check: Check) -> bool:
    console.print(check.line, markup=False)
    return check.ok


def show_settings(settings: Settings, sources: SettingSources, everything: bool) -> None:
    env_file = sources.env_file.resolve()
    where = (
        f"the environment, then {env_file}, then the defaults"
        if env_file.is_file()
        else f"the environment and the defaults (no {env_file}: copy .env.example there)"
    )
    show(Check("settings", True, f"valid; read from {where}"))
    values, hidden = setting_values(settings, sources, everything)
    width = max(len(value.variable) for value in values)
    for value in values:
        console.print(
            f"    {value.variable:<{width}}  {value.shown}  ({value.source})", markup=False
        )
    if hidden:
        console.print(f"    and {hidden} more at their defaults (`gmp doctor --all` lists them)")


def check_warehouse(settings: Settings, target_name: str) -> Check:
    try:
        target: Target = check_target(target_name)
    except PipelineError as exc:
        return Check("warehouse", False, str(exc))
    if target == "duckdb":
        return check_duckdb(settings)
    return check_snowflake(settings)


def check_snowflake(settings: Settings) -> Check:
    """A connection with the credentials the flows use, and the marts' tables listed."""
    from flows.warehouse import warehouse_for
    from gmp.commands import use_prefect_server

    try:
        if settings.snowflake_credentials_block:
            use_prefect_server()  # where the credentials block is kept
        warehouse = warehouse_for("snowflake", settings)
        with warehouse.reader() as reader:
            tables = reader.tables()
    except PipelineError as exc:
        return Check("warehouse", False, str(exc))
    if not tables:
        return Check(
            "warehouse",
            True,
            f"{warehouse.name}: connected; no tables yet: `gmp daily --target snowflake` or a "
            "backfill with --target snowflake builds them.",
        )
    return Check("warehouse", True, f"{warehouse.name}: connected; {len(tables)} tables.")


def check_prefect() -> Check:
    """The server PREFECT_API_URL names answers; without one, what the commands will use."""
    from gmp.commands import prepare_prefect

    prepare_prefect()
    from gmp.server import LocalServer, check_configured, configured_api_url

    try:
        if url := configured_api_url():
            check_configured(url)
            return Check("Prefect API", True, f"PREFECT_API_URL={url} answers.")
        local = LocalServer.from_prefect_settings()
        if local.answers():
            return Check(
                "Prefect API",
                True,
                f"PREFECT_API_URL is not set: gmp commands report to the Prefect server "
                f"answering at {local.api_url} (UI {local.ui_url}).",
            )
    except PipelineError as exc:
        return Check("Prefect API", False, str(exc))
    return Check(
        "Prefect API",
        True,
        f"PREFECT_API_URL is not set: the first gmp command that runs a flow starts a local "
        f"Prefect server with its UI at {local.ui_url} (`gmp server start` starts it now).",
    )


def check_dbt_project(settings: Settings) -> Check:
    """`dbt parse` of transforms/ with the settings the flows' builds give dbt, so its partial
    parse is theirs: after the first, a parse reads back only what changed."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.base_types import EventMsg

    from flows.transform import PROFILE_TARGET, TRANSFORMS_DIR, dbt_environment, environment

    errors: list[str] = []

    def collect(event: EventMsg) -> None:
        if event.info.level == "error" and event.info.msg:
            errors.append(str(event.info.msg))

    args = ["parse", "--project-dir", str(TRANSFORMS_DIR), "--profiles-dir", str(TRANSFORMS_DIR)]
    with environment(dbt_environment(settings, PROFILE_TARGET)):
        result = dbtRunner(callbacks=[collect]).invoke([*args, "--log-level", "none"])
    if not result.success:
        cause = errors[0] if errors else str(result.exception or "dbt parse failed")
        first = " ".join(cause.split())[:300]
        return Check(
            "dbt project",
            False,
            f"transforms/ does not parse ({first}): fix what dbt names there, then run "
            "`gmp doctor` again.",
        )
    nodes = [str(node.resource_type) for node in result.result.nodes.values()]
    return Check(
        "dbt project",
        True,
        f"transforms/ parses: {nodes.count('model')} models, {nodes.count('test')} data tests.",
    )
