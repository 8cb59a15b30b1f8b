"""``gmp``: run the pipeline's flows in-process, or the offline RAWG sandbox."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from game_market import ATTRIBUTION
from game_market.errors import PipelineError
from game_market.ingest import ENDPOINTS, preflight


def _prepare_prefect_environment() -> None:
    """Prefect reads these at import: no telemetry from here, and our core log lines in runs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "game_market")


def parse_date(value: str, flag: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PipelineError(
            f"{flag} must be a calendar date like 2026-01-05, not {value!r}."
        ) from None
    if parsed > datetime.now(UTC).date():
        raise PipelineError(
            f"{flag} {parsed} is in the future: RAWG has no data for it yet; pick today or earlier."
        )
    return parsed


def date_range(start: date, end: date | None) -> list[date]:
    if end is None:
        return [start]
    if end < start:
        raise PipelineError(f"--end {end} is before --date {start}: give the earlier date first.")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


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


def _cmd_demo(args: argparse.Namespace) -> int:
    """Offline: a sandbox on a free port, then the last N days ingested into ./data."""
    _prepare_prefect_environment()
    from game_market.sandbox import SandboxConfig, running_sandbox

    today = datetime.now(UTC).date()
    config = SandboxConfig(games=args.games, seed=args.seed, days=max(30, args.days), today=today)
    days = [today - timedelta(days=n) for n in range(args.days, 0, -1)]
    print(f"Starting the RAWG sandbox ({config.games:,} games) and ingesting {days[0]}..{days[-1]}")
    with running_sandbox(config) as base_url:
        os.environ["RAWG_BASE_URL"] = base_url
        os.environ["RAWG_API_KEY"] = "sandbox-demo-key"
        from flows.ingest import ingest_all

        reports: list[dict[str, Any]] = []
        for number, day in enumerate(days, start=1):
            day_reports = asyncio.run(ingest_all(date=day, detail_budget=args.detail_budget))
            reports.extend(day_reports)
            rows = sum(r["rows"] for r in day_reports if r["endpoint"] == "games")
            print(f"[{number}/{len(days)}] {day}: {rows} games landed")
    _print_reports(reports)
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

    demo = commands.add_parser(
        "demo",
        help="offline demo: sandbox + the last 14 days into ./data",
        description="Start the RAWG sandbox on a free port and ingest the last days into LAKE_URL.",
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
