"""The warehouse dbt builds and the report reads, whichever the target: DuckDB or Snowflake.

Plain Python (no Prefect). The orchestration layer's ``flows.warehouse.warehouse_for(target,
settings)`` is the one place a target name becomes behaviour (Snowflake connections come from
prefect-snowflake there): the dbt subflow calls ``prepare()`` before a build and ``release()``
after it, and the report reads marts through ``reader()``, in portable SQL with ``?``
parameters and ``{schema}`` where the marts' schema goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol, get_args

from game_market.errors import PipelineError

Target = Literal["duckdb", "snowflake"]
TARGETS: tuple[Target, ...] = get_args(Target)


class WarehouseNotReady(PipelineError):
    """The warehouse cannot be read, or its marts are missing or empty."""


class Reader(Protocol):
    """An open, read-only session on the marts."""

    def tables(self) -> set[str]:
        """The lowercase names of the tables in the marts' schema."""
        ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of ``sql``, its ``{schema}`` filled in and its ``?`` bound to ``params``."""
        ...


class Warehouse(Protocol):
    @property
    def name(self) -> str:
        """Where the marts are, for people: a path or an account's schema, never a secret."""
        ...

    @property
    def fill_commands(self) -> str:
        """The commands that build this warehouse, for errors about missing marts."""
        ...

    def prepare(self) -> None:
        """Make ready for a dbt build that writes the warehouse."""
        ...

    def release(self) -> None:
        """Let go of whatever a dbt build in this process still holds on the warehouse."""
        ...

    def reader(self) -> AbstractContextManager[Reader]:
        """A read-only session on the marts, closed on exit."""
        ...


def check_target(target: str) -> Target:
    """``target`` if it names a warehouse, else one sentence that lists the ones there are."""
    if target not in TARGETS:
        raise PipelineError(
            f"Unknown warehouse target {target!r}: use one of {', '.join(TARGETS)}."
        )
    return target  # type: ignore[return-value]
