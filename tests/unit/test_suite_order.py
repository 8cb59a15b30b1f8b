"""The parallel run hands out the slowest modules first, as `SLOWEST_FIRST` orders them."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

from tests.conftest import SLOWEST_FIRST

TESTS = Path(__file__).resolve().parents[1]


class Worker:
    """What xdist's scheduler asks of a worker: it only records the tests it is sent."""

    def __init__(self, name: str) -> None:
        self.gateway = type("Gateway", (), {"id": name})()
        self.sent: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += indices

    def shutdown(self) -> None:
        pass


class TwoWorkers:
    """This run's options (pyproject's addopts), for the two workers of `-n auto` on 2 cores."""

    def __init__(self, config: pytest.Config) -> None:
        self.option = config.option
        self._config = config

    def getvalue(self, name: str) -> object:
        return ["2*popen"] if name == "tx" else self._config.getvalue(name)


def test_every_named_module_exists() -> None:
    missing = [name for name in SLOWEST_FIRST if not (TESTS / "integration" / name).is_file()]
    assert not missing, f"SLOWEST_FIRST names modules that are gone: {missing}"


def test_the_scheduler_keeps_the_order_and_so_starts_the_slowest(
    pytestconfig: pytest.Config,
) -> None:
    """A module of many quick tests, then the slow ones (the order conftest gives them): xdist
    sorting modules by their number of tests would start the quick module first and leave a
    one-test module of minutes for the end."""
    collection = [f"tests/unit/test_quick.py::test_{n}" for n in range(40)]
    collection = [f"tests/integration/{name}::test_it" for name in SLOWEST_FIRST] + collection
    scheduler = LoadFileScheduling(TwoWorkers(pytestconfig))  # type: ignore[arg-type]
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    first = [collection[worker.sent[0]].split("::")[0] for worker in workers]
    assert first == [f"tests/integration/{name}" for name in SLOWEST_FIRST[:2]]
