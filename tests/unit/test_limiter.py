from __future__ import annotations

import asyncio
import threading

from game_market.limiter import ProcessLimiter, process_limiter


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
    assert limiter.in_use == 0


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
    assert limiter.in_use == 0


def test_process_limiter_is_shared_and_takes_the_latest_limit() -> None:
    first = process_limiter(4)
    assert process_limiter(6) is first and first.limit == 6
