"""``gmp``: run the pipeline's flows in-process, or the offline RAWG sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from game_market import ATTRIBUTION
from game_market.dates import date_range, parse_date
from game_market.errors import PipelineError
from game_market.ingest import ENDPOINTS, preflight
from game_market.warehouse import TARGETS


def _prepare_prefect_environment() -> None:
    """Prefect reads these at import: no telemetry from here, and our core log lines in runs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")
    # The temporary server gmp starts gets more than Prefect's default 20 s on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    # Without PREFECT_API_URL, gmp runs on a temporary server (a subprocess) dropped at exit;
    # its event recorder races that shutdown and prints tracebacks about runs already done.
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from game_market.sandbox import config_from_args, serve

    serve(config_from_args(args), host=args.host, port=args.port)
    return 0


def _print_reports(reports: Sequence[dict[str, Any]]) -> None:
    """One line per endpoint, summed over the dates of the run."""
    totals: dict[str, dict[str, Any]] = {}
    for r in reports:
        row = totals.setdefault(
            r["endpoint"], {"dates": set(), "rows": 0, "pages": 0, "requests": 0}
        )
        row["dates"].add(r["dt"])
        for name in ("rows", "pages", "requests"):
            row[name] += r[name]
    print(f"{'endpoint':<17}{'dates':>6}{'rows':>9}{'pages':>7}{'requests':>10}")
    for endpoint, row in totals.items():
        print(
            f"{endpoint:<17}{len(row['dates']):>6}{row['rows']:>9,}"
            f"{row['pages']:>7,}{row['requests']:>10,}"
        )
    print(f"RAWG requests used: {sum(r['requests'] for r in reports):,}")
    print(ATTRIBUTION)


def _cmd_ingest(args: argparse.Namespace) -> int:
    _prepare_prefect_environment()
    dates = date_range(parse_date(args.date, "--date"), _optional_date(args.end, "--end"))
    preflight()
    from flows.ingest import ingest_endpoint

    reports = [
        asyncio.run(ingest_endpoint(endpoint=args.endpoint, date=day, max_pages=args.max_pages))
        for day in dates
    ]
    _print_reports(reports)
    return 0


def _cmd_ingest_all(args: argparse.Namespace) -> int:
    _prepare_prefect_environment()
    dates = date_range(parse_date(args.date, "--date"), _optional_date(args.end, "--end"))
    preflight()
    from flows.ingest import ingest_all

    reports: list[dict[str, Any]] = []
    for day in dates:
        reports.extend(
            asyncio.run(
                ingest_all(
                    date=day, detail_budget=args.detail_budget, only_missing=args.only_missing
                )
            )
        )
    _print_reports(reports)
    return 0


def _flow_result(run: Any) -> Any:
    """A flow's return value; a failed run's error surfaces as the PipelineError it carries."""
    return asyncio.run(run) if asyncio.iscoroutine(run) else run


def _cmd_daily(args: argparse.Namespace) -> int:
    _prepare_prefect_environment()
    day = _optional_date(args.date, "--date")
    preflight()
    from flows.daily import daily_game_market_update

    result = _flow_result(
        daily_game_market_update(
            date=day,
            detail_budget=args.detail_budget,
            max_requests=args.max_requests,
            target=args.target,
        )
    )
    print(f"Daily update for {result['date']}: {result['requests']:,} RAWG requests.")
    _print_report(result["date"], target=args.target)
    return 0


def _cmd_backfill(args: argparse.Namespace) -> int:
    _prepare_prefect_environment()
    start, end = parse_date(args.start, "--start"), parse_date(args.end, "--end")
    date_range(start, end, ("--start", "--end"))
    preflight()
    from flows.backfill import game_market_backfill

    result = _flow_result(
        game_market_backfill(
            start_date=start,
            end_date=end,
            only_missing=args.only_missing,
            max_concurrent_days=args.max_concurrent_days,
            max_requests=args.max_requests,
            detail_budget=args.detail_budget,
            target=args.target,
        )
    )
    print(
        f"Backfill {start}..{end}: {len(result['dates_done'])} dates done, "
        f"{result['requests']:,} RAWG requests."
    )
    return 0


def _print_report(day: str | date | None, html: Path | None = None, target: str = "duckdb") -> None:
    from game_market.report import build_report, render_text, write_html
    from game_market.settings import load_settings
    from game_market.warehouse import warehouse_for

    warehouse = warehouse_for(target, load_settings())
    report = build_report(warehouse, date.fromisoformat(str(day)) if day else None)
    print(render_text(report), end="")
    if html is not None:
        write_html(report, html)
        print(f"HTML report: {html}")


def _cmd_report(args: argparse.Namespace) -> int:
    html = Path(args.html) if args.html else None
    _print_report(_optional_date(args.date, "--date"), html, args.target)
    return 0


def _show_progress() -> None:
    """Milestones on stdout; Prefect's own console lines are turned down by the caller."""
    progress = logging.getLogger("game_market.progress")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False


