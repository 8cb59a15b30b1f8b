"""Versioned lake schemas per RAWG endpoint, and the normalizer from API items to typed frames.

Each endpoint's typed columns are declared once, as ``_Field`` trees; the polars schema and the
per-field converters are both derived from that declaration, so they cannot disagree.

No-loss contract: every item becomes exactly one row. A value of an unexpected type, an unknown
top-level field or an item that is not an object never raises: the typed value is null, ``_raw``
keeps the item's full JSON, and the event is counted in ``NormalizedBatch.drift``. Null is legal
everywhere and is never drift; neither are missing fields, nor unknown keys inside nested objects
(RAWG embeds whole platform/genre/store objects of which we type only a few keys).

Bump an endpoint's ``version`` whenever its typed columns change: the lake keeps one folder per
endpoint and readers rely on the version to know which columns to expect.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from typing import Any

import orjson
import polars as pl

# Called for a value that is not of the field's ``fast_type`` (null only for list elements):
# returns the typed value, or None after counting the drift.
_Convert = Callable[[Any, Counter[str]], Any]
# Reads the declared fields of a list of JSON objects (or, for a list of scalars, takes the
# typed elements) into one output list per field.
_ReadFields = Callable[[list[Any], list[list[Any]], Counter[str]], None]

META_COLUMNS: dict[str, pl.DataType] = {
    "_raw": pl.String(),
    "_ingested_at": pl.Datetime("us", "UTC"),
    "_run_id": pl.String(),
    "_page": pl.Int32(),
    "_pos": pl.Int32(),
}

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
# ASCII-only on purpose: ``\d`` would also accept other scripts' digits.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z?")
_NUMERIC_RE = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# Dates and timestamps travel to polars as days / microseconds since the epoch: building
# Date and Datetime Series from Python objects is several times slower than from ints.
_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _count(drift: Counter[str], path: str, expected: str, got: str) -> None:
    drift[f"{path}: expected {expected}, got {got}"] += 1


def _type_name(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- converters for values that miss the fast path ---------------------------------------------
# Each factory binds the drift path once. The fast path is an exact ``type(v) is`` test, which
# also keeps bool out of the numeric columns (bool subclasses int).


def _rejecting(expected: str) -> Callable[[str], _Convert]:
    def factory(path: str) -> _Convert:
        def convert(v: Any, drift: Counter[str]) -> None:
            _count(drift, path, expected, _type_name(v))

        return convert

    return factory


def _int_to_float(v: int, path: str, drift: Counter[str]) -> float | None:
    try:
        return float(v)
    except OverflowError:
        _count(drift, path, "number", "out-of-range int")
        return None


def _to_float(path: str) -> _Convert:
    def convert(v: Any, drift: Counter[str]) -> float | None:
        if type(v) is int:
            return _int_to_float(v, path, drift)
        _count(drift, path, "number", _type_name(v))
        return None

    return convert


def _to_float_or_numeric_str(path: str) -> _Convert:
    # Search results send ``score`` as a string ("6.47", "-0.95").
    def convert(v: Any, drift: Counter[str]) -> float | None:
        if type(v) is int:
            return _int_to_float(v, path, drift)
        if type(v) is str:
            if _NUMERIC_RE.fullmatch(v) and math.isfinite(parsed := float(v)):
                return parsed
            _count(drift, path, "number or numeric string", "non-numeric str")
            return None
        _count(drift, path, "number or numeric string", _type_name(v))
        return None

    return convert


def _to_date(path: str) -> _Convert:
    def convert(v: Any, drift: Counter[str]) -> int | None:
        if type(v) is not str:
            _count(drift, path, "date", _type_name(v))
            return None
        if _DATE_RE.fullmatch(v):
            try:
                return date.fromisoformat(v).toordinal() - _EPOCH_ORDINAL
            except ValueError:
                pass
        _count(drift, path, "date", "unparseable str")
        return None

    return convert


def _to_datetime(path: str) -> _Convert:
    def convert(v: Any, drift: Counter[str]) -> int | None:
        if type(v) is not str:
            _count(drift, path, "datetime", _type_name(v))
            return None
        if _DATETIME_RE.fullmatch(v):
            try:
                # "Z" yields an aware UTC value; the column is naive UTC, like RAWG's own.
                parsed = datetime.fromisoformat(v).replace(tzinfo=None)
                return (parsed - _EPOCH) // _MICROSECOND
            except ValueError:
                pass
        _count(drift, path, "datetime", "unparseable str")
        return None

    return convert


# --- declaration types -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scalar:
    dtype: pl.DataType
    # Values of exactly this type are stored as they are (None: every value is converted).
    # Int64 and String values that polars cannot store are caught when the frame is built.
    fast_type: type | None
    converter: Callable[[str], _Convert]
    storage: pl.DataType | None = None  # what the converters emit, if not ``dtype``


@dataclass(frozen=True)
class _Field:
    name: str  # column or struct-field name in the lake
    type: _Scalar | _Obj | _ListOf
    source: tuple[str, ...]  # keys leading to the value inside the API object


@dataclass(frozen=True)
class _Obj:
    fields: tuple[_Field, ...]  # scalars only: nested objects are flattened via ``source``

    @property
    def dtype(self) -> pl.DataType:
        return pl.Struct({f.name: f.type.dtype for f in self.fields})


@dataclass(frozen=True)
class _ListOf:
    element: _Scalar | _Obj

    @property
    def dtype(self) -> pl.DataType:
        return pl.List(self.element.dtype)


def _f(name: str, type_: _Scalar | _Obj | _ListOf, source: str | None = None) -> _Field:
    """A field read from ``source`` (dotted path, default ``name``) and stored as ``name``."""
    return _Field(name, type_, tuple((source or name).split(".")))


def _obj(*fields: _Field) -> _Obj:
    if not all(isinstance(f.type, _Scalar) for f in fields):
        raise TypeError("struct fields must be scalars; reach nested values through `source`")
    return _Obj(fields)


INT = _Scalar(pl.Int64(), int, _rejecting("int"))
FLOAT = _Scalar(pl.Float64(), float, _to_float)
FLOAT_OR_NUMERIC_STR = _Scalar(pl.Float64(), float, _to_float_or_numeric_str)
STR = _Scalar(pl.String(), str, _rejecting("str"))
BOOL = _Scalar(pl.Boolean(), bool, _rejecting("bool"))
DATE = _Scalar(pl.Date(), None, _to_date, storage=pl.Int32())
DATETIME = _Scalar(pl.Datetime("us"), None, _to_datetime, storage=pl.Int64())

# --- compiled readers --------------------------------------------------------------------------
# A batch is read column by column: each field is fetched from every object with one C-level
# ``map`` and type-checked with one set test, and only a column holding a value of another
# type is walked value by value. The values end up in flat per-field lists, handed to polars
# in bulk (building List(Struct) columns from per-row Python dicts is ~10x slower).

_NONE_TYPE = type(None)
_ONLY_DICTS = frozenset({dict})
_NO_FIELDS: dict[str, Any] = {}  # stands in for a non-object: every field reads as null


def _objects(values: list[Any], path: str, drift: Counter[str]) -> list[dict[str, Any]]:
    """``values`` with each non-object replaced by ``_NO_FIELDS``; only null is not drift."""
    if _ONLY_DICTS.issuperset(map(type, values)):
        return values
    objects = []
    for v in values:
        if isinstance(v, dict):
            objects.append(v)
            continue
        if v is not None:
            _count(drift, path, "object", type(v).__name__)
        objects.append(_NO_FIELDS)
    return objects


def _get(objects: list[dict[str, Any]], key: str) -> list[Any]:
    return list(map(dict.get, objects, repeat(key)))


def _compile_fields(
    fields: Sequence[tuple[int, tuple[str, ...], _Scalar]], path: str
) -> _ReadFields:
    """Reads scalar fields from objects; ``int`` is the index of the field's output list."""
    direct: list[tuple[str, type | None, frozenset[type], _Convert, int]] = []
    through: dict[str, list[tuple[int, tuple[str, ...], _Scalar]]] = {}
    for index, source, scalar in fields:
        key = source[0]
        if len(source) == 1:
            converter = scalar.converter(_join(path, key))
            accepted = frozenset({scalar.fast_type, _NONE_TYPE} - {None})
            direct.append((key, scalar.fast_type, accepted, converter, index))
        else:
            through.setdefault(key, []).append((index, source[1:], scalar))
    # An intermediate object (``platform`` in ``platforms[]``) is checked once, not once per
    # field read through it, so a bad one counts as one drift.
    nested = [(key, _compile_fields(sub, _join(path, key))) for key, sub in through.items()]

    def read(objects: list[dict[str, Any]], outs: list[list[Any]], drift: Counter[str]) -> None:
        for key, fast_type, accepted, convert, index in direct:
            values = _get(objects, key)
            if not accepted.issuperset(map(type, values)):
                values = [
                    v if v is None or type(v) is fast_type else convert(v, drift) for v in values
                ]
            outs[index] = values
        for key, read_sub in nested:
            read_sub(_objects(_get(objects, key), _join(path, key), drift), outs, drift)

    return read


