"""``gmp``: the command line of the Game Market Pipeline (``gmp --help``).

Each subcommand is one row of ``COMMANDS``; an option that several subcommands take is
declared once above the table and named in each row that takes it.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from flows.limits import DEFAULT_RAWG_LIMIT
from game_market import ATTRIBUTION
from game_market.endpoints import Endpoint
from game_market.errors import PipelineError
from game_market.ingest import DEFAULT_DETAIL_BUDGET
from game_market.releases import DEFAULT_MAX_PAGES as DEFAULT_RELEASE_PAGES
from game_market.warehouse import TARGETS
from gmp import commands
from rawg_simulator import add_arguments as add_sandbox_arguments


@dataclass(frozen=True)
class Option:
    """One argument of a subcommand: what ``add_argument`` is called with."""

    flags: tuple[str, ...]
    settings: Mapping[str, Any]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.settings)


def option(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


@dataclass(frozen=True)
class Command:
    """A subcommand: its line in ``gmp --help``, the description its own ``--help`` opens
    with, its options in the order ``--help`` lists them, and the function it runs."""

    name: str
    help: str
    description: str
    handler: Callable[[argparse.Namespace], int]
    options: tuple[Option, ...] = ()
    # a command line declared by another package (the sandbox's), added after `options`
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None

    def add_to(self, subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        parser = subcommands.add_parser(self.name, help=self.help, description=self.description)
        for each in self.options:
            each.add_to(parser)
        if self.add_arguments is not None:
            self.add_arguments(parser)
        parser.set_defaults(handler=self.handler)


# -- options several subcommands take ------------------------------------------------------

DATE_RANGE = (
    option("--date", required=True, help="YYYY-MM-DD"),
    option("--end", help="last date of a range, YYYY-MM-DD (inclusive)"),
)
DETAIL_BUDGET = option(
    "--detail-budget",
    type=int,
    default=DEFAULT_DETAIL_BUDGET,
    help=f"max /games/{{id}} requests a day (default {DEFAULT_DETAIL_BUDGET})",
)
MAX_REQUESTS = option(
    "--max-requests", type=int, default=None, help="stop cleanly after this many requests"
)
TARGET = option("--target", choices=TARGETS, default="duckdb")
# the options of the commands that ingest and then build the warehouse (daily, backfill)
RUN_OPTIONS = (
    DETAIL_BUDGET,
    MAX_REQUESTS,
    TARGET,
    option(
        "--max-pages",
        action="append",
        default=[],
        metavar="ENDPOINT=N",
        help="page cap of an endpoint, repeatable (-1: every page), e.g. --max-pages games=-1",
    ),
    option(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    ),
    option(
        "--node-tasks",
        action="store_true",
        help="show each dbt node as a Prefect task run, with its asset lineage (a slower build)",
    ),
)

# -- the subcommands, in the order gmp --help lists them ------------------------------------

COMMANDS = (
    Command(
        "ingest",
        help="land one endpoint for a date (or a date range)",
        description="Land one endpoint's partition for --date (through --end, if given).",
        handler=commands.ingest,
        options=(
            option("--endpoint", required=True, choices=[e.value for e in Endpoint]),
            *DATE_RANGE,
            option(
                "--max-pages",
                type=int,
                default=None,
                help="page cap; -1 for every page (default: 5 for developers/publishers, else all)",
            ),
        ),
    ),
    Command(
        "ingest-all",
        help="land every endpoint for a date (or a date range)",
        description="Land games updated that day, the snapshots and game details for --date.",
        handler=commands.ingest_all,
        options=(
            *DATE_RANGE,
            DETAIL_BUDGET,
            option(
                "--only-missing",
                action="store_true",
                help="skip partitions that are already complete",
            ),
        ),
    ),
    Command(
        "daily",
        help="the daily update: ingest a day, build the warehouse, print the report",
        description="Ingest every endpoint for --date (default: yesterday, UTC), then dbt build.",
        handler=commands.daily,
        options=(option("--date", help="YYYY-MM-DD (default: yesterday, UTC)"), *RUN_OPTIONS),
    ),
    Command(
        "backfill",
        help="ingest a range of days side by side, then build the warehouse once",
        description="Ingest every date from --start through --end, then one dbt build.",
        handler=commands.backfill,
        options=(
            option("--start", required=True, help="first date, YYYY-MM-DD"),
            option("--end", required=True, help="last date, YYYY-MM-DD (inclusive)"),
            option(
                "--only-missing",
                action=argparse.BooleanOptionalAction,
                default=True,
                help="skip partitions already complete (default); --no-only-missing refetches all",
            ),
            option(
                "--all", dest="only_missing", action="store_false", help="same as --no-only-missing"
            ),
            option("--max-concurrent-days", type=int, default=4),
            option(
                "--confirm-long-range",
                action="store_true",
                help="run a range over 3 years (it spends months of the free tier's requests)",
            ),
            *RUN_OPTIONS,
        ),
    ),
    Command(
        "backfill-releases",
        help="land the most-added games released in each month, then build the warehouse",
        description="Land the most-added games released in each month from --start through "
        "--end (default: the 12 months up to and including the current UTC month), 40 a "
        "request, up to --max-pages requests a month, then one dbt build. The cost, at most "
        "months × --max-pages requests, is printed before the first request; months landed "
        "after they ended are skipped by a rerun.",
        handler=commands.backfill_releases,
        options=(
            option("--start", help="first month, YYYY-MM (default: 11 months before --end)"),
            option("--end", help="last month, YYYY-MM (default: the current UTC month)"),
            option(
                "--max-pages",
                type=int,
                default=DEFAULT_RELEASE_PAGES,
                help=f"pages of 40 games a month, most added first (default "
                f"{DEFAULT_RELEASE_PAGES}: the top {DEFAULT_RELEASE_PAGES * 40} games)",
            ),
            MAX_REQUESTS,
            option(
                "--only-missing",
                action=argparse.BooleanOptionalAction,
                default=True,
                help="skip months already landed after they ended (default); --no-only-missing "
                "refetches all",
            ),
            TARGET,
        ),
    ),
    Command(
        "report",
        help="print the market report from the warehouse",
        description="Print the market report for --date (default: the latest day built).",
        handler=commands.report,
        options=(
            option("--date", help="YYYY-MM-DD (default: the latest day in the warehouse)"),
            option("--html", help="also write the HTML report to this path"),
            option(
                "--target",
                choices=TARGETS,
                default="duckdb",
                help="the warehouse to read (default duckdb)",
            ),
        ),
    ),
    Command(
        "doctor",
        help="check the settings, the RAWG key, the lake, the warehouse, Prefect and dbt",
        description="Check, one line each, the settings (their values and where each came "
        "from, secrets hidden), the RAWG key (one request), the lake (a probe written and "
        "deleted), the warehouse, the Prefect API and the dbt project. Exit status 1 when any "
        "check fails.",
        handler=commands.doctor,
        options=(
            option(
                "--target",
                choices=TARGETS,
                default=None,
                help="the warehouse to check (default: DBT_TARGET, else duckdb)",
            ),
            option(
                "--all", action="store_true", help="list every setting, those at their defaults too"
            ),
        ),
    ),
    Command(
        "demo",
        help="offline demo: sandbox, a year of releases and the last 14 days into ./data, "
        "warehouse, report",
        description="Start the RAWG sandbox on a free port, backfill the releases of the "
        "report's months and the last days into ./data, build and test the warehouse, print "
        "the report and write data/reports/.",
        handler=commands.demo,
        options=(
            option("--days", type=int, default=14),
            option("--games", type=int, default=30_000),
            option("--seed", type=int, default=7),
            option("--detail-budget", type=int, default=60),
        ),
    ),
    Command(
        "snowflake-block",
        help="create or update the Prefect SnowflakeCredentials block from SNOWFLAKE_*",
        description="Save SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_ROLE and "
        "SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH) as a SnowflakeCredentials block on "
        "the Prefect server the flows report to. Flows read it when SNOWFLAKE_CREDENTIALS_BLOCK "
        "names it.",
        handler=commands.snowflake_block,
        options=(
            option(
                "--name",
                help="the block's name (default: SNOWFLAKE_CREDENTIALS_BLOCK, else "
                "game-market-snowflake)",
            ),
        ),
    ),
    Command(
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
        handler=commands.setup_platform,
        options=(
            option(
                "--rawg-limit",
                type=int,
                default=DEFAULT_RAWG_LIMIT,
                help="RAWG requests in flight across every flow run "
                f"(default {DEFAULT_RAWG_LIMIT})",
            ),
            option(
                "--wait",
                type=float,
                default=0.0,
                metavar="SECONDS",
                help="wait this long for the server to answer first (default 0)",
            ),
            option(
                "--cloud",
                action="store_true",
                help="a Prefect Cloud workspace (make cloud-pool): the limits only, no 'local' "
                "pool",
            ),
        ),
    ),
    Command(
        "server",
        help="the local Prefect server (API and UI) the flows of gmp commands report to",
        description="Without PREFECT_API_URL, gmp commands report to the Prefect server on "
        "127.0.0.1:PREFECT_SERVER_API_PORT (4200), and the first one starts it there, in the "
        "background, for the next ones. start: start it now; stop: stop the one gmp started "
        "(its database stays in PREFECT_HOME); status: which server the next command uses; "
        "prepare: give PREFECT_HOME a new database copied from the migrated template (made "
        "once in $XDG_CACHE_HOME/game-market) before another program starts a server on it, "
        "and print the variables that spare that server registering the block types again.",
        handler=commands.server,
        options=(option("action", choices=("start", "stop", "status", "prepare")),),
    ),
    Command(
        "sandbox",
        help="serve a RAWG-compatible API offline",
        description="A real HTTP server that answers like RAWG, from a catalog made from --seed.",
        handler=commands.sandbox,
        add_arguments=add_sandbox_arguments,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmp",
        description=f"Game Market Pipeline: RAWG market data into a Parquet lake. {ATTRIBUTION}",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_to(subcommands)
    return parser


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
    # polars made, a good part of a short command's run. Frozen objects are skipped; exit handlers
    # still run, so Prefect still sends the logs and events it has queued.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
