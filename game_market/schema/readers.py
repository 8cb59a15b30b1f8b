"""Compiled readers: a batch of API objects read column by column into typed polars Series.

Each field is fetched from every object with one C-level ``map`` and type-checked with one set
test, and only a column holding a value of another type is walked value by value. The values end
up in flat per-field lists, handed to polars in bulk (building List(Struct) columns from per-row
Python dicts is ~10x slower).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import polars as pl

from game_market.schema.convert import (
    INT64_MAX,
    INT64_MIN,
    Convert,
    count_drift,
    join_path,
    type_name,
)
from game_market.schema.declare import Attr, ListOf, Obj, Scalar

# Reads the declared fields of a list of JSON objects (or, for a list of scalars, takes the
# typed elements) into one output list per field.
ReadFields = Callable[[list[Any], list[list[Any]], Counter[str]], None]
_NONE_TYPE = type(None)
ONLY_DICTS = frozenset({dict})
NO_FIELDS: dict[str, Any] = {}  # stands in for a non-object: every field reads as null


def as_objects(values: list[Any], path: str, drift: Counter[str]) -> list[dict[str, Any]]:
    """``values`` with each non-object replaced by ``NO_FIELDS``; only null is not drift."""
    if ONLY_DICTS.issuperset(map(type, values)):
        return values
    objects = []
    for v in values:
        if isinstance(v, dict):
            objects.append(v)
            continue
        if v is not None:
            count_drift(drift, path, "object", type(v).__name__)
        objects.append(NO_FIELDS)
    return objects


def get_all(objects: list[dict[str, Any]], key: str) -> list[Any]:
    return list(map(dict.get, objects, repeat(key)))


def compile_fields(fields: Sequence[tuple[int, tuple[str, ...], Scalar]], path: str) -> ReadFields:
    """Reads scalar fields from objects; ``int`` is the index of the field's output list."""
    direct: list[tuple[str, type | None, frozenset[type], Convert, int]] = []
    through: dict[str, list[tuple[int, tuple[str, ...], Scalar]]] = {}
    for index, source, scalar in fields:
        key = source[0]
        if len(source) == 1:
            converter = scalar.converter(join_path(path, key))
            accepted = frozenset({scalar.fast_type, _NONE_TYPE} - {None})
            direct.append((key, scalar.fast_type, accepted, converter, index))
        else:
            through.setdefault(key, []).append((index, source[1:], scalar))
    # An intermediate object (``platform`` in ``platforms[]``) is checked once, not once per
    # field read through it, so a bad one counts as one drift.
    nested = [(key, compile_fields(sub, join_path(path, key))) for key, sub in through.items()]

    def read(objects: list[dict[str, Any]], outs: list[list[Any]], drift: Counter[str]) -> None:
        for key, fast_type, accepted, convert, index in direct:
            values = get_all(objects, key)
            if not accepted.issuperset(map(type, values)):
                values = [
                    v if v is None or type(v) is fast_type else convert(v, drift) for v in values
                ]
            outs[index] = values
        for key, read_sub in nested:
            read_sub(as_objects(get_all(objects, key), join_path(path, key), drift), outs, drift)

    return read


# One column's values on their way to polars, with the drift path of its values.
Request = tuple[str, list[Any], Scalar, str]
# Turns the Series built for a column's requests into the staged Series of that column.
Finish = Callable[[list[pl.Series]], list[pl.Series]]


def build_series(requests: Sequence[Request], drift: Counter[str]) -> list[pl.Series]:
    """One Series per request, in order.

    Requests of a scalar type are built as one Series and sliced (zero-copy): each polars
    Series construction costs ~10 us, which would dominate the cost of a 20-item page.
    """
    # Keyed by the Scalar instance: hashing polars dtypes runs Python code and is slow.
    by_scalar: dict[int, list[int]] = {}
    for i, (_, _, scalar, _) in enumerate(requests):
        by_scalar.setdefault(id(scalar), []).append(i)
    built: list[pl.Series] = [pl.Series()] * len(requests)
    for indices in by_scalar.values():
        scalar = requests[indices[0]][2]
        merged: list[Any] = []
        for i in indices:
            merged += requests[i][1]
        try:
            whole = _typed_series("", merged, scalar)
        except (TypeError, UnicodeEncodeError):
            for i in indices:
                built[i] = _series_dropping_unstorable(*requests[i], drift)
            continue
        offset = 0
        for i in indices:
            name, values = requests[i][0], requests[i][1]
            built[i] = whole.slice(offset, len(values)).alias(name)
            offset += len(values)
    return built