# One column's values on their way to polars, with the drift path of its values.
_Request = tuple[str, list[Any], _Scalar, str]
# Turns the Series built for a column's requests into the staged Series of that column.
_Finish = Callable[[list[pl.Series]], list[pl.Series]]


def _build_series(requests: Sequence[_Request], drift: Counter[str]) -> list[pl.Series]:
    """One Series per request, in order.

    Requests of a scalar type are built as one Series and sliced (zero-copy): each polars
    Series construction costs ~10 us, which would dominate the cost of a 20-item page.
    """
    # Keyed by the _Scalar instance: hashing polars dtypes runs Python code and is slow.
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
    name: str, values: list[Any], scalar: _Scalar, path: str, drift: Counter[str]
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
            _count(drift, path, expected, got)
    return _typed_series(name, values, scalar)


def _typed_series(name: str, values: list[Any], scalar: _Scalar) -> pl.Series:
    if scalar.storage is None:
        return pl.Series(name, values, dtype=scalar.dtype, strict=True)
    return pl.Series(name, values, dtype=scalar.storage, strict=True).cast(scalar.dtype)


def _fits_int64(v: int) -> bool:
    return _INT64_MIN <= v <= _INT64_MAX


def _is_valid_unicode(v: str) -> bool:
    try:
        v.encode()
    except UnicodeEncodeError:
        return False
    return True


