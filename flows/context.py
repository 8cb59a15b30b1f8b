"""The runtime a flow run works with, and how a run ends when the user must act.

Settings are read once, by the entry point, and handed down. Prefect flow parameters are
stored and shown in the UI, so settings (which hold secrets) do not travel as parameters:
the entry point puts its checked ``Runtime`` in a context variable that every flow and subflow
it starts reads with ``runtime_scope()``. ``gmp`` is the entry point of the runs it starts; a
run a worker starts from a deployment is its own entry point, and ``runtime_scope()`` loads and
checks the settings there, once.

What the process as a whole runs with (how often the garbage collector runs,
``flows.gc_thresholds``) is set here too, by the entry point: the core below never changes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

from prefect.runtime import flow_run
from prefect.states import Failed, State

from flows.gc_thresholds import fewer_collections
from game_market.errors import PipelineError
from game_market.runtime import Runtime
from game_market.settings import load_settings

_RUNTIME: ContextVar[Runtime | None] = ContextVar("game_market_runtime", default=None)


@contextmanager
def entry_point(runtime: Runtime) -> Iterator[Runtime]:
    """Make ``runtime`` the one every flow started inside the block works with, in a process
    that collects garbage less often meanwhile (``fewer_collections``)."""
    token = _RUNTIME.set(runtime)
    try:
        with fewer_collections():
            yield runtime
    finally:
        _RUNTIME.reset(token)


@contextmanager
def runtime_scope() -> Iterator[Runtime]:
    """The entry point's runtime, or, when this flow run is the entry point, its own."""
    runtime = _RUNTIME.get()
    if runtime is not None:
        yield runtime
        return
    with entry_point(Runtime(load_settings())) as own:
        yield own


def current_run_id() -> str:
    return str(flow_run.id or uuid4())


def failed(exc: PipelineError) -> State:
    """End the run with the error's one sentence as its state message, and no traceback."""
    return Failed(message=str(exc), data=exc)