def _cmd_demo(args: argparse.Namespace) -> int:
    """Offline: a sandbox on a free port, the last N days backfilled into ./data, a report."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    _prepare_prefect_environment()
    from game_market.sandbox import SandboxConfig, running_sandbox

    # The demo always writes the local lake and warehouse, whatever .env points at.
    os.environ["LAKE_URL"] = "./data/lake"
    os.environ["DUCKDB_PATH"] = "./data/warehouse/game_market.duckdb"
    today = datetime.now(UTC).date()
    config = SandboxConfig(games=args.games, seed=args.seed, days=max(30, args.days), today=today)
    start, end = today - timedelta(days=args.days), today - timedelta(days=1)
    started = time.perf_counter()
    print(f"[1/3] Starting the offline RAWG sandbox ({config.games:,} games)")
    with running_sandbox(config) as base_url:
        os.environ["RAWG_BASE_URL"] = base_url
        os.environ["RAWG_API_KEY"] = "sandbox-demo-key"
        from flows.backfill import game_market_backfill

        _show_progress()
        print(f"[2/3] Backfilling {start}..{end} into ./data, then building the warehouse")
        result = _flow_result(
            game_market_backfill(start_date=start, end_date=end, detail_budget=args.detail_budget)
        )
    print(
        f"[3/3] Done in {time.perf_counter() - started:.0f} s: {len(result['dates_done'])} days,"
        f" {result['requests']:,} sandbox requests (a real RAWG key would have spent the same)."
    )
    _print_report(end, Path("data/reports/market_report.html"))
    return 0


def _optional_date(value: str | None, flag: str) -> date | None:
    return None if value is None else parse_date(value, flag)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmp",
        description=f"Game Market Pipeline: RAWG market data into a Parquet lake. {ATTRIBUTION}",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="land one endpoint for a date (or a date range)",
        description="Land one endpoint's partition for --date (through --end, if given).",
    )
    ingest.add_argument("--endpoint", required=True, choices=list(ENDPOINTS))
    ingest.add_argument("--date", required=True, help="YYYY-MM-DD")
    ingest.add_argument("--end", help="last date of a range, YYYY-MM-DD (inclusive)")
    ingest.add_argument(
        "--max-pages",
        type=int,
        default=None,
        help="page cap; -1 for every page (default: 5 for developers/publishers, else all)",
    )
    ingest.set_defaults(handler=_cmd_ingest)

    ingest_all = commands.add_parser(
        "ingest-all",
        help="land every endpoint for a date (or a date range)",
        description="Land games updated that day, the snapshots and game details for --date.",
    )
    ingest_all.add_argument("--date", required=True, help="YYYY-MM-DD")
    ingest_all.add_argument("--end", help="last date of a range, YYYY-MM-DD (inclusive)")
    ingest_all.add_argument(
        "--detail-budget", type=int, default=50, help="max /games/{id} requests a day (default 50)"
    )
    ingest_all.add_argument(
        "--only-missing", action="store_true", help="skip partitions that are already complete"
    )
    ingest_all.set_defaults(handler=_cmd_ingest_all)

    daily = commands.add_parser(
        "daily",
        help="the daily update: ingest a day, build the warehouse, print the report",
        description="Ingest every endpoint for --date (default: yesterday, UTC), then dbt build.",
    )
    daily.add_argument("--date", help="YYYY-MM-DD (default: yesterday, UTC)")
    _add_run_options(daily)
    daily.set_defaults(handler=_cmd_daily)

    backfill = commands.add_parser(
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
    _add_run_options(backfill)
    backfill.set_defaults(handler=_cmd_backfill)

    report = commands.add_parser(
        "report",
        help="print the market report from the warehouse",
        description="Print the market report for --date (default: the latest day built).",
    )
    report.add_argument("--date", help="YYYY-MM-DD (default: the latest day in the warehouse)")
    report.add_argument("--html", help="also write the HTML report to this path")
    report.add_argument(
        "--target", choices=TARGETS, default="duckdb", help="the warehouse to read (default duckdb)"
    )
    report.set_defaults(handler=_cmd_report)

    demo = commands.add_parser(
        "demo",
        help="offline demo: sandbox, the last 14 days into ./data, warehouse, report",
        description="Start the RAWG sandbox on a free port, backfill the last days into ./data, "
        "build and test the warehouse, print the report and write data/reports/.",
    )
    demo.add_argument("--days", type=int, default=14)
    demo.add_argument("--games", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--detail-budget", type=int, default=20)
    demo.set_defaults(handler=_cmd_demo)

    sandbox = commands.add_parser(
        "sandbox",
        help="serve a RAWG-compatible API offline",
        description="A real HTTP server that answers like RAWG, from a catalog made from --seed.",
    )
    from game_market.sandbox import add_arguments

    add_arguments(sandbox)
    sandbox.set_defaults(handler=_cmd_sandbox)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--detail-budget", type=int, default=50, help="max /games/{id} requests a day (default 50)"
    )
    parser.add_argument(
        "--max-requests", type=int, default=None, help="stop cleanly after this many requests"
    )
    parser.add_argument("--target", choices=TARGETS, default="duckdb")


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


if __name__ == "__main__":
    sys.exit(main())