def _field_requests(fields: Sequence[_Field], outs: list[list[Any]], prefix: str) -> list[_Request]:
    return [
        (f.name, out, f.type, ".".join((prefix, *f.source)))
        for f, out in zip(fields, outs, strict=True)
    ]


@dataclass(frozen=True)
class _StructColumn:
    name: str
    obj: _Obj
    read_fields: _ReadFields

    def read(self, values: list[Any], drift: Counter[str]) -> tuple[list[bool], list[list[Any]]]:
        outs: list[list[Any]] = [[] for _ in self.obj.fields]
        self.read_fields(_objects(values, self.name, drift), outs, drift)
        return [isinstance(v, dict) for v in values], outs

    def stage(self, buffer: tuple[list[bool], list[list[Any]]]) -> tuple[list[_Request], _Finish]:
        present, outs = buffer

        def finish(fields: list[pl.Series]) -> list[pl.Series]:
            struct = pl.DataFrame(fields).to_struct(self.name)
            return [struct, pl.Series(f"{self.name}#present", present, dtype=pl.Boolean)]

        return _field_requests(self.obj.fields, outs, self.name), finish

    @property
    def expr(self) -> pl.Expr:
        return pl.when(pl.col(f"{self.name}#present")).then(pl.col(self.name)).alias(self.name)


