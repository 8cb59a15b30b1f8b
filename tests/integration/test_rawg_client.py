"""The RAWG client over real sockets: only what a scripted in-process transport cannot show.

Every retry, budget, paging, window-split and redaction rule is covered exactly in
``tests/unit/test_rawg_client.py`` on ``httpx.MockTransport``. What stays here needs the real
aiohttp transport on a real socket: the sandbox end to end (its gzipped pages and its seeded
faults, including bodies cut short mid-stream), a read timeout, and a refused connection.
"""

from __future__ import annotations

import asyncio
import gzip
import math
from dataclasses import replace
from typing import Any

import httpx
import pytest

from game_market.errors import RawgRequestFailed
from game_market.rawg import ListPaginator, Page, QueryPlan, RawgClient, RequestStats
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.rawg_script import Answer, Script, items_of, page
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats
from tests.support.scripted_rawg import scripted_rawg

DAY = "2026-01-10"


def client_for(url: str, **options: Any) -> RawgClient:
    options = {"max_retries": 4, "backoff_base_s": 0.01, "backoff_max_s": 0.05, **options}
    return RawgClient(base_url=url, api_key=SECRET_KEY, **options)


def collect(client: RawgClient, params: dict) -> tuple[list[Page], RequestStats, QueryPlan]:
    async def run() -> tuple[list[Page], RequestStats, QueryPlan]:
        stats, paginator, pages = RequestStats(), ListPaginator(), []
        async with client:
            async for batch in client.iter_pages(
                "/games", params, paginator, endpoint="games", stats=stats
            ):
                pages.extend(batch)
        return pages, stats, paginator.plan

    return asyncio.run(run())


def truth(url: str, params: dict) -> set[int]:
    """The ids the sandbox holds for a query, read page by page with a plain HTTP client."""
    ids: set[int] = set()
    number = 1
    while True:
        r = httpx.get(
            f"{url}/games", params={**params, "key": "k", "page": number, "page_size": 40}
        )
        if r.status_code == 404:
            return ids
        ids.update(item["id"] for item in r.json()["results"])
        number += 1


def test_every_sandbox_page_arrives_with_one_request_each(sandbox_url: str) -> None:
    params = {"updated": f"{DAY},{DAY}", "ordering": "created"}
    reset_sandbox(sandbox_url)
    pages, stats, plan = collect(client_for(sandbox_url), params)
    ids = [item["id"] for p in pages for item in items_of(p)]
    served = sandbox_stats(sandbox_url)
    assert served["by_endpoint"]["games"] == stats.requests
    assert served["gzipped"] == stats.requests  # every page asked for gzip and came gzipped
    assert plan.expected == len(ids) == len(set(ids)) > 40
    assert set(ids) == truth(sandbox_url, {"updated": f"{DAY},{DAY}"})
    # Exactly ceil(count / 40) requests: nothing walked twice, nothing wasted.
    assert stats.requests == stats.pages == math.ceil(plan.expected / 40)


def test_every_sandbox_fault_is_survived_with_nothing_lost() -> None:
    day = "2026-01-19"
    clean = SandboxConfig(games=900, seed=9, days=1, today=SANDBOX_TODAY)
    faulty = replace(clean, fault_rate=0.3, retry_after_s=0, slow_ms=100)
    with running_sandbox(clean) as url:
        expected = truth(url, {"updated": f"{day},{day}"})
    with running_sandbox(faulty) as url:
        client = client_for(url, max_retries=8, timeout_s=5)
        pages, stats, plan = collect(client, {"updated": f"{day},{day}"})
        faults = sandbox_stats(url)["faults"]
    assert {item["id"] for p in pages for item in items_of(p)} == expected
    assert plan.expected == len(expected)
    assert stats.retries > 0 and stats.requests == stats.pages + stats.retries
    kinds = {kind for kind, count in faults.items() if count}
    assert {"429", "truncated", "malformed"} <= kinds or len(kinds) >= 4, faults


def test_a_read_timeout_is_retried() -> None:
    # The retry must answer within the timeout even on a loaded machine: 1 s of headroom.
    # Had the slow answer arrived, its empty body would have failed the query, not retried.
    script = Script({1: [Answer(200, {}, delay_s=3.0), page(1, [5])]})
    with scripted_rawg(script) as url:
        pages, stats, _ = collect(client_for(url, timeout_s=1.0), {})
    assert items_of(pages[0])[0]["id"] == 5
    assert stats.retries == 1 and len(script.seen) == 2


def test_a_gzip_body_is_inflated_and_a_corrupt_one_retried() -> None:
    """The transport inflates gzip itself (ISA-L); a stream it cannot inflate is asked again."""
    good = page(1, [5, 6])
    gzipped = Answer(200, gzip.compress(good.content()), {"Content-Encoding": "gzip"})
    corrupt = Answer(200, gzip.compress(good.content())[:-12], {"Content-Encoding": "gzip"})
    script = Script({1: [corrupt, gzipped]})
    with scripted_rawg(script) as url:
        pages, stats, _ = collect(client_for(url), {})
    assert [item["id"] for item in items_of(pages[0])] == [5, 6]
    assert stats.retries == 1 and len(script.seen) == 2


def test_a_refused_connection_names_the_setting_to_check() -> None:
    client = client_for("http://127.0.0.1:9/api", max_retries=1, retry_budget_s=0)
    with pytest.raises(RawgRequestFailed) as err:
        collect(client, {})
    assert err.value.status == "connection error"
    assert "RAWG_BASE_URL" in str(err.value) and SECRET_KEY not in str(err.value)
