"""`adapter` for sqlfluff: dispatch to the project's macros, as dbt-duckdb would."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context


def find_macro(context: Context, name: str) -> Any:
    """The macro dbt would dispatch ``name`` to on duckdb, or None."""
    for candidate in (f"duckdb__{name}", f"default__{name}"):
        macro = context.resolve_or_missing(candidate)
        if callable(macro):
            return macro
    return None


@pass_context
def dispatch(context: Context, name: str, macro_namespace: str | None = None) -> Any:
    macro = find_macro(context, name)
    if macro is None:
        raise LookupError(f"no duckdb__{name} or default__{name} macro to dispatch to")
    return macro