@dataclass(frozen=True)
class _ListColumn:
    name: str
    element: _Scalar | _Obj
    dtype: pl.DataType
    # Element types that need no per-element work, and what to do with any other element:
    # return its typed value, or None (after counting the drift) to leave it out.
    accepted: frozenset[type]
    keep: _Convert
    read_elements: _ReadFields

    @property
    def _fields(self) -> Sequence[_Field]:
        # A list of scalars is stored like a list of one-field structs named "element".
        if isinstance(self.element, _Obj):
            return self.element.fields
        return (_Field("element", self.element, ()),)

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
                _count(drift, self.name, "list", type(v).__name__)
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
    ) -> tuple[list[_Request], _Finish]:
        # polars has no cheap "list column from offsets". Series.reshape nests cheaply but
        # needs equal widths, so each row is padded with nulls to its block's width here,
        # reshaped in ``finish`` and cut back to its length by ``expr``.
        lengths, outs = buffer
        counts = [n or 0 for n in lengths]
        placeholder = len(outs[0])  # index of the null appended to every output below
        index: list[int] = []
        shapes: list[tuple[int, int]] = []
        start = 0
        for first, stop in _blocks(counts):
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
            if isinstance(self.element, _Obj):
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


def _blocks(counts: list[int]) -> list[tuple[int, int]]:
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


def _compile_list(name: str, list_type: _ListOf) -> _ListColumn:
    element = list_type.element
    path = f"{name}[]"
    if isinstance(element, _Obj):
        fields = [(i, f.source, f.type) for i, f in enumerate(element.fields)]

        def keep_object(v: Any, drift: Counter[str]) -> None:
            _count(drift, path, "object", _type_name(v))

        return _ListColumn(
            name, element, list_type.dtype, _ONLY_DICTS, keep_object, _compile_fields(fields, path)
        )

    def take_scalars(elements: list[Any], outs: list[list[Any]], drift: Counter[str]) -> None:
        outs[0] = elements  # already typed: of the accepted type, or converted by ``keep``

    accepted = frozenset({element.fast_type} - {None})
    return _ListColumn(
        name, element, list_type.dtype, accepted, element.converter(path), take_scalars
    )


# --- shared nested shapes ----------------------------------------------------------------------

_ID_NAME_SLUG = _obj(_f("id", INT), _f("name", STR), _f("slug", STR))
_GAME_REF = _obj(_f("id", INT), _f("slug", STR), _f("name", STR), _f("added", INT))
_COMPANY = _obj(_f("id", INT), _f("name", STR), _f("slug", STR), _f("games_count", INT))
_ADDED_BY_STATUS = _obj(
    *(_f(status, INT) for status in ("yet", "owned", "beaten", "toplay", "dropped", "playing"))
)
_RATING = _obj(_f("id", INT), _f("title", STR), _f("count", INT), _f("percent", FLOAT))
_TAG = _obj(
    _f("id", INT), _f("name", STR), _f("slug", STR), _f("language", STR), _f("games_count", INT)
)
# List items wrap the referenced object: {"platform": {...}, "released_at": ...}.
_PLATFORM_RELEASE = _obj(
    _f("platform_id", INT, "platform.id"),
    _f("platform_name", STR, "platform.name"),
    _f("platform_slug", STR, "platform.slug"),
    _f("released_at", DATE),
)
_PARENT_PLATFORM_REF = _obj(
    _f("id", INT, "platform.id"), _f("name", STR, "platform.name"), _f("slug", STR, "platform.slug")
)
_STORE_REF = _obj(
    _f("store_id", INT, "store.id"),
    _f("store_name", STR, "store.name"),
    _f("store_slug", STR, "store.slug"),
)
# In game details the platform's id sits under the key "platform", not "id".
_METACRITIC_PLATFORM = _obj(
    _f("metascore", INT),
    _f("url", STR),
    _f("platform_id", INT, "platform.platform"),
    _f("platform_name", STR, "platform.name"),
    _f("platform_slug", STR, "platform.slug"),
)