def _series_dropping_unstorable(
    name: str, values: list[Any], scalar: Scalar, path: str, drift: Counter[str]
) -> pl.Series:
    # Rare: the fast path stored an int beyond Int64 or a str with a lone surrogate (only
    # ``json.loads`` yields those), which polars refuses. Null them and count the drift;
    # anything else polars refuses is a converter bug and raises below.
    if scalar.fast_type is int:
        accepts, expected, got = _fits_int64, "int", "out-of-range int"
    else:
        accepts, expected, got = _is_valid_unicode, "str", "str with lone surrogate"
    for i, v in enumerate(values):
        if v is not None and not accepts(v):
            values[i] = None
            count_drift(drift, path, expected, got)
    return _typed_series(name, values, scalar)


def _typed_series(name: str, values: list[Any], scalar: Scalar) -> pl.Series:
    if scalar.storage is None:
        return pl.Series(name, values, dtype=scalar.dtype, strict=True)
    return pl.Series(name, values, dtype=scalar.storage, strict=True).cast(scalar.dtype)


def _fits_int64(v: int) -> bool:
    return INT64_MIN <= v <= INT64_MAX


def _is_valid_unicode(v: str) -> bool:
    try:
        v.encode()
    except UnicodeEncodeError:
        return False
    return True


def _field_requests(fields: Sequence[Attr], outs: list[list[Any]], prefix: str) -> list[Request]:
    return [
        (f.name, out, f.type, ".".join((prefix, *f.source)))
        for f, out in zip(fields, outs, strict=True)
    ]


@dataclass(frozen=True)
class StructColumn:
    name: str
    obj: Obj
    read_fields: ReadFields

    def read(self, values: list[Any], drift: Counter[str]) -> tuple[list[bool], list[list[Any]]]:
        outs: list[list[Any]] = [[] for _ in self.obj.fields]
        self.read_fields(as_objects(values, self.name, drift), outs, drift)
        return [isinstance(v, dict) for v in values], outs

    def stage(self, buffer: tuple[list[bool], list[list[Any]]]) -> tuple[list[Request], Finish]:
        present, outs = buffer

        def finish(fields: list[pl.Series]) -> list[pl.Series]:
            struct = pl.DataFrame(fields).to_struct(self.name)
            return [struct, pl.Series(f"{self.name}#present", present, dtype=pl.Boolean)]

        return _field_requests(self.obj.fields, outs, self.name), finish

    @property
    def expr(self) -> pl.Expr:
        return pl.when(pl.col(f"{self.name}#present")).then(pl.col(self.name)).alias(self.name)


