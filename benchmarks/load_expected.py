"""What the load benchmark's sandbox holds for the backfilled days, what fetching it costs at
least, and what the lake landed of it.

The minimum is counted from the sandbox's own counts as ``QueryPlan.min_requests`` counts it:
per list query ceil(count / 40) pages, at least 1, at most the page cap; one request per game
detail.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field, replace
from datetime import date

import httpx

from game_market.endpoints import ENDPOINTS, Kind, of_kind
from game_market.ingest import DEFAULT_DETAIL_BUDGET
from game_market.lake import Lake
from game_market.rawg.client import PAGE_SIZE
from rawg_simulator import SandboxConfig, build_app
from rawg_simulator.catalog import Catalog

TODAY = date(2026, 1, 20)
WINDOW_DAYS = 730
REFRESH_SHARE = 0.1
# Catalog games per game updated a day over the window's last 90 days (36,400 gives 2,017).
GAMES_PER_DAILY_GAME = 18.2
LATENCY_MS, JITTER_MS, FAULT_RATE = 20, 7, 0.05
WINDOW_PAGES = 500  # RAWG serves no page past it; a bigger day would need split probes


@dataclass
class Expected:
    """What the sandbox holds for the backfill's days, and what fetching it costs at least."""

    ids: dict[date, set[int]]
    minimum: dict[str, int] = field(default_factory=dict)  # by endpoint
    snapshot_rows: dict[str, int] = field(default_factory=dict)  # within their page caps


@dataclass
class Landed:
    rows: dict[str, int]  # by endpoint
    requests: int
    retries: int
    problems: list[str]


def sandbox_config(games_per_day: int) -> SandboxConfig:
    return SandboxConfig(
        games=round(games_per_day * GAMES_PER_DAILY_GAME),
        seed=42,
        days=WINDOW_DAYS,
        today=TODAY,
        refresh_share=REFRESH_SHARE,
        latency_ms=LATENCY_MS,
        latency_jitter_ms=JITTER_MS,
        fault_rate=FAULT_RATE,
    )


async def api_counts(config: SandboxConfig, days: list[date]) -> tuple[dict[str, int], Catalog]:
    """The `count` the sandbox's API answers for each query the backfill pages through,
    asked of a fault-free, instant copy of it in this process (same catalog)."""
    app = build_app(replace(config, fault_rate=0, latency_ms=0, latency_jitter_ms=0))
    transport = httpx.ASGITransport(app=app)
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/api") as client:

        async def count(path: str, **params: str) -> int:
            params = {"key": "benchmark", "page_size": str(PAGE_SIZE), **params}
            response = await client.get(path, params=params)
            response.raise_for_status()
            return response.json()["count"]

        for day in days:
            counts[f"games {day}"] = await count("/games", updated=f"{day},{day}")
        for endpoint in of_kind(Kind.SNAPSHOT):
            counts[str(endpoint)] = await count(ENDPOINTS[endpoint].path)
    return counts, app.catalog


def expected(config: SandboxConfig, days: list[date]) -> Expected:
    counts, catalog = asyncio.run(api_counts(config, days))
    ids = {
        day: {catalog.columns.ids[index] for index in catalog.timeline.updated_on(day)}
        for day in days
    }
    for day in days:
        if counts[f"games {day}"] != len(ids[day]):
            told = counts[f"games {day}"]
            raise SystemExit(
                f"{day}: the API counts {told} games updated, the catalog {len(ids[day])}"
            )
    if max(math.ceil(len(day_ids) / PAGE_SIZE) for day_ids in ids.values()) > WINDOW_PAGES:
        raise SystemExit("A day holds more games than RAWG's 500-page window: use fewer.")
    minimum = {
        "games": sum(max(1, math.ceil(len(day_ids) / PAGE_SIZE)) for day_ids in ids.values()),
        "game_details": sum(min(DEFAULT_DETAIL_BUDGET, len(day_ids)) for day_ids in ids.values()),
    }
    for endpoint in of_kind(Kind.SNAPSHOT):  # once, for the last day
        cap = ENDPOINTS[endpoint].default_max_pages or WINDOW_PAGES
        minimum[endpoint] = max(1, min(math.ceil(counts[endpoint] / PAGE_SIZE), cap))
    snapshot_rows = {
        endpoint: min(counts[endpoint], minimum[endpoint] * PAGE_SIZE)
        for endpoint in of_kind(Kind.SNAPSHOT)
    }
    return Expected(ids, minimum, snapshot_rows)


def landed(lake: Lake, want: Expected) -> Landed:
    """Rows, requests and retries the lake's partitions hold, and where they miss a row."""
    rows: dict[str, int] = {}
    requests = retries = 0
    problems: list[str] = []
    for endpoint in ENDPOINTS:
        for day in lake.partitions(endpoint):
            manifest = lake.read_manifest(endpoint, day)
            if manifest is None:
                problems.append(f"{endpoint} {day}: no manifest")
                continue
            rows[endpoint] = rows.get(endpoint, 0) + manifest.rows
            requests += manifest.requests
            retries += manifest.retries
    for day, ids in want.ids.items():
        manifest = lake.read_manifest("games", day)
        if manifest is None:
            problems.append(f"{day}: no games partition")
            continue
        got = set(lake.read_partition("games", day, columns=["id"])["id"].to_list())
        if got != ids or manifest.gap or manifest.expected_rows != len(ids):
            problems.append(
                f"{day}: {len(ids - got)} ids missing, {len(got - ids)} extra, gap "
                f"{manifest.gap}, RAWG count {manifest.expected_rows} of {len(ids)}"
            )
        details = lake.read_manifest("game_details", day)
        if details is None or details.rows != min(DEFAULT_DETAIL_BUDGET, len(ids)):
            problems.append(f"{day}: {details.rows if details else 0} game details")
    last_day = max(want.ids)
    for endpoint, count in want.snapshot_rows.items():
        snapshot = lake.read_manifest(endpoint, last_day)
        if snapshot is None or snapshot.rows != count:
            problems.append(f"{endpoint}: {snapshot.rows if snapshot else 0} rows of {count}")
    return Landed(rows, requests, retries, problems)
