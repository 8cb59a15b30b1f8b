"""The RAWG client against real HTTP servers on loopback: the sandbox and scripted answers."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import replace
from datetime import date

import httpx
import pytest

from game_market.errors import (
    RawgAuthError,
    RawgQuotaExceeded,
    RawgRequestFailed,
    RequestBudgetExhausted,
)
from game_market.rawg import QueryPlan, RawgClient, RequestBudget, RequestStats, redact
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, reset_sandbox, sandbox_stats
from tests.support.scripted_rawg import Answer, Script, page, scripted_rawg

DAY = date(2026, 1, 10)


def client_for(url: str, **options: object) -> RawgClient:
    options = {"max_retries": 4, "backoff_base_s": 0.01, "backoff_max_s": 0.05, **options}
    return RawgClient(base_url=url, api_key=SECRET_KEY, **options)  # type: ignore[arg-type]


async def collect(client: RawgClient, params: dict, **kwargs: object):
    stats, plan, pages = RequestStats(), QueryPlan(), []
    async with client:
        async for batch in client.iter_pages(
            "/games", params, endpoint="games", stats=stats, plan=plan, **kwargs
        ):
            pages.extend(batch)
    return pages, stats, plan


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


def test_pages_after_the_first_are_fetched_concurrently_and_completely(sandbox_url: str) -> None:
    params = {"updated": f"{DAY},{DAY}", "ordering": "created"}
    reset_sandbox(sandbox_url)
    pages, stats, plan = asyncio.run(collect(client_for(sandbox_url), params))
    ids = [item["id"] for p in pages for item in p.items]
    assert sandbox_stats(sandbox_url)["by_endpoint"]["games"] == stats.requests
    assert plan.expected == len(ids) == len(set(ids)) > 40
    assert set(ids) == truth(sandbox_url, {"updated": f"{DAY},{DAY}"})
    # Exactly ceil(count / 40) requests: nothing walked twice, nothing wasted.
    assert stats.requests == stats.pages == math.ceil(plan.expected / 40)


def test_concurrent_pages_beat_walking_next_one_by_one() -> None:
    config = SandboxConfig(games=600, seed=3, days=1, today=SANDBOX_TODAY, latency_ms=150)
    with running_sandbox(config) as url:
        params = {"updated": "2026-01-19,2026-01-19"}
        started = time.perf_counter()
        pages, _, _ = asyncio.run(collect(client_for(url, max_concurrency=8), params))
        elapsed = time.perf_counter() - started
    assert len(pages) == 15
    # Walking `next` would take 15 x 150 ms; first page, then 14 pages 8 at a time: ~3 rounds.
    assert elapsed < 15 * 0.150 * 0.5, elapsed


def test_query_beyond_the_500_page_window_is_split_and_nothing_is_lost() -> None:
    # A 3-page window (120 rows) stands in for RAWG's 500 pages so the test stays small.
    config = SandboxConfig(games=700, seed=5, days=1, today=SANDBOX_TODAY, max_pages_per_query=3)
    unwindowed = replace(config, max_pages_per_query=500)  # same catalog, for the truth
    day = "2026-01-19"
    with running_sandbox(unwindowed) as url:
        released = {}
        for number in range(1, 19):
            body = httpx.get(
                f"{url}/games", params={"key": "k", "page": number, "page_size": 40}
            ).json()
            released.update({item["id"]: item["released"] for item in body["results"]})
    with running_sandbox(config) as url:
        assert len(truth(url, {"updated": f"{day},{day}"})) == 120  # a naive crawl: the window
        pages, stats, plan = asyncio.run(
            collect(client_for(url, window_pages=3), {"updated": f"{day},{day}"}, split=True)
        )
    ids = [item["id"] for p in pages for item in p.items]
    undated = {i for i, released_on in released.items() if released_on is None}
    assert len(released) == plan.expected == 700
    assert plan.subqueries > 0 and stats.split_probes > 0
    assert len(ids) == len(set(ids))  # none twice
    assert set(ids) == set(released) - undated  # every dated game
    assert plan.unreachable == len(undated) > 0  # the rest is reported, not silently lost


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_then_succeeds(status: int) -> None:
    script = Script(
        {1: [Answer(status, b"<html>oops</html>"), Answer(status, {}), page(2, [1, 2])]}
    )
    with scripted_rawg(script) as url:
        pages, stats, _ = asyncio.run(collect(client_for(url), {}))
    assert [i["id"] for i in pages[0].items] == [1, 2]
    assert stats.requests == 3 and stats.retries == 2


def test_429_waits_for_retry_after() -> None:
    script = Script(
        {1: [Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "1"}), page(1, [7])]}
    )
    with scripted_rawg(script) as url:
        started = time.perf_counter()
        pages, stats, _ = asyncio.run(collect(client_for(url), {}))
        waited = time.perf_counter() - started
    assert pages[0].items[0]["id"] == 7
    assert waited >= 1.0  # backoff alone would be 10-50 ms here
    assert stats.statuses["429"] == 1


def test_timeouts_are_retried() -> None:
    # The retry must answer within the timeout even on a loaded machine: 1 s of headroom.
    script = Script({1: [Answer(200, {}, delay_s=3.0), page(1, [5])]})
    with scripted_rawg(script) as url:
        pages, stats, _ = asyncio.run(collect(client_for(url, timeout_s=1.0), {}))
    assert pages[0].items[0]["id"] == 5
    assert stats.statuses["timeout"] == 1 and stats.retries == 1


def test_every_sandbox_fault_is_survived_with_nothing_lost() -> None:
    day = "2026-01-19"
    clean = SandboxConfig(games=900, seed=9, days=1, today=SANDBOX_TODAY)
    faulty = replace(clean, fault_rate=0.3, retry_after_s=0, slow_ms=100)
    with running_sandbox(clean) as url:
        expected = truth(url, {"updated": f"{day},{day}"})
    with running_sandbox(faulty) as url:
        client = client_for(url, max_retries=8, timeout_s=5)
        pages, stats, plan = asyncio.run(collect(client, {"updated": f"{day},{day}"}))
        faults = sandbox_stats(url)["faults"]
    assert {item["id"] for p in pages for item in p.items} == expected
    assert plan.expected == len(expected)
    assert stats.retries > 0 and stats.requests == stats.pages + stats.retries
    kinds = {kind for kind, count in faults.items() if count}
    assert {"429", "truncated", "malformed"} <= kinds or len(kinds) >= 4, faults


def test_endless_429_is_reported_as_quota() -> None:
    throttled = Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "0"})
    with scripted_rawg(Script({1: [throttled]})) as url, pytest.raises(RawgQuotaExceeded) as err:
        asyncio.run(collect(client_for(url, max_retries=2), {}))
    assert "quota" in str(err.value) and "games page 1" in str(err.value)


def test_malformed_bodies_are_retried() -> None:
    good = page(1, [1])
    script = Script(
        {1: [Answer(200, b'{"count": 1, "results": [{"id"'), Answer(200, b"<html>"), good]}
    )
    with scripted_rawg(script) as url:
        pages, stats, _ = asyncio.run(collect(client_for(url), {}))
    assert pages[0].items == [{"id": 1, "name": "Game 1"}]
    assert stats.statuses["malformed body"] == 2


def test_giving_up_names_endpoint_page_and_last_status() -> None:
    script = Script({1: [page(80, list(range(40)))], 2: [Answer(502, b"bad gateway")]})
    with scripted_rawg(script) as url, pytest.raises(RawgRequestFailed) as err:
        asyncio.run(collect(client_for(url, max_retries=2), {}))
    message = str(err.value)
    assert "games page 2" in message and "502" in message and "2 retries" in message
    assert err.value.page == 2 and err.value.status == "502"


def test_401_fails_at_once_with_the_fix() -> None:
    config = SandboxConfig(
        games=50, seed=1, days=2, today=SANDBOX_TODAY, valid_keys=frozenset({"good"})
    )
    with running_sandbox(config) as url, pytest.raises(RawgAuthError) as err:
        asyncio.run(collect(client_for(url), {}))
    assert "RAWG_API_KEY" in str(err.value)
    assert "The API key is not found" in str(err.value)


def test_404_past_the_last_page_is_the_end_of_data() -> None:
    # count promises 3 pages, but the data shrank: page 3 is gone.
    script = Script({1: [page(120, list(range(40)))], 2: [page(120, list(range(40, 80)))]})
    with scripted_rawg(script) as url:
        pages, stats, _ = asyncio.run(collect(client_for(url), {}))
    assert sorted(p.number for p in pages) == [1, 2]
    assert stats.statuses["404"] == 1


def test_connection_refused_names_the_setting_to_check() -> None:
    client = client_for("http://127.0.0.1:9/api", max_retries=1)
    with pytest.raises(RawgRequestFailed) as err:
        asyncio.run(collect(client, {}))
    assert "RAWG_BASE_URL" in str(err.value)


def test_request_budget_stops_between_pages_without_discarding_any() -> None:
    script = Script({n: [page(400, list(range(n * 40, n * 40 + 40)))] for n in range(1, 11)})
    with scripted_rawg(script) as url:
        budget = RequestBudget(12)
        pages, stats, _ = asyncio.run(collect(client_for(url, budget=budget), {}))
        assert (len(pages), stats.requests, budget.used, budget.remaining) == (10, 10, 10, 2)
        # Page 1 tells the next query it needs 9 more: it stops there, with nothing in flight.
        with pytest.raises(RequestBudgetExhausted) as err:
            asyncio.run(collect(client_for(url, budget=budget), {}))
    assert len(script.seen) == 11 and budget.used == 11 and budget.reserved == 0
    assert "needs 9 more requests but only 1" in str(err.value)


def test_the_key_never_appears_in_logs_errors_or_shown_urls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script({1: [page(80, list(range(40)))], 2: [Answer(500, b"")]})
    with scripted_rawg(script) as url:
        client = client_for(url, max_retries=1)
        with pytest.raises(RawgRequestFailed) as err:
            asyncio.run(collect(client, {"updated": "2026-01-01,2026-01-01"}))
        assert script.seen[0]["key"] == [SECRET_KEY]  # it did travel, as RAWG requires
    assert "key=***" in str(err.value)
    assert SECRET_KEY not in str(err.value) and SECRET_KEY not in repr(err.value)
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)
    assert SECRET_KEY not in caplog.text
    assert SECRET_KEY not in client.display_url("/games", {"page": 1})
    assert redact(f"https://x/api/games?page=2&key={SECRET_KEY}&a=1") == (
        "https://x/api/games?page=2&key=***&a=1"
    )
