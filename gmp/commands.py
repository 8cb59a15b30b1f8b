"""The ``gmp`` commands. Each is an entry point: it reads the settings once and checks what the
run needs before Prefect starts, then hands them to the flows (``flows.context``).

Flows and Prefect are imported inside the commands that run them: Prefect reads its own
settings at import, so ``prepare_prefect`` sets them first, and commands that run no flow
(``report``, ``sandbox``, ``--help``) do not pay for the import. Each command imports only
the flows it runs: ``ingest`` and ``ingest-all`` never import dbt. The flows report to a
Prefect server that outlives the command (``gmp.server``), so no command boots one.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.warehouse import warehouse_for
from game_market.dates import check_long_range, date_range, parse_date
from game_market.errors import PipelineError
from game_market.runtime import Runtime
from game_market.settings import Settings, load_settings
from game_market.warehouse import Target
from gmp.console import console, notice, print_requests, show_progress

if TYPE_CHECKING:
    from gmp.server import LocalServer
    from rawg_simulator import SandboxConfig

DEMO_LAKE = "./data/lake"
DEMO_WAREHOUSE = "./data/warehouse/game_market.duckdb"
DEMO_REPORT = Path("data/reports/market_report.html")
# The demo's sandbox (see `demo_sandbox`) and its release backfill: a month of its catalogue
# holds under 200 games, so 5 pages of 40 take all of them.
DEMO_UPDATE_DAYS = 225
DEMO_REFRESH_SHARE = 0.005
DEMO_RELEASE_PAGES = 5


DEFAULT_SNOWFLAKE_BLOCK = "game-market-snowflake"


def prepare_prefect() -> None:
    """Prefect reads these at import: no telemetry from here (nor from a server started here),
    and our core log lines in runs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")


def use_prefect_server(*modules: str, meanwhile: Callable[[], object] | None = None) -> None:
    """Point this process's flows at a running Prefect server (``gmp.server``), started if
    need be, instead of the temporary one Prefect would boot for it. ``modules`` (the flows
    the command runs) are imported while a server starts, dbt's import alone taking seconds,
    and ``meanwhile`` is called in a thread alongside (for work that waits on a process)."""
    prepare_prefect()
    from prefect.context import refresh_global_settings_context

    from gmp.server import api_url_after

    with api_url_after(notice) as url, ThreadPoolExecutor(max_workers=1) as alongside:
        waited = alongside.submit(meanwhile or (lambda: None))
        for module in modules:
            importlib.import_module(module)
        waited.result()
    os.environ["PREFECT_API_URL"] = url
    # Prefect read its settings at import, before the URL was known.
    refresh_global_settings_context()


@contextmanager
def running_flows(settings: Settings, *modules: str) -> Iterator[Runtime]:
    """Check what an ingest needs (key, writable lake) before Prefect starts, then make this
    runtime the one of every flow started inside the block (``modules``: the command's
    flows, imported while Prefect's server starts)."""
    runtime = Runtime(settings)
    runtime.check_ingest()
    use_prefect_server("flows.context", *modules)
    from flows.context import entry_point

    with entry_point(runtime):
        yield runtime


def page_caps(values: list[str]) -> dict[str, int]:
    """``--max-pages ENDPOINT=N`` flags as the flows' ``max_pages`` (checked by the flow)."""
    caps: dict[str, int] = {}
    for value in values:
        name, _, count = value.partition("=")
        try:
            caps[name.strip()] = int(count)
        except ValueError:
            raise PipelineError(
                f"--max-pages takes ENDPOINT=N, such as games=-1 or developers=20, not {value!r}."
            ) from None
    return caps


def optional_date(value: str | None, flag: str) -> date | None:
    return None if value is None else parse_date(value, flag)


def flow_result(run: Any) -> Any:
    """A flow's return value; a failed run's error surfaces as the PipelineError it carries."""
    return asyncio.run(run) if asyncio.iscoroutine(run) else run


def ingest(args: argparse.Namespace) -> int:
    dates = date_range(parse_date(args.date, "--date"), optional_date(args.end, "--end"))
    with running_flows(load_settings(), "flows.ingest"):
        from flows.ingest import ingest_endpoint

        reports = [
            asyncio.run(ingest_endpoint(endpoint=args.endpoint, date=day, max_pages=args.max_pages))
            for day in dates
        ]
    print_requests(reports)
    return 0


