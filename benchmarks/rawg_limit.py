"""The cost of the `rawg-api` global concurrency limit: one ingest with and without it.

The games partition of `benchmarks/ingest.py` (20,000 games: 500 pages of 40 ~8.5 KB gzipped
items) from the sandbox at 50 ms a request, 8 requests in flight, in this process: with its
requests bounded by a `rawg-api` limit of 8 on a real Prefect server (so the limit itself never
holds a request back, and what differs is the slots' round trips to the server), and without.
Interleaved, ``--repeats`` times; the overhead is the ratio of the medians, measured in the
same run. Goal: <= 5% of the ingest's wall time. Also printed: the round trips to the server
per run. The figures go to the machine's results file (``benchmarks/results.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, timedelta

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.testing.utilities import prefect_test_harness

from benchmarks.results import Goal, Recording, import_prefect_seconds, is_standard
from flows.gc_thresholds import fewer_collections
from flows.rawg_limit import RAWG_LIMIT, PrefectSlots, lease_seconds
from game_market.ingest import ingest_partition
from game_market.lake import Lake
from game_market.rawg import RawgClient
from game_market.rawg.shared import SharedSlots
from rawg_simulator import SandboxConfig, running_sandbox

TODAY = date(2026, 1, 20)
LATENCY_MS = 50
CONCURRENCY = 8
GOAL = 5.0  # percent


async def create_limit() -> None:
    async with get_client() as client:
        await client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name=RAWG_LIMIT, limit=CONCURRENCY)
        )


async def ingest(url: str, limited: bool) -> tuple[float, int, int]:
    """Wall seconds, pages, and round trips to the Prefect server of one partition's ingest."""
    shared = (
        SharedSlots(PrefectSlots(RAWG_LIMIT, lease_seconds(30)), bulk=CONCURRENCY)
        if limited
        else None
    )
    client = RawgClient(
        base_url=url, api_key="benchmark", max_concurrency=CONCURRENCY, shared=shared
    )
    with tempfile.TemporaryDirectory() as lake_dir:
        started = time.perf_counter()
        with fewer_collections():  # as gmp and the flows run the core
            async with client:
                report = await ingest_partition(
                    client, Lake(lake_dir), "games", TODAY - timedelta(days=1), run_id="bench"
                )
        seconds = time.perf_counter() - started
    trips = 0 if shared is None else shared.acquired + shared.released
    return seconds, report.pages, trips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=20_000)  # as benchmarks/ingest.py
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    recording = Recording("rawg_limit", import_prefect_seconds())
    config = SandboxConfig(games=args.games, seed=1, days=1, today=TODAY, latency_ms=LATENCY_MS)
    walls: dict[bool, list[float]] = {False: [], True: []}
    trips: list[int] = []
    pages = 0
    with running_sandbox(config) as url, prefect_test_harness(server_startup_timeout=90):
        asyncio.run(create_limit())
        asyncio.run(ingest(url, limited=False))  # warm: the sandbox renders each item once
        for _ in range(args.repeats):
            for limited in (False, True):
                seconds, pages, round_trips = asyncio.run(ingest(url, limited))
                walls[limited].append(seconds)
                if limited:
                    trips.append(round_trips)
    without = recording.add("ingest without the limit", walls[False], "s")
    with_limit = recording.add("ingest with the limit", walls[True], "s")
    # Run by run: each pair shares the machine's load.
    overheads = [100 * (a / b - 1) for a, b in zip(walls[True], walls[False], strict=True)]
    overhead = recording.add("overhead of the rawg-api limit", overheads, "%", Goal("<=", GOAL))
    recording.add("round trips to the Prefect server per ingest", trips, "", exact=True)
    print(
        f"rawg-api limit overhead: {pages} pages at {LATENCY_MS} ms, {CONCURRENCY} in flight, "
        f"{args.repeats} repeats interleaved (load {os.getloadavg()[0]:.1f})"
    )
    print(f"  without the limit  median {without.value:.2f} s  runs {_runs(walls[False])}")
    print(f"  with the limit     median {with_limit.value:.2f} s  runs {_runs(walls[True])}")
    print(f"  round trips to the Prefect server per run: {', '.join(map(str, trips))}")
    print(f"  overhead {overhead.value:+.1f}% by run (goal <= {GOAL:.0f}%): {overhead.verdict}")
    recording.write(is_standard(parser, args))
    return 1 if recording.missed else 0


def _runs(walls: list[float]) -> str:
    return ", ".join(f"{wall:.2f}" for wall in walls)


if __name__ == "__main__":
    sys.exit(main())
