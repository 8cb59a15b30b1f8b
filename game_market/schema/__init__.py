"""Lake schemas: the declaration language, and the normalizer from API items to typed frames.

The endpoints themselves are declared in ``game_market.endpoints``.
"""

from __future__ import annotations

from game_market.schema.declare import (
    BOOL,
    DATE,
    DATETIME,
    FLOAT,
    FLOAT_OR_NUMERIC_STR,
    INT,
    META_COLUMNS,
    STR,
    Attr,
    ListOf,
    Obj,
    Scalar,
    attr,
    obj,
)
from game_market.schema.normalize import EndpointSchema, NormalizedBatch, compile_schema

__all__ = [
    "BOOL",
    "DATE",
    "DATETIME",
    "FLOAT",
    "FLOAT_OR_NUMERIC_STR",
    "INT",
    "META_COLUMNS",
    "STR",
    "Attr",
    "EndpointSchema",
    "ListOf",
    "NormalizedBatch",
    "Obj",
    "Scalar",
    "attr",
    "compile_schema",
    "obj",
]
