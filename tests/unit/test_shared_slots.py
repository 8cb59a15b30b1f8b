"""Slots of a shared limit: never more held than the limit across clients, one round trip per
lease rather than per request, given back when idle or at close, renewed while in use."""

from __future__ import annotations

import asyncio

from game_market.rawg.shared import SharedSlots, SlotsBusy, TooManySlots


class LimitedSource:
    """A shared limit of ``limit`` slots that grants leases like the Prefect server, counted."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.leases: dict[int, int] = {}  # handle -> slots
        self.most_held = 0
        self.acquires = 0
        self.releases = 0
        self.renewals = 0
        self.closed = False

    @property
    def held(self) -> int:
        return sum(self.leases.values())

    async def acquire(self, slots: int) -> object | None:
        self.acquires += 1
        handle = self.acquires
        await asyncio.sleep(0.001)  # a round trip
        if self.limit is None:
            return None
        if slots > self.limit:
            raise TooManySlots
        if self.held + slots > self.limit:
            raise SlotsBusy(0.01)
        self.leases[handle] = slots
        self.most_held = max(self.most_held, self.held)
        return handle

    async def release(self, handle: object) -> None:
        self.releases += 1
        assert isinstance(handle, int)
        del self.leases[handle]

    async def renew(self, handle: object) -> None:
        assert handle in self.leases
        self.renewals += 1

    async def close(self) -> None:
        self.closed = True


def test_clients_together_never_hold_more_than_the_limit_and_all_finish() -> None:
    source = LimitedSource(limit=4)
    clients = [SharedSlots(source, bulk=8, idle_s=0.02) for _ in range(3)]
    in_flight = 0
    most_in_flight = 0
    done = 0
    caps = {id(c): asyncio.Semaphore(8) for c in clients}  # RAWG_MAX_CONCURRENCY=8 each

    async def request(shared: SharedSlots) -> None:
        nonlocal in_flight, most_in_flight, done
        async with caps[id(shared)], shared.slot():
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            await asyncio.sleep(0.002)
            in_flight -= 1
        done += 1

    async def main() -> None:
        await asyncio.gather(*(request(c) for c in clients for _ in range(40)))
        for client in clients:
            await client.close()

    asyncio.run(main())

    assert done == 120
    assert most_in_flight <= 4 and source.most_held <= 4
    assert source.leases == {} and source.closed


def test_a_busy_client_takes_one_lease_of_its_cap_and_reuses_it() -> None:
    source = LimitedSource(limit=16)
    shared = SharedSlots(source, bulk=8)
    cap = asyncio.Semaphore(8)

    async def request() -> None:
        async with cap, shared.slot():
            await asyncio.sleep(0.001)

    async def main() -> None:
        await asyncio.gather(*(request() for _ in range(200)))
        assert shared.held == 8
        await shared.close()

    asyncio.run(main())

    assert (source.acquires, source.releases, shared.acquired) == (1, 1, 1)


def test_a_lease_larger_than_the_limit_is_halved_and_a_full_limit_waited_for() -> None:
    source = LimitedSource(limit=3)
    shared = SharedSlots(source, bulk=8)

    async def main() -> None:
        async with shared.slot():
            assert shared.held == 2  # 8 and 4 refused as more than the limit: 2
            source.leases[99] = 1  # another process takes the last free slot
            async with shared.slot():
                pass  # the client's second slot: its lease has one free
            other = asyncio.ensure_future(held_for(shared, 0.0))
            async with shared.slot():
                await asyncio.sleep(0.03)  # both of its slots busy: a third must wait
                assert not other.done()
            del source.leases[99]  # the other process is done
            await other
        await shared.close()

    asyncio.run(main())

    assert source.most_held <= 3


async def held_for(shared: SharedSlots, seconds: float) -> None:
    async with shared.slot():
        await asyncio.sleep(seconds)


def test_a_lease_free_for_idle_s_goes_back_and_one_in_use_is_renewed() -> None:
    source = LimitedSource(limit=8)
    shared = SharedSlots(source, bulk=4, idle_s=0.05, renew_s=0.05)

    async def main() -> None:
        for _ in range(6):  # reused within idle_s: kept, and renewed as it is used
            await held_for(shared, 0.02)
        assert shared.held == 4 and source.acquires == 1 and source.renewals >= 1
        await asyncio.sleep(0.1)  # free for longer than idle_s: given back
        assert shared.held == 0 and source.releases == 1
        await shared.close()

    asyncio.run(main())


def test_without_the_limit_the_client_says_so_once_and_stops_asking() -> None:
    source = LimitedSource(limit=None)
    told: list[str] = []
    shared = SharedSlots(source, bulk=8, on_absent=lambda: told.append("absent"))

    async def main() -> None:
        await asyncio.gather(*(held_for(shared, 0.001) for _ in range(5)))

    asyncio.run(main())

    assert told == ["absent"] and source.acquires == 1 and shared.absent