# --- endpoints ---------------------------------------------------------------------------------

_GAME_FIELDS: tuple[_Field, ...] = (
    _f("id", INT),
    _f("slug", STR),
    _f("name", STR),
    _f("released", DATE),
    _f("tba", BOOL),
    _f("updated", DATETIME),
    _f("rating", FLOAT),
    _f("rating_top", INT),
    _f("ratings_count", INT),
    _f("reviews_text_count", INT),
    _f("reviews_count", INT),
    _f("added", INT),
    _f("metacritic", INT),
    _f("playtime", INT),
    _f("suggestions_count", INT),
    _f("score", FLOAT_OR_NUMERIC_STR),
    _f("background_image", STR),
    _f("dominant_color", STR),
    _f("saturated_color", STR),
    _f("esrb_rating", _ID_NAME_SLUG),
    _f("added_by_status", _ADDED_BY_STATUS),
    _f("ratings", _ListOf(_RATING)),
    _f("platforms", _ListOf(_PLATFORM_RELEASE)),
    _f("parent_platforms", _ListOf(_PARENT_PLATFORM_REF)),
    _f("genres", _ListOf(_ID_NAME_SLUG)),
    _f("stores", _ListOf(_STORE_REF)),
    _f("tags", _ListOf(_TAG)),
)

_GAME_DETAIL_FIELDS: tuple[_Field, ...] = (
    *(f for f in _GAME_FIELDS if f.name != "score"),
    _f("name_original", STR),
    _f("description_raw", STR),
    _f("website", STR),
    _f("metacritic_url", STR),
    _f("reddit_url", STR),
    _f("alternative_names", _ListOf(STR)),
    _f("screenshots_count", INT),
    _f("movies_count", INT),
    _f("creators_count", INT),
    _f("achievements_count", INT),
    _f("parent_achievements_count", INT),
    _f("additions_count", INT),
    _f("game_series_count", INT),
    _f("parents_count", INT),
    _f("reddit_count", INT),
    _f("twitch_count", INT),
    _f("youtube_count", INT),
    _f("developers", _ListOf(_COMPANY)),
    _f("publishers", _ListOf(_COMPANY)),
    _f("metacritic_platforms", _ListOf(_METACRITIC_PLATFORM)),
)

_CATALOG_FIELDS: tuple[_Field, ...] = (
    _f("id", INT),
    _f("name", STR),
    _f("slug", STR),
    _f("games_count", INT),
    _f("image_background", STR),
    _f("games", _ListOf(_GAME_REF)),
)

_PLATFORM_FIELDS: tuple[_Field, ...] = (
    *_CATALOG_FIELDS[:-1],
    _f("image", STR),
    _f("year_start", INT),
    _f("year_end", INT),
    _CATALOG_FIELDS[-1],
)

_PARENT_PLATFORM_FIELDS: tuple[_Field, ...] = (
    _f("id", INT),
    _f("name", STR),
    _f("slug", STR),
    _f("platforms", _ListOf(_ID_NAME_SLUG)),
)

# Top-level fields RAWG sends that we deliberately keep only in ``_raw``.
_GAME_RAW_ONLY = frozenset({"short_screenshots", "clip", "user_game", "community_rating"})
_GAME_DETAIL_RAW_ONLY = frozenset(
    {
        "description",
        "background_image_additional",
        "reactions",
        "reddit_name",
        "reddit_description",
        "reddit_logo",
        "clip",
        "user_game",
    }
)

# --- public API --------------------------------------------------------------------------------


