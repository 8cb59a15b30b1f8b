"""The RAWG client driven through scripted answers on ``httpx.MockTransport``: no socket.

Each scenario names what a user would see: the pages that arrive, the requests spent against
the quota (what the script saw, the budget, the stats) and the exact error message.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import orjson
import pytest

from game_market.errors import (
    RawgAuthError,
    RawgRequestFailed,
    RequestBudgetExhausted,
)
from game_market.rawg import (
    ListPaginator,
    Page,
    QueryPlan,
    RawgClient,
    RequestBudget,
    RequestStats,
    redact,
)
from game_market.rawg.client import ListQuery
from game_market.rawg.retries import MAX_RETRY_AFTER_S, RetryPolicy, retry_after_seconds
from game_market.rawg.windows import split_query
from tests.support.rawg_script import Answer, Script, WindowedGames, items_of, page

URL = "http://rawg.test/api"
KEY = "unit-test-secret-key-0123"
DAY = "2026-01-19"


def client_for(transport: httpx.AsyncBaseTransport, **options: Any) -> RawgClient:
    """Retries budgeted by count only, at millisecond backoff (the time budget, and the
    messages that name it, are ``test_retry_budget.py``'s)."""
    options = {
        "max_retries": 4,
        "retry_budget_s": 0,
        "backoff_base_s": 0.001,
        "backoff_max_s": 0.002,
        **options,
    }
    return RawgClient(base_url=URL, api_key=KEY, transport=transport, **options)


def shown(number: int, **params: str) -> str:
    """The URL of a /games page as the client shows it in messages."""
    query = "".join(f"{name}={value}&" for name, value in params.items())
    return f"{URL}/games?{query}page_size=40&page={number}&key=***"


def collect(
    client: RawgClient, params: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[list[Page], RequestStats, QueryPlan]:
    async def run() -> tuple[list[Page], RequestStats, QueryPlan]:
        stats, paginator, pages = RequestStats(), ListPaginator(**kwargs), []
        async with client:
            async for batch in client.iter_pages(
                "/games", params or {}, paginator, endpoint="games", stats=stats
            ):
                pages.extend(batch)
        return pages, stats, paginator.plan

    return asyncio.run(run())


def full_pages(count: int, delay_s: float = 0.0) -> dict[int, list[Answer]]:
    """Every page of a ``count``-row query, ids 1..count."""
    pages = {}
    for number in range(1, -(-count // 40) + 1):
        ids = list(range((number - 1) * 40 + 1, min(number * 40, count) + 1))
        answer = page(count, ids)
        answer.delay_s = delay_s
        pages[number] = [answer]
    return pages


# Paging


def test_every_page_arrives_once_with_the_in_flight_cap_filled() -> None:
    script = Script(full_pages(600, delay_s=0.02))
    pages, stats, plan = collect(client_for(script.transport(), max_concurrency=4))
    ids = [item["id"] for p in pages for item in items_of(p)]
    assert ids and sorted(ids) == list(range(1, 601))
    assert sorted(script.pages_asked) == list(range(1, 16))  # each page asked exactly once
    assert script.peak_in_flight == 4  # pages 2..15 overlap, never more than the cap
    assert plan.expected == 600 and stats.requests == stats.pages == 15 and stats.retries == 0
    assert plan.min_requests == 15


def test_the_client_asks_for_the_pages_its_paginator_chooses() -> None:
    """Paging is a strategy the client calls: this one wants page 3 of the query alone."""

    class ThirdPageOnly:
        async def pages(self, query: ListQuery) -> AsyncIterator[dict[str, Any] | None]:
            yield await query.get_page(3, decode=orjson.loads)

    script = Script(full_pages(200))
    client = client_for(script.transport())
    stats = RequestStats()

    async def run() -> list[dict[str, Any] | None]:
        async with client:
            pages = client.iter_pages("/games", {}, ThirdPageOnly(), endpoint="games", stats=stats)
            return [body async for body in pages]

    [body] = asyncio.run(run())
    assert body is not None and [item["id"] for item in body["results"]][:2] == [81, 82]
    assert script.pages_asked == [3] and stats.requests == 1


def test_max_pages_caps_the_query() -> None:
    script = Script(full_pages(400))
    pages, stats, plan = collect(client_for(script.transport()), max_pages=3)
    assert sorted(p.number for p in pages) == sorted(script.pages_asked) == [1, 2, 3]
    assert stats.requests == plan.min_requests == 3


def test_a_query_that_grows_while_paging_is_followed_to_its_new_end() -> None:
    script = Script({1: [page(80, [1])], 2: [page(120, [2])], 3: [page(120, [3])]})
    budget = RequestBudget(10)
    pages, _, plan = collect(client_for(script.transport(), budget=budget))
    assert sorted(p.number for p in pages) == [1, 2, 3]
    assert (budget.used, budget.reserved, plan.min_requests) == (3, 0, 3)


def test_404_past_the_last_page_is_the_end_of_data() -> None:
    # count promises 3 pages, but the data shrank: page 3 is gone.
    script = Script({1: [page(120, list(range(40)))], 2: [page(120, list(range(40, 80)))]})
    budget = RequestBudget(10)
    pages, stats, _ = collect(client_for(script.transport(), budget=budget))
    assert sorted(p.number for p in pages) == [1, 2]
    assert sorted(script.pages_asked) == [1, 2, 3] and stats.retries == 0
    assert (budget.used, budget.reserved, budget.remaining) == (3, 0, 7)


def test_404_on_the_first_page_is_an_empty_query() -> None:
    pages, stats, plan = collect(client_for(Script({}).transport()))
    assert (pages, plan.expected, stats.requests, stats.pages) == ([], 0, 1, 0)
    assert plan.min_requests == 1  # asking is the only way to learn a query is empty


def test_an_answer_without_a_count_names_the_changed_api_shape() -> None:
    script = Script({1: [Answer(200, {"detail": "moved"})]})
    with pytest.raises(RawgRequestFailed) as err:
        collect(client_for(script.transport()))
    assert str(err.value) == (
        f"RAWG's answer for games page 1 has no row count at {shown(1)}; "
        "the API shape changed: report it with this message."
    )
    assert (err.value.page, err.value.status) == (1, "unexpected shape")


def test_a_detail_page_counts_as_a_page_and_404_means_gone() -> None:
    async def run() -> tuple[Any, Any, RequestStats, RequestBudget]:
        script = Script({1: [Answer(200, {"id": 7, "name": "Seven"})]})
        budget = RequestBudget(5)
        stats = RequestStats()
        async with client_for(script.transport(), budget=budget) as client:
            reservation = budget.reserve(1, "details")
            found = await client.get_detail(
                "/games/7", endpoint="game_details", stats=stats, reservation=reservation
            )
        async with client_for(Script({}).transport(), budget=budget) as client:
            gone = await client.get_detail("/games/8", endpoint="game_details", stats=stats)
        return found, gone, stats, budget

    found, gone, stats, budget = asyncio.run(run())
    assert found == {"id": 7, "name": "Seven"} and gone is None
    assert (stats.pages, stats.requests, budget.used, budget.reserved) == (1, 2, 2, 0)


def test_pages_are_asked_for_and_read_gzip_compressed() -> None:
    asked: list[str] = []
    items = [{"id": 1, "name": "Ølstrøm 🚀"}, {"id": 2, "name": "Game 2"}]
    compressed = gzip.compress(json.dumps({"count": 2, "results": items}).encode())

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["accept-encoding"])
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=compressed)

    pages, stats, _ = collect(client_for(httpx.MockTransport(handle)))
    assert "gzip" in asked[0].replace(" ", "").split(",")
    assert items_of(pages[0]) == items and stats.requests == 1


def test_the_client_must_be_opened_before_use() -> None:
    client = client_for(Script({}).transport())
    with pytest.raises(RuntimeError, match="async with RawgClient"):
        asyncio.run(client.get_json("/games", {}, endpoint="games", page=1, stats=RequestStats()))


# Retries


@pytest.mark.parametrize(
    "failure",
    [
        Answer(500, b"<html>Server Error (500)</html>"),
        Answer(502, b"bad gateway"),
        Answer(503, {}),
        Answer(408, {}),
        Answer(429, {"detail": "Request was throttled."}),
        Answer(200, b'{"count": 1, "results": [{"id"'),
        Answer(200, b"<html>Just a moment...</html>"),
        Answer(200, b"[1, 2]"),
        Answer(200, b"not a gzip stream", {"Content-Encoding": "gzip"}),
        Answer(error=httpx.ReadTimeout("timed out")),
        Answer(error=httpx.ConnectError("connection refused")),
    ],
    ids=[
        "500",
        "502",
        "503",
        "408",
        "429",
        "truncated",
        "html",
        "list",
        "bad-gzip",
        "timeout",
        "refused",
    ],
)
def test_a_passing_failure_is_retried_and_every_attempt_is_counted(failure: Answer) -> None:
    script = Script({1: [failure, failure, page(2, [1, 2])]})
    client = client_for(script.transport())
    pages, stats, plan = collect(client)
    assert [item["id"] for item in items_of(pages[0])] == [1, 2]
    assert script.pages_asked == [1, 1, 1]
    assert (stats.requests, stats.retries, client.usage["games"]) == (3, 2, 3)
    assert plan.min_requests == 1  # the retries are on top


def test_an_answer_that_never_completes_is_cut_at_the_timeout_and_retried() -> None:
    # RAWG holds the connection open: the attempt ends at the timeout, whatever the transport.
    script = Script({1: [Answer(200, {}, delay_s=60.0), page(1, [5])]})
    started = time.perf_counter()
    pages, stats, _ = collect(client_for(script.transport(), timeout_s=0.2))
    assert time.perf_counter() - started < 2.0
    assert items_of(pages[0])[0]["id"] == 5 and stats.retries == 1


def test_429_waits_for_retry_after() -> None:
    throttled = Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "1"})
    script = Script({1: [throttled, page(1, [7])]})
    started = time.perf_counter()
    pages, stats, _ = collect(client_for(script.transport()))
    waited = time.perf_counter() - started
    assert items_of(pages[0])[0]["id"] == 7 and stats.retries == 1
    assert waited >= 1.0  # backoff alone would be 1-2 ms here


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    def header(value: str | None) -> float | None:
        headers = {} if value is None else {"Retry-After": value}
        return retry_after_seconds(httpx.Response(429, headers=headers))

    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert header("7") == 7.0 and header("-3") == 0.0
    assert 28.0 <= (header(soon) or 0.0) <= 30.0
    assert header(past) == 0.0
    assert header("soon") is None and header(None) is None


