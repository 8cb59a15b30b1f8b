"""Converters for API values that miss a column's fast path, and the drift they count.

A converter returns the typed value, or None after counting the event in ``drift`` under
"<path>: expected <type>, got <type>". Each factory binds the drift path once. The fast path
(in ``readers``) is an exact ``type(v) is`` test, which also keeps bool out of the numeric
columns (bool subclasses int).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

# Called for a value that is not of the field's ``fast_type`` (null only for list elements):
# returns the typed value, or None after counting the drift.
Convert = Callable[[Any, Counter[str]], Any]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# ASCII-only on purpose: ``\d`` would also accept other scripts' digits.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z?")
_NUMERIC_RE = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# Dates and timestamps travel to polars as days / microseconds since the epoch: building
# Date and Datetime Series from Python objects is several times slower than from ints.
EPOCH = datetime(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()
EPOCH_UTC = EPOCH.replace(tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def count_drift(drift: Counter[str], path: str, expected: str, got: str) -> None:
    drift[f"{path}: expected {expected}, got {got}"] += 1


def type_name(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def rejecting(expected: str) -> Callable[[str], Convert]:
    def factory(path: str) -> Convert:
        def convert(v: Any, drift: Counter[str]) -> None:
            count_drift(drift, path, expected, type_name(v))

        return convert

    return factory


def _int_to_float(v: int, path: str, drift: Counter[str]) -> float | None:
    try:
        return float(v)
    except OverflowError:
        count_drift(drift, path, "number", "out-of-range int")
        return None


def to_float(path: str) -> Convert:
    def convert(v: Any, drift: Counter[str]) -> float | None:
        if type(v) is int:
            return _int_to_float(v, path, drift)
        count_drift(drift, path, "number", type_name(v))
        return None

    return convert


def to_float_or_numeric_str(path: str) -> Convert:
    # Search results send ``score`` as a string ("6.47", "-0.95").
    def convert(v: Any, drift: Counter[str]) -> float | None:
        if type(v) is int:
            return _int_to_float(v, path, drift)
        if type(v) is str:
            if _NUMERIC_RE.fullmatch(v) and math.isfinite(parsed := float(v)):
                return parsed
            count_drift(drift, path, "number or numeric string", "non-numeric str")
            return None
        count_drift(drift, path, "number or numeric string", type_name(v))
        return None

    return convert


def to_date(path: str) -> Convert:
    def convert(v: Any, drift: Counter[str]) -> int | None:
        if type(v) is not str:
            count_drift(drift, path, "date", type_name(v))
            return None
        if _DATE_RE.fullmatch(v):
            try:
                return date.fromisoformat(v).toordinal() - EPOCH_ORDINAL
            except ValueError:
                pass
        count_drift(drift, path, "date", "unparseable str")
        return None

    return convert


def to_datetime(path: str) -> Convert:
    def convert(v: Any, drift: Counter[str]) -> int | None:
        if type(v) is not str:
            count_drift(drift, path, "datetime", type_name(v))
            return None
        if _DATETIME_RE.fullmatch(v):
            try:
                # "Z" yields an aware UTC value; the column is naive UTC, like RAWG's own.
                parsed = datetime.fromisoformat(v).replace(tzinfo=None)
                return (parsed - EPOCH) // MICROSECOND
            except ValueError:
                pass
        count_drift(drift, path, "datetime", "unparseable str")
        return None

    return convert