def ingest_all(args: argparse.Namespace) -> int:
    dates = date_range(parse_date(args.date, "--date"), optional_date(args.end, "--end"))
    reports: list[dict[str, Any]] = []
    with running_flows(load_settings(), "flows.ingest"):
        from flows.ingest import ingest_all as ingest_all_flow

        for day in dates:
            reports.extend(
                asyncio.run(
                    ingest_all_flow(
                        date=day, detail_budget=args.detail_budget, only_missing=args.only_missing
                    )
                )
            )
    print_requests(reports)
    return 0


def daily(args: argparse.Namespace) -> int:
    day = optional_date(args.date, "--date")
    with running_flows(load_settings(), "flows.daily") as runtime:
        from flows.daily import daily_game_market_update

        result = flow_result(
            daily_game_market_update(
                date=day,
                detail_budget=args.detail_budget,
                max_requests=args.max_requests,
                target=args.target,
                max_pages=page_caps(args.max_pages),
                full_refresh=args.full_refresh,
                node_tasks=args.node_tasks,
            )
        )
    console.print(f"Daily update for {result['date']}: {result['requests']:,} RAWG requests.")
    print_report(runtime.settings, date.fromisoformat(result["date"]), target=args.target)
    return 0


def backfill(args: argparse.Namespace) -> int:
    start, end = parse_date(args.start, "--start"), parse_date(args.end, "--end")
    check_long_range(date_range(start, end, ("--start", "--end")), args.confirm_long_range)
    with running_flows(load_settings(), "flows.backfill"):
        from flows.backfill import game_market_backfill

        result = flow_result(
            game_market_backfill(
                start_date=start,
                end_date=end,
                only_missing=args.only_missing,
                max_concurrent_days=args.max_concurrent_days,
                max_requests=args.max_requests,
                detail_budget=args.detail_budget,
                target=args.target,
                max_pages=page_caps(args.max_pages),
                full_refresh=args.full_refresh,
                node_tasks=args.node_tasks,
                confirm_long_range=args.confirm_long_range,
            )
        )
    console.print(
        f"Backfill {start}..{end}: {len(result['dates_done'])} dates done, "
        f"{result['requests']:,} RAWG requests."
    )
    return 0


def backfill_releases(args: argparse.Namespace) -> int:
    from game_market.releases import check_max_requests, plan_releases, release_months

    months = release_months(args.start, args.end, ("--start", "--end"))
    check_max_requests(args.max_requests, "--max-requests")
    settings = load_settings()
    runtime = Runtime(settings)
    runtime.check_ingest()
    plan = plan_releases(
        runtime.lake,
        months,
        args.max_pages,
        only_missing=args.only_missing,
        pages_name="--max-pages",
    )
    # Printed before Prefect starts, so a user can stop here before any request is spent.
    console.print(plan.cost_sentence(args.max_requests, "--max-requests"))
    with running_flows(settings, "flows.releases"):
        from flows.releases import release_backfill

        result = flow_result(
            release_backfill(
                start_month=f"{months[0]:%Y-%m}",
                end_month=f"{months[-1]:%Y-%m}",
                max_pages=args.max_pages,
                only_missing=args.only_missing,
                max_requests=args.max_requests,
                target=args.target,
            )
        )
    console.print(
        f"Release backfill {months[0]:%Y-%m}..{months[-1]:%Y-%m}: "
        f"{len(result['months_fetched'])} months fetched ({result['rows']:,} games), "
        f"{len(months) - len(result['months_fetched'])} already landed; "
        f"{result['requests']:,} RAWG requests."
    )
    if not result["built"]:
        console.print(
            "No warehouse build yet: the lake has no day landed. Next, backfill the 14 days "
            "the report needs (gmp backfill --start ... --end ...); its build takes these "
            "months in."
        )
    return 0


def print_report(
    settings: Settings, day: date | None, html: Path | None = None, target: Target = "duckdb"
) -> None:
    from game_market.render.report_html import write_html
    from game_market.render.report_text import render_text
    from game_market.report import build_report

    if target == "snowflake" and settings.snowflake_credentials_block:
        use_prefect_server()  # where the credentials block is kept
    report = build_report(warehouse_for(target, settings), day)
    console.print(render_text(report), end="", markup=False)
    if html is not None:
        write_html(report, html)
        console.print(f"HTML report: {html}")