def test_retry_after_is_capped_at_two_minutes() -> None:
    assert MAX_RETRY_AFTER_S == 120.0
    assert RetryPolicy().delay(0, retry_after=86_400.0) == 120.0
    assert RetryPolicy().delay(3, retry_after=2.5) == 2.5


@pytest.mark.parametrize("retry", range(8))
def test_backoff_doubles_with_jitter_up_to_its_cap(retry: int) -> None:
    policy = RetryPolicy(max_retries=8, backoff_base_s=0.5, backoff_max_s=30.0)
    ceiling = min(30.0, 0.5 * 2**retry)
    delays = [policy.delay(retry, retry_after=None) for _ in range(200)]
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(set(delays)) > 100  # jittered, so clients do not retry in step


def test_giving_up_names_endpoint_page_last_status_and_the_redacted_url() -> None:
    script = Script({1: [page(80, list(range(40)))], 2: [Answer(502, b"bad gateway")]})
    params = {"updated": f"{DAY},{DAY}"}
    with pytest.raises(RawgRequestFailed) as err:
        collect(client_for(script.transport(), max_retries=2), params)
    assert str(err.value) == (
        f"Giving up on games page 2 after 2 retries over 0 seconds (last: 502) at "
        f"{shown(2, updated=f'{DAY},{DAY}')}; check RAWG_BASE_URL and the network, then rerun."
    )
    assert (err.value.endpoint, err.value.page, err.value.status) == ("games", 2, "502")
    assert script.pages_asked == [1, 2, 2, 2]


