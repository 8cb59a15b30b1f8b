"""The RAWG sandbox as a real process on loopback: what only a process shows. Everything
else about its API is tested in-process (tests/unit/test_sandbox_*.py)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from rawg_simulator import add_arguments, config_from_args, running_sandbox
from rawg_simulator.config import sandbox_command
from tests.support.sandbox import (
    KEY,
    InProcessClient,
    bodies,
    config,
    ok,
    sandbox_stats,
    start_outage,
)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def test_command_line_round_trips_the_config(client: httpx.Client) -> None:
    original = config(
        latency_ms=12.5,
        latency_jitter_ms=2.5,
        fault_rate=0.25,
        refresh_share=0.6,
        valid_keys=frozenset({"a", "b"}),
        thin_day=date(2024, 6, 10),
        thin_share=0.1,
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(sandbox_command(original, port=1234)[3:])
    assert config_from_args(args) == original and args.port == 1234

    # a child process started from a config serves what the same config serves in-process
    shown = config(games=500, seed=5, days=20, refresh_share=0.7, max_pages_per_query=9)
    with running_sandbox(shown) as url, InProcessClient(shown) as here:
        assert sandbox_stats(url, client)["config"] == sandbox_stats(here.base, here)["config"]
        assert bodies(client, url) == bodies(here, here.base)


def test_latency_delays_answers_without_blocking_the_loop() -> None:
    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=10) as http:
            answers = await asyncio.gather(
                *(http.get(f"{url}/games", params={"key": KEY, "page": p}) for p in range(1, 9))
            )
        return [a.status_code for a in answers]

    with running_sandbox(config(games=200, latency_ms=300)) as url:
        started = time.perf_counter()
        assert asyncio.run(burst(url)) == [200] * 8
        assert 0.3 <= time.perf_counter() - started < 1.5  # concurrent, not 8 x 300 ms


def test_an_outage_answers_503_drops_the_connection_and_throttles_in_turn(
    client: httpx.Client,
) -> None:
    with running_sandbox(config(games=200)) as url:
        start_outage(url, 60, after=2, endpoint="games", client=client)
        # A reference list does not count; two pages of games are still answered, then down.
        assert ok(client, f"{url}/genres")["count"] > 0
        assert ok(client, f"{url}/games", page=1)["count"] == 200
        assert sandbox_stats(url, client)["outage"]["started_at"] is None
        assert ok(client, f"{url}/games", page=2)["count"] == 200
        down = sandbox_stats(url, client)["outage"]
        assert down["started_at"] is not None and down["seconds"] == 60
        unavailable = client.get(f"{url}/genres", params={"key": KEY})
        assert unavailable.status_code == 503
        with pytest.raises(httpx.RemoteProtocolError):  # cut off mid-answer, as by a reset
            client.get(f"{url}/games", params={"key": KEY, "page": 4})
        throttled = client.get(f"{url}/games", params={"key": KEY, "page": 4})
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
        answered = sandbox_stats(url, client)["outage"]["answered"]
        assert answered == {"503": 1, "reset": 1, "429": 1, "held": 0}

        start_outage(url, 0, client=client)
        assert ok(client, f"{url}/games", page=4)["count"] == 200


def test_startup_failure_reports_child_output() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sandbox = running_sandbox(config(games=10), port)
        with pytest.raises(RuntimeError, match="exited") as failure, sandbox:
            pass
    assert "RAWG sandbox listening on" in str(failure.value)  # the child's output tail


def test_100k_catalog_serves_deep_pages_in_bounded_memory(client: httpx.Client) -> None:
    # Its speed is measured by `make bench` (benchmarks/ingest.py), not asserted here.
    with running_sandbox(config(games=100_000)) as url:
        page = ok(client, f"{url}/games", page=400, page_size=40)
        assert len(page["results"]) == 40
        for ordering in ("-added", "name", "-released"):
            ok(client, f"{url}/games", ordering=ordering, page=500, page_size=40)
        ok(client, f"{url}/games", updated="2024-06-01,2024-06-02", page_size=40)
        assert sandbox_stats(url, client)["process"]["rss_mb"] < 300
