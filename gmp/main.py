"""``gmp``: the command line of the Game Market Pipeline (``gmp --help``)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

from flows.limits import DEFAULT_RAWG_LIMIT
from game_market import ATTRIBUTION
from game_market.endpoints import Endpoint
from game_market.errors import PipelineError
from game_market.ingest import DEFAULT_DETAIL_BUDGET
from game_market.releases import DEFAULT_MAX_PAGES as DEFAULT_RELEASE_PAGES
from game_market.warehouse import TARGETS
from gmp import commands
from rawg_simulator import add_arguments as add_sandbox_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmp",
        description=f"Game Market Pipeline: RAWG market data into a Parquet lake. {ATTRIBUTION}",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = subcommands.add_parser(
        "ingest",
        help="land one endpoint for a date (or a date range)",
        description="Land one endpoint's partition for --date (through --end, if given).",
    )
    ingest.add_argument("--endpoint", required=True, choices=[e.value for e in Endpoint])
    ingest.add_argument("--date", required=True, help="YYYY-MM-DD")
    ingest.add_argument("--end", help="last date of a range, YYYY-MM-DD (inclusive)")
    ingest.add_argument(
        "--max-pages",
        type=int,
        default=None,
        help="page cap; -1 for every page (default: 5 for developers/publishers, else all)",
    )
    ingest.set_defaults(handler=commands.ingest)

    ingest_all = subcommands.add_parser(
        "ingest-all",
        help="land every endpoint for a date (or a date range)",
        description="Land games updated that day, the snapshots and game details for --date.",
    )
    ingest_all.add_argument("--date", required=True, help="YYYY-MM-DD")
    ingest_all.add_argument("--end", help="last date of a range, YYYY-MM-DD (inclusive)")
    ingest_all.add_argument(
        "--detail-budget",
        type=int,
        default=DEFAULT_DETAIL_BUDGET,
        help=f"max /games/{{id}} requests a day (default {DEFAULT_DETAIL_BUDGET})",
    )
    ingest_all.add_argument(
        "--only-missing", action="store_true", help="skip partitions that are already complete"
    )
    ingest_all.set_defaults(handler=commands.ingest_all)

    daily = subcommands.add_parser(
        "daily",
        help="the daily update: ingest a day, build the warehouse, print the report",
        description="Ingest every endpoint for --date (default: yesterday, UTC), then dbt build.",
    )
    daily.add_argument("--date", help="YYYY-MM-DD (default: yesterday, UTC)")
    _add_run_options(daily)
    daily.set_defaults(handler=commands.daily)

    backfill = subcommands.add_parser(
        "backfill",
        help="ingest a range of days side by side, then build the warehouse once",
        description="Ingest every date from --start through --end, then one dbt build.",
    )
    backfill.add_argument("--start", required=True, help="first date, YYYY-MM-DD")
    backfill.add_argument("--end", required=True, help="last date, YYYY-MM-DD (inclusive)")
    backfill.add_argument(
        "--only-missing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip partitions already complete (default); --no-only-missing refetches all",
    )
    backfill.add_argument(
        "--all", dest="only_missing", action="store_false", help="same as --no-only-missing"
    )
    backfill.add_argument("--max-concurrent-days", type=int, default=4)
    backfill.add_argument(
        "--confirm-long-range",
        action="store_true",
        help="run a range over 3 years (it spends months of the free tier's requests)",
    )
    _add_run_options(backfill)
    backfill.set_defaults(handler=commands.backfill)

    releases = subcommands.add_parser(
        "backfill-releases",
        help="land the most-added games released in each month, then build the warehouse",
        description="Land the most-added games released in each month from --start through "
        "--end (default: the 12 months up to and including the current UTC month), 40 a "
        "request, up to --max-pages requests a month, then one dbt build. The cost, at most "
        "months × --max-pages requests, is printed before the first request; months landed "
        "after they ended are skipped by a rerun.",
    )
    releases.add_argument("--start", help="first month, YYYY-MM (default: 11 months before --end)")
    releases.add_argument("--end", help="last month, YYYY-MM (default: the current UTC month)")
    releases.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_RELEASE_PAGES,
        help=f"pages of 40 games a month, most added first (default {DEFAULT_RELEASE_PAGES}: "
        f"the top {DEFAULT_RELEASE_PAGES * 40} games)",
    )
    releases.add_argument(
        "--max-requests", type=int, default=None, help="stop cleanly after this many requests"
    )
    releases.add_argument(
        "--only-missing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip months already landed after they ended (default); --no-only-missing "
        "refetches all",
    )
    releases.add_argument("--target", choices=TARGETS, default="duckdb")
    releases.set_defaults(handler=commands.backfill_releases)

    report = subcommands.add_parser(
        "report",
        help="print the market report from the warehouse",
        description="Print the market report for --date (default: the latest day built).",
    )
    report.add_argument("--date", help="YYYY-MM-DD (default: the latest day in the warehouse)")
    report.add_argument("--html", help="also write the HTML report to this path")
    report.add_argument(
        "--target", choices=TARGETS, default="duckdb", help="the warehouse to read (default duckdb)"
    )
    report.set_defaults(handler=commands.report)

    doctor = subcommands.add_parser(
        "doctor",
        help="check the settings, the RAWG key, the lake, the warehouse, Prefect and dbt",
        description="Check, one line each, the settings (their values and where each came "
        "from, secrets hidden), the RAWG key (one request), the lake (a probe written and "
        "deleted), the warehouse, the Prefect API and the dbt project. Exit status 1 when any "
        "check fails.",
    )
    doctor.add_argument(
        "--target",
        choices=TARGETS,
        default=None,
        help="the warehouse to check (default: DBT_TARGET, else duckdb)",
    )
    doctor.add_argument(
        "--all", action="store_true", help="list every setting, those at their defaults too"
    )
    doctor.set_defaults(handler=commands.doctor)

    demo = subcommands.add_parser(
        "demo",
        help="offline demo: sandbox, a year of releases and the last 14 days into ./data, "
        "warehouse, report",
        description="Start the RAWG sandbox on a free port, backfill the releases of the "
        "report's months and the last days into ./data, build and test the warehouse, print "
        "the report and write data/reports/.",
    )
    demo.add_argument("--days", type=int, default=14)
    demo.add_argument("--games", type=int, default=30_000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--detail-budget", type=int, default=60)
    demo.set_defaults(handler=commands.demo)

    snowflake_block = subcommands.add_parser(
        "snowflake-block",
        help="create or update the Prefect SnowflakeCredentials block from SNOWFLAKE_*",
        description="Save SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_ROLE and "
        "SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH) as a SnowflakeCredentials block on "
        "the Prefect server the flows report to. Flows read it when SNOWFLAKE_CREDENTIALS_BLOCK "
        "names it.",
    )
    snowflake_block.add_argument(
        "--name",
        help="the block's name (default: SNOWFLAKE_CREDENTIALS_BLOCK, else game-market-snowflake)",
    )
    snowflake_block.set_defaults(handler=commands.snowflake_block)

    setup = subcommands.add_parser(
        "setup-platform",
        help="make the local work pool, the global concurrency limits and the alerts on "
        "PREFECT_API_URL",
        description="On the Prefect server PREFECT_API_URL names (make start and make "
        "start-native run this): the process work pool 'local' the local deployments run "
        "from, with the process worker's default template; the 'dbt-build' limit (1, made if "
        "missing, else kept); the 'rawg-api' limit, made or set to --rawg-limit; the alerts "
        "of gmp/automations.yaml, made or updated by name, notifying the destination "
        "ALERT_BLOCK, ALERT_WEBHOOK_URL or ALERT_SLACK_WEBHOOK_URL names (none: disabled). "
        "With --cloud (make cloud-pool, a Prefect Cloud workspace whose runs go to the ECS "
        "pool): the two limits and the alerts, no local pool.",
    )
    setup.add_argument(
        "--rawg-limit",
        type=int,
        default=DEFAULT_RAWG_LIMIT,
        help=f"RAWG requests in flight across every flow run (default {DEFAULT_RAWG_LIMIT})",
    )
    setup.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for the server to answer first (default 0)",
    )
    setup.add_argument(
        "--cloud",
        action="store_true",
        help="a Prefect Cloud workspace (make cloud-pool): the limits only, no 'local' pool",
    )
    setup.set_defaults(handler=commands.setup_platform)

    server = subcommands.add_parser(
        "server",
        help="the local Prefect server (API and UI) the flows of gmp commands report to",
        description="Without PREFECT_API_URL, gmp commands report to the Prefect server on "
        "127.0.0.1:PREFECT_SERVER_API_PORT (4200), and the first one starts it there, in the "
        "background, for the next ones. start: start it now; stop: stop the one gmp started "
        "(its database stays in PREFECT_HOME); status: which server the next command uses; "
        "prepare: give PREFECT_HOME a new database copied from the migrated template (made "
        "once in $XDG_CACHE_HOME/game-market) before another program starts a server on it.",
    )
    server.add_argument("action", choices=("start", "stop", "status", "prepare"))
    server.set_defaults(handler=commands.server)

    sandbox = subcommands.add_parser(
        "sandbox",
        help="serve a RAWG-compatible API offline",
        description="A real HTTP server that answers like RAWG, from a catalog made from --seed.",
    )
    add_sandbox_arguments(sandbox)
    sandbox.set_defaults(handler=commands.sandbox)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--detail-budget",
        type=int,
        default=DEFAULT_DETAIL_BUDGET,
        help=f"max /games/{{id}} requests a day (default {DEFAULT_DETAIL_BUDGET})",
    )
    parser.add_argument(
        "--max-requests", type=int, default=None, help="stop cleanly after this many requests"
    )
    parser.add_argument("--target", choices=TARGETS, default="duckdb")
    parser.add_argument(
        "--max-pages",
        action="append",
        default=[],
        metavar="ENDPOINT=N",
        help="page cap of an endpoint, repeatable (-1: every page), e.g. --max-pages games=-1",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    parser.add_argument(
        "--node-tasks",
        action="store_true",
        help="show each dbt node as a Prefect task run, with its asset lineage (a slower build)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: partitions already published are kept.", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The ``gmp`` process: the console script and ``python -m gmp``."""
    code = main()
    # At exit the interpreter's last garbage collections walk every object Prefect, pydantic and
    # polars made: ~0.5 s of a small command's 5 s on 2 cores. Frozen objects are skipped; exit
    # handlers still run, so Prefect still sends the logs and events it has queued.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