def test_a_request_rawg_will_never_accept_fails_at_once() -> None:
    script = Script({1: [Answer(400, {"detail": "Unknown ordering."})]})
    with pytest.raises(RawgRequestFailed) as err:
        collect(client_for(script.transport()))
    assert str(err.value) == (
        f"RAWG answered 400 (Unknown ordering.) for games page 1 at {shown(1)}; "
        "this is not retryable, check the request parameters."
    )
    assert err.value.status == "400" and script.pages_asked == [1]


def test_401_fails_at_once_with_the_fix() -> None:
    script = Script({1: [Answer(401, {"error": "The API key is not found"})]})
    with pytest.raises(RawgAuthError) as err:
        collect(client_for(script.transport()))
    assert str(err.value) == (
        "RAWG rejected the API key (The API key is not found): check RAWG_API_KEY in .env or "
        "the environment, and the key's usage at rawg.io, since RAWG also answers 401 once the "
        "monthly quota is spent; then rerun with only_missing (`gmp backfill` does by default, "
        "`gmp ingest-all --only-missing`) to fetch only what is missing."
    )
    assert script.pages_asked == [1]


# The request budget


def test_request_budget_stops_between_pages_without_discarding_any() -> None:
    script = Script({n: [page(400, list(range(n * 40, n * 40 + 40)))] for n in range(1, 11)})
    budget = RequestBudget(12)
    pages, stats, _ = collect(client_for(script.transport(), budget=budget))
    assert (len(pages), stats.requests, budget.used, budget.remaining) == (10, 10, 10, 2)
    # Page 1 tells the next query it needs 9 more: it stops there, with nothing in flight.
    with pytest.raises(RequestBudgetExhausted) as err:
        collect(client_for(script.transport(), budget=budget))
    assert len(script.seen) == 11 and budget.used == 11 and budget.reserved == 0
    assert str(err.value) == (
        "games query (unfiltered) needs 9 more requests but only 1 of the request budget of "
        "12 remain; rerun with a larger max_requests."
    )