@dataclass
class NormalizedBatch:
    frame: pl.DataFrame  # exactly the endpoint's polars_schema, one row per item, input order
    # Events per kind: "<path>: expected <type>, got <type>" (e.g. "platforms[].released_at:
    # expected date, got int"), "unknown field: <name>", "item: expected object".
    drift: Counter[str]


@dataclass(frozen=True)
class _Plan:
    scalars: tuple[_Field, ...]
    read_scalars: _ReadFields  # every top-level scalar column, straight from the items
    nested: tuple[_StructColumn | _ListColumn, ...]
    # Turns the staged nested columns (structs + presence, padded lists + lengths) into the
    # typed ones.
    nested_exprs: tuple[pl.Expr, ...]


@dataclass(frozen=True)
class EndpointSchema:
    endpoint: str
    version: int
    columns: dict[str, pl.DataType]
    known_fields: frozenset[str]
    _plan: _Plan = field(repr=False, compare=False)

    @property
    def polars_schema(self) -> pl.Schema:
        return pl.Schema({**self.columns, **META_COLUMNS})

    def normalize(
        self,
        items: Sequence[Mapping[str, Any]],
        *,
        page: int,
        run_id: str,
        ingested_at: datetime,
    ) -> NormalizedBatch:
        """One typed row per item, in input order.

        ``items`` are decoded JSON values; whatever they hold, this does not raise (only a
        naive ``ingested_at`` is refused). ``_pos`` is an item's index in ``items``.
        """
        if ingested_at.tzinfo is None:
            raise ValueError("ingested_at must be timezone-aware")
        plan = self._plan
        drift: Counter[str] = Counter()
        objects = _items_as_objects(items, drift)
        known = self.known_fields
        for obj in objects:
            if not known.issuperset(obj):
                for key in obj:
                    if key not in known:
                        drift[f"unknown field: {key}"] += 1
        scalar_outs: list[list[Any]] = [[] for _ in plan.scalars]
        plan.read_scalars(objects, scalar_outs, drift)
        requests: list[_Request] = [
            (f.name, out, f.type, f.name) for f, out in zip(plan.scalars, scalar_outs, strict=True)
        ]
        finishers: list[tuple[int, int, _Finish]] = []
        for column in plan.nested:
            column_requests, finish = column.stage(column.read(_get(objects, column.name), drift))
            finishers.append((len(requests), len(column_requests), finish))
            requests += column_requests
        # Every value of one scalar type goes to polars in a single Series; the nested columns
        # are then assembled from their slices by one select.
        built = _build_series(requests, drift)
        staged = [series for at, n, finish in finishers for series in finish(built[at : at + n])]
        nested_columns = pl.DataFrame(staged).select_seq(plan.nested_exprs)
        typed = {s.name: s for s in (*built[: len(plan.scalars)], *nested_columns)}
        raws = _dumps_all(items)
        rows = len(raws)
        ingested_us = (ingested_at - _EPOCH_UTC) // _MICROSECOND
        frame = pl.DataFrame(
            [
                *(typed[name] for name in self.columns),
                # Binary then cast skips a decode and re-encode of every item: ~8x faster.
                pl.Series("_raw", raws, dtype=pl.Binary).cast(pl.String),
                pl.Series("_ingested_at", [ingested_us] * rows, dtype=pl.Int64).cast(
                    META_COLUMNS["_ingested_at"]
                ),
                pl.Series("_run_id", [run_id] * rows, dtype=pl.String),
                pl.Series("_page", [page] * rows, dtype=pl.Int32),
                pl.Series("_pos", range(rows), dtype=pl.Int32),
            ]
        )
        return NormalizedBatch(frame=frame, drift=drift)


def _items_as_objects(items: Sequence[Any], drift: Counter[str]) -> list[dict[str, Any]]:
    if _ONLY_DICTS.issuperset(map(type, items)):
        return list(items)
    objects = []
    for item in items:
        if isinstance(item, dict):
            objects.append(item)
        else:
            drift["item: expected object"] += 1
            objects.append(_NO_FIELDS)
    return objects


