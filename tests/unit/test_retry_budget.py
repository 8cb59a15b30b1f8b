"""Retries budgeted by count and by time, on ``httpx.MockTransport`` and a fake clock: a
two-minute outage is ridden out in no real time, and what ends a request is named for what
it was (a spent quota, a throttle, a server that stayed down)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from game_market.errors import RawgQuotaExceeded, RawgRequestFailed, RawgThrottled
from game_market.rawg import RawgClient, RequestStats
from game_market.rawg.retries import RetryPolicy
from game_market.settings import Settings
from tests.support.fake_clock import FakeClock

URL = "http://rawg.test/api"
SHOWN = f"{URL}/games?page=1&key=***"
RESUME = (
    "rerun with only_missing (`gmp backfill` does by default, `gmp ingest-all --only-missing`) "
    "to fetch only what is missing."
)
PAGE = {"count": 1, "next": None, "previous": None, "results": [{"id": 7}]}
Handler = Callable[[httpx.Request], httpx.Response]


def down(request: httpx.Request, turn: int) -> httpx.Response:
    """An outage's answers in turn: a 503, a dropped connection, a 429 asking for 1 s."""
    if turn % 3 == 0:
        return httpx.Response(503, json={"detail": "Service temporarily unavailable."})
    if turn % 3 == 1:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)
    throttled = {"detail": "Request was throttled."}
    return httpx.Response(429, json=throttled, headers={"Retry-After": "1"})


def fetch(handler: Handler, clock: FakeClock, **options: Any) -> tuple[Any, RequestStats]:
    """Page 1 of /games through the real client (default retry settings), with the answer
    or the error it ended in."""
    client = RawgClient(
        base_url=URL,
        api_key="unit-key",
        transport=httpx.MockTransport(handler),
        clock=clock,
        **options,
    )
    stats = RequestStats()

    async def run() -> Any:
        async with client:
            try:
                return await client.get_json(
                    "/games", {"page": 1}, endpoint="games", page=1, stats=stats
                )
            except Exception as exc:
                return exc

    return asyncio.run(run()), stats


def test_the_budget_is_spent_when_both_the_count_and_the_time_are() -> None:
    policy = RetryPolicy(max_retries=2, budget_s=10.0)
    assert policy.wait(1, failing_s=50.0, retry_after=3.0) == 3.0  # retries left by count
    assert policy.wait(2, failing_s=4.0, retry_after=3.0) == 3.0  # time left
    assert policy.wait(5, failing_s=8.0, retry_after=3.0) == 2.0  # cut to end with the budget
    assert policy.wait(2, failing_s=10.0, retry_after=3.0) is None
    assert 0.25 <= (policy.wait(0, failing_s=0.0, retry_after=None) or 0) <= 0.5
    count_only = RetryPolicy(max_retries=2, budget_s=0.0)
    assert count_only.wait(2, failing_s=0.0, retry_after=0.0) is None


def test_the_budget_comes_from_the_settings() -> None:
    settings = Settings(_env_file=None, rawg_api_key="k", rawg_retry_budget_seconds=45)
    assert RawgClient.from_settings(settings).retry == RetryPolicy(budget_s=45.0)
    assert Settings(_env_file=None).rawg_retry_budget_seconds == 120.0


def test_an_outage_shorter_than_the_budget_is_ridden_out_in_no_real_time() -> None:
    clock, turns = FakeClock(), itertools.count()

    def rawg(request: httpx.Request) -> httpx.Response:
        if clock.now() < 110.0:
            return down(request, next(turns))
        return httpx.Response(200, json=PAGE)

    started = time.perf_counter()
    body, stats = fetch(rawg, clock)
    assert time.perf_counter() - started < 5.0  # 110 s of retrying, slept on the fake clock
    assert body == PAGE
    assert next(turns) == stats.retries == stats.requests - 1 > 5  # past the count of 5
    assert 110.0 <= clock.now() <= 140.0  # back within one backoff ceiling (30 s)


def test_a_server_down_past_the_budget_names_the_time_and_the_network() -> None:
    clock = FakeClock()
    error, stats = fetch(lambda request: httpx.Response(503, json={}), clock)
    assert isinstance(error, RawgRequestFailed) and error.status == "503"
    assert str(error) == (
        f"Giving up on games page 1 after {stats.retries} retries over 120 seconds (last: 503) "
        f"at {SHOWN}; check RAWG_BASE_URL and the network, then rerun."
    )
    assert clock.now() == pytest.approx(120.0)  # the last attempt, as the budget ended


def test_a_throttle_past_the_budget_is_a_throttle_not_a_spent_quota() -> None:
    clock = FakeClock()
    throttled = {"detail": "Request was throttled."}
    error, stats = fetch(
        lambda request: httpx.Response(429, json=throttled, headers={"Retry-After": "1"}), clock
    )
    assert isinstance(error, RawgThrottled) and not isinstance(error, RawgQuotaExceeded)
    assert str(error) == (
        f"RAWG kept throttling games page 1 for 120 seconds (429 after 120 retries) at {SHOWN}: "
        f"lower RAWG_MAX_CONCURRENCY or raise RAWG_RETRY_BUDGET_SECONDS, then {RESUME}"
    )
    assert (stats.requests, stats.retries) == (121, 120)  # one a second, Retry-After's pace


@pytest.mark.parametrize(
    ("body", "headers", "said"),
    [
        ({"error": "API key limit reached"}, {}, "with 429 (API key limit reached)"),
        (
            {"detail": "Request was throttled. Expected available in 86400 seconds."},
            {},
            "with 429 and Retry-After 86,400 s, longer than a run waits (120 s)",
        ),
        ({"detail": "Throttled."}, {"Retry-After": "3600"}, "with 429 and Retry-After 3,600 s"),
    ],
    ids=["rawg-message", "wait-in-words", "retry-after"],
)
def test_only_a_429_that_says_so_is_a_spent_quota_at_once(
    body: dict, headers: dict[str, str], said: str
) -> None:
    clock = FakeClock()
    error, stats = fetch(lambda request: httpx.Response(429, json=body, headers=headers), clock)
    assert isinstance(error, RawgQuotaExceeded)
    assert str(error).startswith(f"RAWG answered games page 1 {said}")
    assert str(error).endswith(
        f": the monthly quota of RAWG_API_KEY is spent, check its usage at rawg.io; once it "
        f"resets, {RESUME}"
    )
    assert stats.requests == 1 and clock.now() == 0.0  # no retry, no wait


def test_a_wait_in_words_under_the_cap_is_waited_for() -> None:
    clock, answers = FakeClock(), iter([429, 200])
    throttled = {"detail": "Request was throttled. Expected available in 7 seconds."}

    def rawg(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json=throttled if status == 429 else PAGE)

    body, stats = fetch(rawg, clock)
    assert body == PAGE and stats.retries == 1 and clock.now() == 7.0