def report(args: argparse.Namespace) -> int:
    html = Path(args.html) if args.html else None
    print_report(load_settings(), optional_date(args.date, "--date"), html, args.target)
    return 0


def snowflake_block(args: argparse.Namespace) -> int:
    """Create or update the SnowflakeCredentials block the flows read, from SNOWFLAKE_*."""
    settings = load_settings()
    name = args.name or settings.snowflake_credentials_block or DEFAULT_SNOWFLAKE_BLOCK
    use_prefect_server("flows.snowflake")
    from flows.snowflake import save_credentials_block

    created = save_credentials_block(settings, name)
    console.print(
        f"SnowflakeCredentials block {name!r} {'created' if created else 'updated'} from the "
        f"SNOWFLAKE_* settings; set SNOWFLAKE_CREDENTIALS_BLOCK={name} where the flows run."
    )
    return 0


def setup_platform(args: argparse.Namespace) -> int:
    """The work pool and global concurrency limits the local deployments need, on the server
    PREFECT_API_URL names (the platform's), made in this one process."""
    prepare_prefect()
    from gmp.platform import setup_platform as make_objects
    from gmp.server import configured_api_url

    url = configured_api_url()
    if not url:
        raise PipelineError(
            "PREFECT_API_URL is not set: point it at the platform's Prefect server, e.g. "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    settings = load_settings()
    lines = make_objects(url, args.rawg_limit, args.wait, settings, local_pool=not args.cloud)
    for line in asyncio.run(lines):
        console.print(line)
    return 0


def doctor(args: argparse.Namespace) -> int:
    """Check the settings and what they name, one line each (``gmp.doctor``)."""
    from gmp.doctor import run

    return run(args)


def demo(args: argparse.Namespace) -> int:
    """Offline: a sandbox on a free port, the releases of the report's months and the last N
    days backfilled into ./data, a report."""
    from rawg_simulator import base_url, free_port, running_sandbox

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    today = datetime.now(UTC).date()
    config = demo_sandbox(args, today)
    start, end = today - timedelta(days=args.days), today - timedelta(days=1)
    # The report ranks the year before its own (publishers, ratings) and charts its last 12
    # months: every release of those months lands, as `gmp backfill-releases` would land them.
    first_month, last_month = f"{end.year - 1}-01", f"{today:%Y-%m}"
    started = time.perf_counter()
    console.print(f"[1/3] Starting the offline RAWG sandbox ({config.games:,} games)")
    with ExitStack() as sandbox:
        # The sandbox makes its catalogue while a Prefect server starts, if one has to.
        modules = ("flows.context", "flows.backfill", "flows.releases")
        port = free_port()
        use_prefect_server(
            *modules, meanwhile=lambda: sandbox.enter_context(running_sandbox(config, port))
        )
        # The demo always writes the local lake and warehouse, whatever .env points at.
        settings = load_settings(
            rawg_base_url=base_url(port),
            rawg_api_key="sandbox-demo-key",
            lake_url=DEMO_LAKE,
            duckdb_path=DEMO_WAREHOUSE,
        )
        with running_flows(settings, *modules):
            from flows.backfill import game_market_backfill
            from flows.releases import release_backfill

            show_progress()
            console.print(
                f"[2/3] Backfilling the releases of {first_month}..{last_month} and the days "
                f"{start}..{end} into ./data, then building the warehouse"
            )
            # Run first, on a lake with no day yet, it builds nothing: the days' build does.
            releases = flow_result(
                release_backfill(
                    start_month=first_month, end_month=last_month, max_pages=DEMO_RELEASE_PAGES
                )
            )
            result = flow_result(
                game_market_backfill(
                    start_date=start, end_date=end, detail_budget=args.detail_budget
                )
            )
    requests = releases["requests"] + result["requests"]
    console.print(
        f"[3/3] Done in {time.perf_counter() - started:.0f} s: {len(releases['months_done'])} "
        f"months of releases, {len(result['dates_done'])} days, {requests:,} sandbox requests "
        "(a real RAWG key would have spent the same)."
    )
    print_report(settings, end, DEMO_REPORT)
    print_next_steps()
    return 0


def demo_sandbox(args: argparse.Namespace, today: date) -> SandboxConfig:
    """A catalogue with about a hundred releases a month, its updates spread so thinly over
    ``DEMO_UPDATE_DAYS`` that the last 14 days' feed stays small, and most games updated once
    (so each day's most-added games, the ones given details, are new ones)."""
    from rawg_simulator import SandboxConfig

    return SandboxConfig(
        games=args.games,
        seed=args.seed,
        days=max(DEMO_UPDATE_DAYS, args.days),
        refresh_share=DEMO_REFRESH_SHARE,
        today=today,
    )


def print_next_steps() -> None:
    """Where the demo left what it made, and the first step with a real key."""
    from prefect.settings import get_current_settings

    console.print("\nWhat next:")
    console.print(f"  Read the report: open {DEMO_REPORT.resolve()} in a browser.")
    console.print(f"  See the demo's flow runs in the Prefect UI: {get_current_settings().ui_url}")
    console.print(
        "  With your RAWG key: cp .env.example .env, rm -rf data (this demo's sandbox data), put "
        "the key in .env as RAWG_API_KEY=..., "
        "then run `gmp doctor` (after `. .venv/bin/activate`); README.md's \"With your RAWG "
        'key" goes on from there.'
    )


def server(args: argparse.Namespace) -> int:
    """``gmp server start|stop|status``: the local Prefect server the flows report to."""
    prepare_prefect()
    from gmp.server import LocalServer

    local = LocalServer.from_prefect_settings()
    actions = {
        "start": server_start,
        "stop": server_stop,
        "status": server_status,
        "prepare": server_prepare,
    }
    return actions[args.action](local)


def server_start(local: LocalServer) -> int:
    from gmp.server import configured_api_url

    local.ensure_running(notice)
    describe_server(local)
    if configured := configured_api_url():
        console.print(f"PREFECT_API_URL={configured} is set: gmp commands report there instead.")
    return 0


def server_stop(local: LocalServer) -> int:
    pid = local.stop()
    if pid is not None:
        console.print(f"Stopped the local Prefect server (pid {pid}).")
    elif local.answers():
        console.print(
            f"The Prefect server on {local.ui_url} was not started by gmp with PREFECT_HOME="
            f"{local.home}: stop it where it was started (the platform's: make down)."
        )
    else:
        console.print("No local Prefect server is running.")
    return 0


def server_prepare(local: LocalServer) -> int:
    """A new database for this PREFECT_HOME, copied from the migrated template, before a
    server starts on it (the native platform's does): the server need not migrate it, and
    when it holds the template's block types, the variables that spare it registering them."""
    from gmp.server import database_template, registered_blocks_env, seed_database

    if local.database is None:
        console.print("The Prefect database is not a SQLite file: nothing to prepare.")
    elif seed_database(local.database):
        console.print(f"{local.database}: a copy of the migrated {database_template()}.")
    elif local.database.exists():
        console.print(f"{local.database} exists: left as it is.")
    else:
        console.print(
            f"No migrated template could be made in {database_template().parent}: the Prefect "
            f"server migrates its new database itself, which takes it longer to start."
        )
    if registered := registered_blocks_env(local.database):
        variables = " ".join(f"{name}={value}" for name, value in registered.items())
        console.print(
            f"Start its server with {variables}: it holds the installed collections' block "
            f"types already."
        )
    return 0


def server_status(local: LocalServer) -> int:
    """Which server the flows of the next command report to; 1 if it would have to start."""
    from gmp.server import check_configured, configured_api_url

    if configured := configured_api_url():
        check_configured(configured)
        console.print(f"gmp commands report to PREFECT_API_URL={configured}, which answers.")
    elif local.answers():
        describe_server(local)
    else:
        console.print(f"No Prefect server on {local.ui_url}: the next gmp command starts one.")
        return 1
    return 0


def describe_server(local: LocalServer) -> None:
    pid = local.pid()
    origin = f"pid {pid}, log {local.log_file}" if pid else "not started by gmp from here"
    console.print(f"Prefect server: UI {local.ui_url}, API {local.api_url} ({origin}).")


def sandbox(args: argparse.Namespace) -> int:
    from rawg_simulator import config_from_args, serve

    serve(config_from_args(args), host=args.host, port=args.port)
    return 0