def _dumps_all(items: Sequence[Any]) -> list[bytes]:
    try:
        return list(map(orjson.dumps, items))
    except orjson.JSONEncodeError:
        return [_dumps(item) for item in items]


def _dumps(item: Any) -> bytes:
    try:
        return orjson.dumps(item)
    except orjson.JSONEncodeError:
        return _dumps_fallback(item).encode()


def _dumps_fallback(value: Any) -> str:
    """JSON for what orjson refuses, iteratively so no nesting depth can overflow the stack.

    orjson refuses ints beyond 64 bits, nesting deeper than 254 and lone surrogates. The output
    is ASCII-escaped, so ``json.loads`` round-trips the exact value.
    """
    parts: list[str] = []
    # Entries are (True, literal text) or (False, a value still to encode).
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack:
        is_text, v = stack.pop()
        if is_text:
            parts.append(v)
        elif isinstance(v, dict):
            todo: list[tuple[bool, Any]] = [(True, "{")]
            for i, (key, element) in enumerate(v.items()):
                todo.append((True, ("," if i else "") + json.dumps(key) + ":"))
                todo.append((False, element))
            todo.append((True, "}"))
            stack.extend(reversed(todo))
        elif isinstance(v, list):
            todo = [(True, "[")]
            for i, element in enumerate(v):
                if i:
                    todo.append((True, ","))
                todo.append((False, element))
            todo.append((True, "]"))
            stack.extend(reversed(todo))
        else:
            parts.append(json.dumps(v))
    return "".join(parts)


def _endpoint(
    endpoint: str,
    version: int,
    fields: tuple[_Field, ...],
    raw_only: frozenset[str] = frozenset(),
) -> EndpointSchema:
    scalars = tuple(f for f in fields if isinstance(f.type, _Scalar))
    nested: dict[str, _StructColumn | _ListColumn] = {}
    for f in fields:
        if isinstance(f.type, _Obj):
            read_fields = _compile_fields(
                [(i, sub.source, sub.type) for i, sub in enumerate(f.type.fields)], f.name
            )
            nested[f.name] = _StructColumn(f.name, f.type, read_fields)
        elif isinstance(f.type, _ListOf):
            nested[f.name] = _compile_list(f.name, f.type)
    plan = _Plan(
        scalars=scalars,
        read_scalars=_compile_fields([(i, f.source, f.type) for i, f in enumerate(scalars)], ""),
        nested=tuple(nested.values()),
        nested_exprs=tuple(column.expr for column in nested.values()),
    )
    return EndpointSchema(
        endpoint=endpoint,
        version=version,
        columns={f.name: f.type.dtype for f in fields},
        known_fields=frozenset(f.name for f in fields) | raw_only,
        _plan=plan,
    )


SCHEMAS: dict[str, EndpointSchema] = {
    schema.endpoint: schema
    for schema in (
        _endpoint("games", 1, _GAME_FIELDS, _GAME_RAW_ONLY),
        _endpoint("game_details", 1, _GAME_DETAIL_FIELDS, _GAME_DETAIL_RAW_ONLY),
        _endpoint("genres", 1, _CATALOG_FIELDS),
        _endpoint("platforms", 1, _PLATFORM_FIELDS),
        _endpoint("parent_platforms", 1, _PARENT_PLATFORM_FIELDS),
        _endpoint("developers", 1, _CATALOG_FIELDS),
        _endpoint("publishers", 1, _CATALOG_FIELDS),
    )
}

SCHEMA_VERSION_BY_ENDPOINT: dict[str, int] = {name: s.version for name, s in SCHEMAS.items()}


def empty_frame(endpoint: str) -> pl.DataFrame:
    """A zero-row frame with the endpoint's exact lake schema."""
    return pl.DataFrame(schema=SCHEMAS[endpoint].polars_schema)
