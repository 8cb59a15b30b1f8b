"""The parallel run hands out the slowest modules first, as the suite measured them."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

from tests.conftest import DURATIONS
from tests.support.durations import read_committed

ROOT = Path(__file__).resolve().parents[2]
RECORDED = read_committed(DURATIONS)
SLOWEST_FIRST = sorted(RECORDED, key=lambda module: -RECORDED[module])


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


def test_the_recorded_durations_name_only_modules_that_exist() -> None:
    missing = [module for module in RECORDED if not (ROOT / module).is_file()]
    assert RECORDED and not missing, f"tests/durations.json names modules that are gone: {missing}"


def test_the_scheduler_keeps_the_order_and_so_starts_the_slowest(
    pytestconfig: pytest.Config,
) -> None:
    """A module of many quick tests, then the slow ones (the order conftest gives them): xdist
    sorting modules by their number of tests would start the quick module first and leave a
    one-test module of minutes for the end."""
    collection = [f"tests/unit/test_quick.py::test_{n}" for n in range(40)]
    collection = [f"{module}::test_it" for module in SLOWEST_FIRST] + collection
    scheduler = LoadFileScheduling(TwoWorkers(pytestconfig))  # type: ignore[arg-type]
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    first = [collection[worker.sent[0]].split("::")[0] for worker in workers]
    assert first == SLOWEST_FIRST[:2]