@dataclass(frozen=True)
class ListColumn:
    name: str
    element: Scalar | Obj
    dtype: pl.DataType
    # Element types that need no per-element work, and what to do with any other element:
    # return its typed value, or None (after counting the drift) to leave it out.
    accepted: frozenset[type]
    keep: Convert
    read_elements: ReadFields

    @property
    def _fields(self) -> Sequence[Attr]:
        # A list of scalars is stored like a list of one-field structs named "element".
        if isinstance(self.element, Obj):
            return self.element.fields
        return (Attr("element", self.element, ()),)

    def read(
        self, values: list[Any], drift: Counter[str]
    ) -> tuple[list[int | None], list[list[Any]]]:
        lengths: list[int | None] = []
        elements: list[Any] = []
        for v in values:
            if type(v) is list:
                lengths.append(len(v))
                elements += v
                continue
            if v is not None:
                count_drift(drift, self.name, "list", type(v).__name__)
            lengths.append(None)
        if not self.accepted.issuperset(map(type, elements)):
            lengths, elements = self._typed_elements(values, lengths, drift)
        outs: list[list[Any]] = [[] for _ in self._fields]
        self.read_elements(elements, outs, drift)
        return lengths, outs

    def _typed_elements(
        self, values: list[Any], lengths: list[int | None], drift: Counter[str]
    ) -> tuple[list[int | None], list[Any]]:
        # Elements of a wrong type (null included) are left out of the typed list and
        # counted; ``_raw`` still has them.
        kept_lengths: list[int | None] = []
        kept: list[Any] = []
        for v, length in zip(values, lengths, strict=True):
            if length is None:
                kept_lengths.append(None)
                continue
            before = len(kept)
            for element in v:
                if type(element) in self.accepted:
                    kept.append(element)
                elif (typed := self.keep(element, drift)) is not None:
                    kept.append(typed)
            kept_lengths.append(len(kept) - before)
        return kept_lengths, kept

    def stage(
        self, buffer: tuple[list[int | None], list[list[Any]]]
    ) -> tuple[list[Request], Finish]:
        # polars has no cheap "list column from offsets". Series.reshape nests cheaply but
        # needs equal widths, so each row is padded with nulls to its block's width here,
        # reshaped in ``finish`` and cut back to its length by ``expr``.
        lengths, outs = buffer
        counts = [n or 0 for n in lengths]
        placeholder = len(outs[0])  # index of the null appended to every output below
        index: list[int] = []
        shapes: list[tuple[int, int]] = []
        start = 0
        for first, stop in pad_blocks(counts):
            width = max(1, max(counts[first:stop], default=0))
            for count in counts[first:stop]:
                index += range(start, start + count)
                index += [placeholder] * (width - count)
                start += count
            shapes.append((stop - first, width))
        padded = []
        for out in outs:
            out.append(None)
            padded.append(list(map(out.__getitem__, index)))

        def finish(fields: list[pl.Series]) -> list[pl.Series]:
            if isinstance(self.element, Obj):
                flat = pl.DataFrame(fields).to_struct(self.name)
            else:
                flat = fields[0].alias(self.name)
            parts = []
            offset = 0
            for rows, width in shapes:
                block = flat.slice(offset, rows * width)
                parts.append(block.reshape((rows, width)).cast(self.dtype))
                offset += rows * width
            nested = pl.concat(parts) if len(parts) > 1 else parts[0]
            return [nested, pl.Series(f"{self.name}#len", lengths, dtype=pl.Int32)]

        return _field_requests(self._fields, padded, f"{self.name}[]"), finish

    @property
    def expr(self) -> pl.Expr:
        length = pl.col(f"{self.name}#len")
        head = pl.col(self.name).list.head(length)
        return pl.when(length.is_not_null()).then(head).alias(self.name)


def pad_blocks(counts: list[int]) -> list[tuple[int, int]]:
    """Row ranges [first, stop) to pad to a common width.

    A block only grows while its padded size stays within ~4x its elements, so one very long
    list cannot widen every row of a large batch.
    """
    blocks = []
    first = width = elements = 0
    for row, count in enumerate(counts):
        grown = max(width, count)
        if row > first and (row - first + 1) * grown > 4 * (elements + count) + 64:
            blocks.append((first, row))
            first, grown, elements = row, count, 0
        width, elements = grown, elements + count
    blocks.append((first, len(counts)))
    return blocks


def compile_list(name: str, list_type: ListOf) -> ListColumn:
    element = list_type.element
    path = f"{name}[]"
    if isinstance(element, Obj):
        fields = [(i, f.source, f.type) for i, f in enumerate(element.fields)]

        def keep_object(v: Any, drift: Counter[str]) -> None:
            count_drift(drift, path, "object", type_name(v))

        return ListColumn(
            name, element, list_type.dtype, ONLY_DICTS, keep_object, compile_fields(fields, path)
        )

    def take_scalars(elements: list[Any], outs: list[list[Any]], drift: Counter[str]) -> None:
        outs[0] = elements  # already typed: of the accepted type, or converted by ``keep``

    accepted = frozenset({element.fast_type} - {None})
    return ListColumn(
        name, element, list_type.dtype, accepted, element.converter(path), take_scalars
    )
