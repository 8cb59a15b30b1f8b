"""A spent quota or a rejected key ends the run's requests: once one request concludes it, the
client stops every other one with the same sentence, unsent, on ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from game_market.errors import (
    RawgAuthError,
    RawgQuotaExceeded,
    RawgRefused,
    RawgRequestFailed,
    RawgThrottled,
)
from game_market.rawg import RawgClient, RequestBudget, RequestStats
from game_market.rawg.retries import RetryPolicy

URL = "http://rawg.test/api"
RESUME = (
    "rerun with only_missing (`gmp backfill` does by default, `gmp ingest-all --only-missing`) "
    "to fetch only what is missing."
)
Answer = Callable[[str], httpx.Response]


class Rawg:
    """Answers per path; counts what was sent."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: Counter[str] = Counter()

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.sent[request.url.path] += 1
            await asyncio.sleep(0.01)  # in flight together, as over a network
            return self.answer(request.url.path)

        return httpx.MockTransport(handle)


def client_for(rawg: Rawg, **options: object) -> RawgClient:
    options = {
        "max_retries": 2,
        "retry_budget_s": 0,
        "backoff_base_s": 0.001,
        "backoff_max_s": 0.002,
        **options,
    }
    return RawgClient(base_url=URL, api_key="unit-key", transport=rawg.transport(), **options)


async def fetch(client: RawgClient, game: int) -> dict | BaseException:
    """One detail page, or the error it ended with."""
    try:
        return await client.get_detail(f"/games/{game}", endpoint="games", stats=RequestStats())
    except Exception as exc:
        return exc


def refused(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": "API key limit reached"} if status == 401 else {"detail": "Throttled."}
    return httpx.Response(status, json=body, headers=headers)


def test_a_401_stops_every_other_request_of_the_run_unsent() -> None:
    rawg = Rawg(lambda path: refused(401))
    budget = RequestBudget(100)
    client = client_for(rawg, max_concurrency=2, budget=budget)

    async def run() -> list[dict | BaseException]:
        async with client:
            return await asyncio.gather(*(fetch(client, game) for game in range(20)))

    errors = asyncio.run(run())
    assert all(isinstance(error, RawgAuthError) for error in errors)
    assert {str(error) for error in errors} == {str(client.refusal)}
    assert str(client.refusal) == (
        "RAWG rejected the API key (API key limit reached): check RAWG_API_KEY in .env or the "
        "environment, and the key's usage at rawg.io, since RAWG also answers 401 once the "
        f"monthly quota is spent; then {RESUME}"
    )
    # Only the requests already in flight (the cap of 2) reached RAWG, and only they were paid.
    sent = sum(rawg.sent.values())
    assert sent <= 2
    assert sum(client.usage.values()) == budget.used == sent


@pytest.mark.parametrize(
    "retry_after",
    ["86400", format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)],
    ids=["seconds", "http-date"],
)
def test_a_429_asking_for_more_than_we_wait_is_a_spent_quota_at_once(retry_after: str) -> None:
    rawg = Rawg(lambda path: refused(429, {"Retry-After": retry_after}))
    client = client_for(rawg, max_retries=5)

    async def run() -> list[dict | BaseException]:
        async with client:
            return [await fetch(client, 1), await fetch(client, 2)]

    started = time.perf_counter()
    first, second = asyncio.run(asyncio.wait_for(run(), 5))  # sleeping on it would take 600 s
    assert time.perf_counter() - started < 1.0
    assert isinstance(first, RawgQuotaExceeded) and isinstance(second, RawgQuotaExceeded)
    assert str(first) == str(second)
    assert "the monthly quota of RAWG_API_KEY is spent, check its usage at rawg.io" in str(first)
    assert str(first).endswith(f"once it resets, {RESUME}")
    assert rawg.sent == {"/api/games/1": 1}  # no retry, and the next request was never sent
    if retry_after == "86400":
        assert str(first).startswith(
            "RAWG answered games with 429 and Retry-After 86,400 s, longer than a run waits "
            "(120 s): "
        )


def test_a_throttle_that_never_ends_stops_the_requests_waiting_to_retry() -> None:
    # /games/1 is throttled without Retry-After until its retries run out; /games/2 was told
    # to wait 100 s, a wait we would make, but the run is known throttled before it is over.
    def answer(path: str) -> httpx.Response:
        retry_after = {} if path.endswith("/1") else {"Retry-After": "100"}
        return refused(429, retry_after)

    rawg = Rawg(answer)
    client = client_for(rawg)

    async def run() -> list[dict | BaseException]:
        async with client:
            waiting = asyncio.ensure_future(fetch(client, 2))
            concluding = await fetch(client, 1)
            later = await fetch(client, 3)
            return [concluding, await waiting, later]

    started = time.perf_counter()
    concluding, waiting, later = asyncio.run(asyncio.wait_for(run(), 10))
    assert time.perf_counter() - started < 5.0
    assert str(concluding).startswith(
        "RAWG kept throttling games for 0 seconds (429 after 2 retries) at "
    )
    assert isinstance(waiting, RawgThrottled) and isinstance(later, RawgThrottled)
    assert str(concluding) == str(waiting) == str(later)
    assert rawg.sent == {"/api/games/1": 3, "/api/games/2": 1}


def test_other_failures_leave_the_run_going() -> None:
    def answer(path: str) -> httpx.Response:
        if path.endswith("/1"):
            return httpx.Response(502, content=b"bad gateway")
        return httpx.Response(200, json={"id": 2})

    rawg = Rawg(answer)
    client = client_for(rawg)

    async def run() -> list[dict | BaseException]:
        async with client:
            return [await fetch(client, 1), await fetch(client, 2)]

    failed, fetched = asyncio.run(run())
    assert isinstance(failed, RawgRequestFailed) and not isinstance(failed, RawgRefused)
    assert fetched == {"id": 2} and client.refusal is None


def test_the_longest_a_request_takes_before_giving_up() -> None:
    # 6 attempts timing out at 30 s, 5 waits of a 120 s Retry-After (backoff caps at 30 s).
    assert RetryPolicy().longest_s(timeout_s=30.0) == 780.0
    # A backoff ceiling above 120 s counts instead: 3 x 1 + 120 + 200.
    slow = RetryPolicy(max_retries=2, backoff_base_s=100.0, backoff_max_s=200.0)
    assert slow.longest_s(timeout_s=1.0) == 323.0
    # Quick failures past the count: the last attempt starts as the 120 s budget ends.
    assert RetryPolicy(max_retries=0).longest_s(timeout_s=5.0) == 5 + 120 + 5
