"""The language endpoint schemas are declared in: typed attributes of RAWG's JSON objects.

An attribute is read from a key path of the API object and stored under a lake name, as a
scalar, a struct of scalars, or a list of either. The polars dtypes and the normalizer's
per-value converters are both derived from one declaration, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from game_market.schema.convert import (
    Convert,
    rejecting,
    to_date,
    to_datetime,
    to_float,
    to_float_or_numeric_str,
)

# Columns every lake table carries after its typed ones.
META_COLUMNS: dict[str, pl.DataType] = {
    "_raw": pl.String(),
    "_ingested_at": pl.Datetime("us", "UTC"),
    "_run_id": pl.String(),
    "_page": pl.Int32(),
    "_pos": pl.Int32(),
}


@dataclass(frozen=True)
class Scalar:
    dtype: pl.DataType
    # Values of exactly this type are stored as they are (None: every value is converted).
    # Int64 and String values that polars cannot store are caught when the frame is built.
    fast_type: type | None
    converter: Callable[[str], Convert]
    storage: pl.DataType | None = None  # what the converters emit, if not ``dtype``


@dataclass(frozen=True)
class Attr:
    name: str  # column or struct-field name in the lake
    type: Scalar | Obj | ListOf
    source: tuple[str, ...]  # keys leading to the value inside the API object


@dataclass(frozen=True)
class Obj:
    fields: tuple[Attr, ...]  # scalars only: nested objects are flattened via ``source``

    @property
    def dtype(self) -> pl.DataType:
        return pl.Struct({f.name: f.type.dtype for f in self.fields})


@dataclass(frozen=True)
class ListOf:
    element: Scalar | Obj

    @property
    def dtype(self) -> pl.DataType:
        return pl.List(self.element.dtype)


def attr(name: str, type_: Scalar | Obj | ListOf, source: str | None = None) -> Attr:
    """An attribute read from ``source`` (dotted path, default ``name``), stored as ``name``."""
    return Attr(name, type_, tuple((source or name).split(".")))


def obj(*fields: Attr) -> Obj:
    if not all(isinstance(f.type, Scalar) for f in fields):
        raise TypeError("struct fields must be scalars; reach nested values through `source`")
    return Obj(fields)


INT = Scalar(pl.Int64(), int, rejecting("int"))
FLOAT = Scalar(pl.Float64(), float, to_float)
FLOAT_OR_NUMERIC_STR = Scalar(pl.Float64(), float, to_float_or_numeric_str)
STR = Scalar(pl.String(), str, rejecting("str"))
BOOL = Scalar(pl.Boolean(), bool, rejecting("bool"))
DATE = Scalar(pl.Date(), None, to_date, storage=pl.Int32())
DATETIME = Scalar(pl.Datetime("us"), None, to_datetime, storage=pl.Int64())
