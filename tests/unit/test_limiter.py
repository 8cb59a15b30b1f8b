from __future__ import annotations

import asyncio
import threading

from game_market.rawg import RawgClient
from game_market.rawg.limiter import RequestLimiter
from game_market.runtime import Runtime
from game_market.settings import Settings


def all_slots_free(limiter: RequestLimiter) -> bool:
    """Every slot can be taken at once: nothing was leaked by the work before."""

    async def take_all() -> None:
        for _ in range(limiter.limit):
            await asyncio.wait_for(limiter.acquire(), timeout=1)
        for _ in range(limiter.limit):
            limiter.release()

    try:
        asyncio.run(take_all())
    except TimeoutError:
        return False
    return True


def test_one_cap_across_threads_and_event_loops() -> None:
    limiter = RequestLimiter(3)
    lock = threading.Lock()
    in_flight = peak = done = 0

    async def request() -> None:
        nonlocal in_flight, peak, done
        async with limiter:
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            with lock:
                in_flight -= 1
                done += 1

    async def many() -> None:
        await asyncio.gather(*(request() for _ in range(20)))

    threads = [threading.Thread(target=asyncio.run, args=(many(),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert done == 80
    assert peak == 3
    assert all_slots_free(limiter)


def test_cancelled_waiters_give_their_slot_back() -> None:
    limiter = RequestLimiter(1)

    async def scenario() -> None:
        await limiter.acquire()
        waiter = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        limiter.release()
        await asyncio.gather(waiter, return_exceptions=True)
        await asyncio.wait_for(limiter.acquire(), timeout=1)
        limiter.release()

    asyncio.run(scenario())
    assert all_slots_free(limiter)


def test_a_client_with_another_cap_leaves_the_others_alone() -> None:
    first = RawgClient(base_url="http://rawg.test", api_key="k", max_concurrency=4)
    second = RawgClient(base_url="http://rawg.test", api_key="k", max_concurrency=6)
    assert (first._limiter.limit, second._limiter.limit) == (4, 6)
    assert first._limiter is not second._limiter


def test_the_clients_of_a_runtime_share_its_cap() -> None:
    runtime = Runtime(Settings(_env_file=None, rawg_api_key="k", rawg_max_concurrency=3))
    first, second = runtime.rawg_client(), runtime.rawg_client()
    assert first._limiter is second._limiter is runtime.rawg_limiter
    assert runtime.rawg_limiter.limit == 3
    own = runtime.rawg_client(max_concurrency=2)
    assert own._limiter is not runtime.rawg_limiter and own._limiter.limit == 2
