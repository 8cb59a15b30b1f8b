from __future__ import annotations

import asyncio
import threading

from game_market.rawg.limiter import ProcessLimiter, process_limiter


def all_slots_free(limiter: ProcessLimiter) -> bool:
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
    limiter = ProcessLimiter(3)
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
    limiter = ProcessLimiter(1)

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


def test_process_limiter_is_shared_and_takes_the_latest_limit() -> None:
    first = process_limiter(4)
    assert process_limiter(6) is first and first.limit == 6
