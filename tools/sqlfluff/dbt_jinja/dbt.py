"""`dbt` for sqlfluff: the cross-database macros the models call, in DuckDB SQL.

A project macro named ``duckdb__<name>`` (like our ``duckdb__safe_cast``) wins, as in dbt.
"""

from __future__ import annotations

from typing import Any

from adapter import find_macro
from jinja2 import pass_context
from jinja2.runtime import Context


def _override(context: Context, name: str, *args: Any) -> Any:
    macro = find_macro(context, name)
    return None if macro is None else macro(*args)


@pass_context
def safe_cast(context: Context, field: str, dtype: str) -> str:
    return _override(context, "safe_cast", field, dtype) or f"cast({field} as {dtype})"


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart: str, interval: Any, from_date_or_timestamp: str) -> str:
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_spine(datepart: str, start_date: str, end_date: str) -> str:
    return (
        f"select cast(range as date) as date_{datepart} "
        f"from range({start_date}, {end_date}, interval 1 {datepart})"
    )


def type_bigint() -> str:
    return "bigint"


def type_string() -> str:
    return "varchar"
