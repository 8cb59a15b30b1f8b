from __future__ import annotations

import gc

from flows.context import entry_point, runtime_scope
from flows.gc_thresholds import fewer_collections
from game_market.runtime import Runtime
from game_market.settings import Settings


def test_fewer_collections_nests_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        relaxed = gc.get_threshold()
        with fewer_collections():
            assert gc.get_threshold() == relaxed
        assert gc.get_threshold() == relaxed  # the outer block is still running
    assert relaxed[0] > before[0]
    assert gc.get_threshold() == before


def test_the_entry_point_sets_the_collector_for_its_flows_and_restores_it() -> None:
    before = gc.get_threshold()
    runtime = Runtime(Settings(_env_file=None, rawg_api_key="k"))
    with entry_point(runtime):
        with runtime_scope() as seen:
            assert seen is runtime
        assert gc.get_threshold()[0] > before[0]
    assert gc.get_threshold() == before
