"""Each flow's ``timeout_seconds``, from the settings (``*_TIMEOUT_SECONDS``).

Prefect takes ``timeout_seconds`` when ``@flow`` runs, at import, before an entry point has
settings to pass down: so the flows' modules take it from here, read once, when the first of
them is imported. A deployment's run imports its flow in its own process, with the run's
environment; ``gmp`` imports the flows after it has read and checked the settings. Settings
that do not validate are reported in one sentence by the run's entry point
(``runtime_scope``); the flows still import, with the default timeouts.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from game_market.errors import ConfigError
from game_market.settings import Settings, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError:
        return Settings.model_construct()


T = TypeVar("T")
WAIT_S = 0.2
_SETTINGS = _settings()
DAILY_S = _SETTINGS.daily_timeout_seconds
BACKFILL_S = _SETTINGS.backfill_timeout_seconds
INGEST_S = _SETTINGS.ingest_timeout_seconds
BUILD_S = _SETTINGS.build_timeout_seconds


def interruptible(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` in a daemon thread, waited for here, so that a flow's timeout ends the
    wait at the limit.

    Prefect times a sync flow out by interrupting the thread that runs it: with an alarm
    signal, or, when a SIGALRM handler is already set, an exception injected into the thread,
    which lands only once the thread runs Python again. Run there, dbt's ``dbtRunner.invoke``
    catches the alarm's interruption and returns it as a failed result (often behind the error
    its cleanup then meets, "connection is busy"), so the run ended Failed, not TimedOut; and
    an injected one waited for the node in flight, forever for a node that hangs. Waited for
    from here in short joins, either is raised at once: the run ends TimedOut and gives back
    its slots on the way out. dbt-duckdb cannot cancel a query: the abandoned call ends in its
    thread when its node does, or with the process.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call(*args)
        except BaseException as exc:  # handed to the waiting thread, raised there
            outcome["error"] = exc

    # The caller's context goes along: prefect-dbt's node task runs find their flow run in it.
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(run,), name="dbt-build", daemon=True)
    thread.start()
    while thread.is_alive():
        # Short waits: Prefect's other way of timing out, an exception injected into this
        # thread (used when a SIGALRM handler is already set), lands between two of them.
        thread.join(WAIT_S)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
