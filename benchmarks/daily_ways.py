"""The daily benchmark's two ways of doing the daily work without the flow, each run as a
fresh process by ``benchmarks/daily.py``:

- ``bare``: the core ingest of every endpoint for the day (``game_market.ingest.ingest_day``,
  the same code the flow's tasks run), without Prefect;
- ``sequential``: the original pipeline's way: ``requests`` with ``tenacity`` retries, one page
  per round trip, following each answer's ``next``, then the same partitions written with the
  core's normalization and lake writer (what differs is the fetching, not the landing).

Each prints one JSON line: the seconds its ingest took inside the process and the requests it
made. The settings come from the environment, as ``gmp`` reads them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

import orjson
import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from flows.gc_thresholds import fewer_collections
from game_market.endpoints import ENDPOINTS, Endpoint, Kind, of_kind
from game_market.ingest import DEFAULT_DETAIL_BUDGET, ingest_day
from game_market.lake import Lake, PartitionCounts, new_manifest
from game_market.rawg.client import PAGE_SIZE
from game_market.runtime import Runtime
from game_market.settings import load_settings


def bare(day: date) -> int:
    runtime = Runtime(load_settings())

    async def run() -> int:
        with fewer_collections():  # as gmp and the flows run the core
            async with runtime.rawg_client() as client:
                _, failures = await ingest_day(client, runtime.lake, day, run_id=f"bare-{day}")
        if failures:
            raise SystemExit(f"bare ingest failed: {failures}")
        return sum(client.usage.values())

    return asyncio.run(run())


class Sequential:
    """One `requests` session, one request at a time, retried by tenacity."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.session = requests.Session()
        self.requests = 0

    @retry(
        retry=retry_if_exception_type(requests.RequestException),
        stop=stop_after_attempt(5),
        wait=wait_exponential(multiplier=0.5, max=10),
        reraise=True,
    )
    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        self.requests += 1
        response = self.session.get(url, params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    def pages(self, path: str, params: dict[str, Any], max_pages: int | None) -> Any:
        """Each page's items, following ``next`` until it is null or ``max_pages`` were read."""
        url: str | None = self.base_url + path
        query: dict[str, Any] | None = {**params, "page_size": PAGE_SIZE, "key": self.key}
        number = 0
        while url is not None and (max_pages is None or number < max_pages):
            body = self.get(url, query)
            number += 1
            yield number, body["results"]
            url, query = body.get("next"), None  # `next` carries the query, key included

    def land(self, lake: Lake, endpoint: Endpoint, day: date, pages: Any) -> int:
        schema = ENDPOINTS[endpoint].schema
        run_id, landed = f"sequential-{day}", datetime.now(UTC)
        rows = 0
        with lake.open_partition(endpoint, day, run_id=run_id) as writer:
            for number, items in pages:
                raws = [orjson.dumps(item) for item in items]
                batch = schema.normalize_raw(raws, page=number, run_id=run_id, ingested_at=landed)
                writer.add(batch.table)
                rows += len(raws)
                if writer.chunk_due:
                    writer.flush()
            writer.commit(new_manifest(endpoint, day, run_id, PartitionCounts(rows=rows)))
        return rows


def sequential(day: date) -> int:
    settings = load_settings()
    lake = Runtime(settings).lake
    api = Sequential(settings.rawg_base_url, settings.api_key())
    for endpoint in of_kind(Kind.DAILY) + of_kind(Kind.SNAPSHOT):
        spec = ENDPOINTS[endpoint]
        daily = spec.kind == Kind.DAILY
        params = {"updated": f"{day},{day}", "ordering": "created"} if daily else {}
        api.land(lake, endpoint, day, api.pages(spec.path, params, spec.default_max_pages))
    for endpoint in of_kind(Kind.DETAILS):
        spec = ENDPOINTS[endpoint]
        games = lake.read_partition(spec.detail_of, day, columns=["id", "added"])
        ranked = games.sort(["added", "id"], descending=[True, False], nulls_last=True)["id"]
        wanted = ranked.head(DEFAULT_DETAIL_BUDGET).to_list()
        details = (
            (n, [api.get(api.base_url + spec.path.format(id=game_id), {"key": api.key})])
            for n, game_id in enumerate(wanted, 1)
        )
        api.land(lake, endpoint, day, details)
    return api.requests


WAYS = {"bare": bare, "sequential": sequential}


def main() -> None:
    way, day = sys.argv[1], date.fromisoformat(sys.argv[2])
    started = time.perf_counter()
    requests_made = WAYS[way](day)
    seconds = time.perf_counter() - started
    print(json.dumps({"ingest_s": seconds, "requests": requests_made}))


if __name__ == "__main__":
    main()