def test_every_retry_is_paid_from_the_budget() -> None:
    script = Script({1: [Answer(500, {})]})
    budget = RequestBudget(3)
    with pytest.raises(RequestBudgetExhausted) as err:
        collect(client_for(script.transport(), budget=budget))
    assert str(err.value) == (
        "The request budget of 3 is spent before games page 1; "
        "rerun with a larger max_requests to fetch the rest."
    )
    assert script.pages_asked == [1, 1, 1] and budget.used == 3


def test_a_retry_never_spends_what_other_pages_reserved() -> None:
    # Page 1 reserves pages 2 and 3: the whole budget. Page 2's retry, sent before page 3
    # (one fetcher), must not take page 3's request: it finds the budget spent.
    script = Script(
        {1: [page(120, [1])], 2: [Answer(500, {}), page(120, [2])], 3: [page(120, [3])]}
    )
    budget = RequestBudget(3)
    with pytest.raises(RequestBudgetExhausted) as err:
        collect(client_for(script.transport(), budget=budget, max_concurrency=1))
    assert str(err.value).startswith("The request budget of 3 is spent before games page 2;")
    assert script.pages_asked == [1, 2] and (budget.used, budget.reserved) == (2, 0)


# RAWG's 500-page window


def dated_games(dated: int, undated: int) -> dict[int, date | None]:
    released: dict[int, date | None] = {
        i: date(2000, 1, 1) + timedelta(days=7 * i) for i in range(1, dated + 1)
    }
    released.update({i: None for i in range(dated + 1, dated + undated + 1)})
    return released


