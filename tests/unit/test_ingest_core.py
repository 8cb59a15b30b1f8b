from __future__ import annotations

import gc

import pytest

from game_market.endpoints import ENDPOINTS
from game_market.errors import PipelineError
from game_market.ingest import fewer_collections, resolve_max_pages


def test_fewer_collections_nests_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        relaxed = gc.get_threshold()
        with fewer_collections():
            assert gc.get_threshold() == relaxed
        assert gc.get_threshold() == relaxed  # the outer partition is still running
    assert relaxed[0] > before[0]
    assert gc.get_threshold() == before


def test_max_pages_defaults_and_all() -> None:
    assert resolve_max_pages(ENDPOINTS["developers"], None) == 5
    assert resolve_max_pages(ENDPOINTS["games"], None) is None
    assert resolve_max_pages(ENDPOINTS["publishers"], -1) is None
    assert resolve_max_pages(ENDPOINTS["publishers"], 12) == 12
    with pytest.raises(PipelineError, match="max_pages must be -1"):
        resolve_max_pages(ENDPOINTS["games"], -3)
