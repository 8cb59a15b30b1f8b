"""How often the garbage collector runs while an entry point (gmp, a flow run a worker
started) runs the core. Apart from ``flows.context``, and free of Prefect, so that the
benchmarks run the core as the entry points do without Prefect's imports in the process whose
memory they measure."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while the block runs, then restore the old thresholds.

    Parsing and normalizing RAWG pages allocates containers by the million, nearly all freed
    by reference counting; at the default thresholds a collection still runs every few hundred
    allocations, which shows in the ingest benchmarks' throughput. Re-entrant, so entry points
    that nest, or run in threads, share one setting.
    """
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(20_000, 50, 100)
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)