def test_a_query_beyond_the_window_is_split_and_nothing_is_lost() -> None:
    # A 2-page window (80 rows) stands in for RAWG's 500 pages so the test stays small.
    games = WindowedGames(dated_games(300, 10), window_pages=2)
    client = client_for(games.transport(), window_pages=2)
    pages, stats, plan = collect(client, {"updated": f"{DAY},{DAY}"}, split=True)
    ids = [item["id"] for p in pages for item in items_of(p)]
    assert len(ids) == len(set(ids)) == 300  # none twice
    assert set(ids) == set(range(1, 301))  # every dated game
    assert plan.expected == 310 and stats.split_probes > 0
    *split, undated = games.seen
    assert len(split) == len(set(split)) == stats.requests - 1  # no page asked twice
    # then page 1 of the day by -released, which this API ignores: it shows dated rows first
    assert undated == (f"{DAY},{DAY}", "", 1)
    assert all(number <= 2 for _, _, number in games.seen)  # nothing asked past the window
    # Frugal: a page per 40 reachable rows of each query paged, a first page per split one.
    assert plan.min_requests == stats.requests
    # The undated rest is reported, not silently lost.
    assert plan.notes[0] == f"query updated={DAY},{DAY} holds 310 rows: split"
    assert plan.notes[-1] == (
        f"query updated={DAY},{DAY}: 10 rows match no narrower query (no release date) "
        "and cannot be fetched past the 500-page window"
    )


@pytest.mark.parametrize("options", [{"split": False}, {"split": True, "max_pages": 5}])
def test_a_query_that_is_not_split_reports_what_the_window_hides(options: dict) -> None:
    games = WindowedGames(dated_games(300, 0), window_pages=2)
    pages, stats, plan = collect(client_for(games.transport(), window_pages=2), **options)
    assert sorted(p.number for p in pages) == [1, 2] and stats.requests == 2
    assert plan.notes == ["query (unfiltered): 220 rows beyond the 500-page window"]


def test_split_halves_a_range_of_days_then_release_dates() -> None:
    assert split_query({"updated": "2026-01-01,2026-01-04"}) == [
        {"updated": "2026-01-01,2026-01-02"},
        {"updated": "2026-01-03,2026-01-04"},
    ]
    assert split_query({"updated": f"{DAY},{DAY}"}) == [
        {"updated": f"{DAY},{DAY}", "dates": "1900-01-01,2000-01-01"},
        {"updated": f"{DAY},{DAY}", "dates": "2000-01-02,2099-12-31"},
    ]
    assert split_query({"dates": "2020-05-01,2020-05-02"}) == [
        {"dates": "2020-05-01,2020-05-01"},
        {"dates": "2020-05-02,2020-05-02"},
    ]
    assert split_query({"dates": "2020-05-01,2020-05-01"}) is None


# The key


def test_the_key_never_appears_in_logs_errors_or_shown_urls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    refused = Answer(error=httpx.ConnectError(f"cannot reach {URL}/games?key={KEY}"))
    script = Script({1: [page(80, list(range(40)))], 2: [Answer(500, b""), refused]})
    client = client_for(script.transport(), max_retries=1)
    with pytest.raises(RawgRequestFailed) as err:
        collect(client, {"updated": "2026-01-01,2026-01-01"})
    assert script.seen[0]["key"] == [KEY]  # it did travel, as RAWG requires
    assert "key=***" in str(err.value) and err.value.status == "connection error"
    assert KEY not in str(err.value) and KEY not in repr(err.value)
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)
    assert KEY not in caplog.text
    assert client.display_url("/games", {"page": 1}) == f"{URL}/games?page=1&key=***"


def test_the_http_libraries_log_lines_are_redacted_once_a_client_exists(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client_for(Script({}).transport())
    for name in ("httpx", "httpcore.http11", "httpcore.connection", "aiohttp.client"):
        logging.getLogger(name).debug("GET %s", f"{URL}/games?page=2&key={KEY}")
    assert KEY not in caplog.text
    assert caplog.text.count("key=***") == 4


def test_redact_hides_every_key_value() -> None:
    assert redact(f"https://x/api/games?page=2&key={KEY}&a=1") == (
        "https://x/api/games?page=2&key=***&a=1"
    )
    assert redact(f"KEY={KEY} or key={KEY}#top") == "KEY=*** or key=***#top"
