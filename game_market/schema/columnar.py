"""The fast path from raw JSON items to typed columns: msgspec decodes every item of a batch in
one call into structs generated from the endpoint's declarations, skipping each key it does
not type, and Arrow builds the columns from them, dates parsed in Arrow too.

It takes only batches the declared types fit exactly. Any other batch (a value of another
type, an unknown top-level key, an item that is not an object, a null inside a list, a date
in another form) raises ``DoesNotFit`` and goes through ``EndpointSchema.normalize``, the
dict path, which keeps such values in ``_raw`` and counts them as drift. Both give the same
typed columns for the same items (tests/unit/test_schemas.py).

Why: on RAWG-sized pages (40 items of ~8.5 KB) parsing into dicts with orjson and walking
them cost 6.4 ms of CPU per page, this 4.8 ms (one process, medians of 3 alternating runs;
docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import accumulate, chain
from operator import attrgetter
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
from msgspec.structs import astuple

from game_market.schema.declare import DATE, DATETIME, Attr, ListOf, Obj, Scalar

# The lake's Arrow types, as polars writes them (large strings and lists), so a batch read here
# and one read as dicts go into the same Parquet file without a cast.
_TYPE_OF = {int: pa.int64(), float: pa.float64(), str: pa.large_string(), bool: pa.bool_()}
_DATE_LENGTH = 10  # YYYY-MM-DD: the dict path accepts nothing else either
_DATETIME_LENGTH = 19  # YYYY-MM-DDTHH:MM:SS, what RAWG sends; other forms take the dict path


class DoesNotFit(Exception):
    """A batch the declared types do not fit exactly: the dict path takes it."""


def _strings_as(values: Sequence[Any], length: int, fmt: str, unit: str) -> pa.Array:
    strings = pa.array(values, type=pa.string())
    lengths = pc.utf8_length(strings)
    if pc.any(pc.not_equal(lengths, length)).as_py():
        raise DoesNotFit
    try:
        return pc.strptime(strings, format=fmt, unit=unit)
    except pa.ArrowInvalid:
        raise DoesNotFit from None


def _arrow_builder(scalar: Scalar) -> tuple[type, Build]:
    """The Python type msgspec decodes a scalar into, and how Arrow turns its values into its
    column."""
    if scalar is DATE:
        return str, lambda v: _strings_as(v, _DATE_LENGTH, "%Y-%m-%d", "s").cast(pa.date32())
    if scalar is DATETIME:
        return str, lambda v: _strings_as(v, _DATETIME_LENGTH, "%Y-%m-%dT%H:%M:%S", "us")
    if scalar.fast_type in _TYPE_OF:
        arrow_type = _TYPE_OF[scalar.fast_type]
        return scalar.fast_type, lambda v: pa.array(v, type=arrow_type)
    raise TypeError(f"no columnar reading for {scalar}")


# A column builder: the decoded values of one key (one per item) -> its Arrow array.
Build = Callable[[Sequence[Any]], pa.Array]


class ColumnarReader:
    """Reads batches of raw items of one endpoint into an Arrow table of its typed columns."""

    def __init__(self, attrs: Sequence[Attr], raw_only: frozenset[str]) -> None:
        fields: list[tuple[str, Any, Any]] = []
        builds: list[tuple[str, Callable[[Any], Any], Build]] = []
        for index, a in enumerate(attrs):
            if len(a.source) != 1:
                raise TypeError(f"top-level {a.name} must be read from its own key")
            python_type, build = _compile(a.type)
            fields.append(
                (f"f{index}", python_type | None, msgspec.field(default=None, name=a.source[0]))
            )
            builds.append((a.name, attrgetter(f"f{index}"), build))
        # Keys kept only in _raw are known, so they are not drift; Raw skips them cheaply.
        for index, key in enumerate(sorted(raw_only)):
            fields.append((f"r{index}", msgspec.Raw, msgspec.field(default=None, name=key)))
        # gc=False: decoded items hold only values and lists, never a cycle to collect.
        item = msgspec.defstruct("Item", fields, forbid_unknown_fields=True, gc=False)
        self._decoder = msgspec.json.Decoder(item)
        self._builds = builds

    def read(self, raws: Sequence[bytes]) -> pa.Table:
        """The typed columns of ``raws``; raises ``DoesNotFit`` for a batch they do not fit."""
        try:
            # Item by item: joining a batch into one JSON list cost ~0.25 ms a page in copies.
            items = list(map(self._decoder.decode, raws))
            columns = {name: build(list(map(get, items))) for name, get, build in self._builds}
        except (msgspec.ValidationError, msgspec.DecodeError, OverflowError, pa.ArrowException):
            raise DoesNotFit from None
        return pa.table(columns)


def _nulls(values: Sequence[Any]) -> pa.Array | None:
    """The null mask of ``values`` for Arrow, None when nothing is null."""
    if None not in values:
        return None
    return pa.array([v is None for v in values], type=pa.bool_())


def _compile(declared: Scalar | Obj | ListOf) -> tuple[Any, Build]:
    """The struct field type that decodes a declared value, and the builder of its column."""
    if isinstance(declared, Scalar):
        return _arrow_builder(declared)
    if isinstance(declared, Obj):
        return _compile_obj(declared)
    element_type, build_elements = _compile(declared.element)

    def build_list(values: list[Any]) -> pa.Array:
        mask = _nulls(values)
        if mask is None:
            present, lengths = values, map(len, values)
        else:  # a null list takes no room in the elements
            present = [v for v in values if v is not None]
            lengths = (0 if v is None else len(v) for v in values)
        offsets = list(accumulate(lengths, initial=0))
        flat = build_elements(list(chain.from_iterable(present)))
        return pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), flat, mask=mask)

    return list[element_type], build_list


def _compile_obj(declared: Obj) -> tuple[Any, Build]:
    """A struct type for an object whose fields may sit deeper (``platform.id``)."""
    tree: dict[str, Any] = {}
    for f in declared.fields:
        node = tree
        for key in f.source[:-1]:
            node = node.setdefault(key, {})
        node[f.source[-1]] = f
    struct_type, read_leaves = _struct_for(tree, "Obj")
    leaves = list(declared.fields)
    builders = [_arrow_builder(f.type)[1] for f in leaves]
    names = [f.name for f in leaves]

    def build_struct(values: Sequence[Any]) -> pa.Array:
        mask = _nulls(values)
        columns = read_leaves(values)
        arrays = [build(columns[f.source]) for f, build in zip(leaves, builders, strict=True)]
        return pa.StructArray.from_arrays(arrays, names=names, mask=mask)

    return struct_type, build_struct


def _struct_for(
    tree: dict[str, Any], name: str
) -> tuple[Any, Callable[[Sequence[Any]], dict[tuple[str, ...], Sequence[Any]]]]:
    """A struct type for ``tree`` (key -> leaf Attr or subtree) and the reader of its leaves:
    objects -> every leaf's values by source path, None below a missing object."""
    fields = []
    leaves: list[tuple[int, tuple[str, ...]]] = []
    subtrees: list[tuple[int, Any, tuple[str, ...]]] = []
    for index, (key, node) in enumerate(tree.items()):
        if isinstance(node, Attr):
            python_type = _arrow_builder(node.type)[0]
            leaves.append((index, (key,)))
        else:
            python_type, read_sub = _struct_for(node, f"{name}_{key}")
            subtrees.append((index, read_sub, (key,)))
        fields.append((f"f{index}", python_type | None, msgspec.field(default=None, name=key)))
    struct_type = msgspec.defstruct(name, fields, gc=False)
    missing = struct_type()  # stands in for a null object: every key reads as None
    width = len(fields)

    def read(objects: Sequence[Any]) -> dict[tuple[str, ...], Sequence[Any]]:
        if None in objects:
            objects = [missing if o is None else o for o in objects]
        # Field by field in one transposition: ~35% cheaper than a getter per field.
        columns = list(zip(*map(astuple, objects), strict=True)) if objects else [()] * width
        found = {path: columns[index] for index, path in leaves}
        for index, read_sub, path in subtrees:
            for sub_path, values in read_sub(columns[index]).items():
                found[path + sub_path] = values
        return found

    return struct_type, read
