"""Endpoint schemas compiled from their declarations, and the normalizer they carry.

No-loss contract: every item becomes exactly one row. A value of an unexpected type, an unknown
top-level field or an item that is not an object never raises: the typed value is null, ``_raw``
keeps the item's full JSON, and the event is counted in ``NormalizedBatch.drift``. Null is legal
everywhere and is never drift; neither are missing fields, nor unknown keys inside nested objects
(RAWG embeds whole platform/genre/store objects of which we type only a few keys).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson
import polars as pl
import pyarrow as pa

from game_market.schema.columnar import ColumnarReader, DoesNotFit
from game_market.schema.declare import META_COLUMNS, Attr, ListOf, Obj, Scalar
from game_market.schema.raw_json import dump_items
from game_market.schema.readers import (
    NO_FIELDS,
    ONLY_DICTS,
    Finish,
    ListColumn,
    ReadFields,
    Request,
    StructColumn,
    build_series,
    compile_fields,
    compile_list,
    get_all,
)

# The Arrow types of the columns every row gets besides the endpoint's.
_META = {f.name: f.type for f in pl.DataFrame(schema=META_COLUMNS).to_arrow().schema}


@dataclass
class NormalizedBatch:
    # Exactly the endpoint's arrow_schema, one row per item, input order. Arrow, not polars:
    # the lake writer takes it as it is, where a polars frame cost a conversion each way
    # (~1 ms of CPU a RAWG-sized page, docs/benchmarks.md).
    table: pa.Table
    # Events per kind: "<path>: expected <type>, got <type>" (e.g. "platforms[].released_at:
    # expected date, got int"), "unknown field: <name>", "item: expected object".
    drift: Counter[str]

    @property
    def frame(self) -> pl.DataFrame:
        """The rows as polars, with the endpoint's polars_schema."""
        frame = pl.from_arrow(self.table)
        assert isinstance(frame, pl.DataFrame)
        return frame


@dataclass(frozen=True)
class _Plan:
    scalars: tuple[Attr, ...]
    read_scalars: ReadFields  # every top-level scalar column, straight from the items
    nested: tuple[StructColumn | ListColumn, ...]
    # Turns the staged nested columns (structs + presence, padded lists + lengths) into the
    # typed ones.
    nested_exprs: tuple[pl.Expr, ...]
    columnar: ColumnarReader  # the fast path for items as JSON bytes


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

    def empty_frame(self) -> pl.DataFrame:
        """A zero-row frame with the endpoint's exact lake schema."""
        return pl.DataFrame(schema=self.polars_schema)

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The lake's schema in Arrow: what polars writes for ``polars_schema``."""
        return self.empty_frame().to_arrow().schema

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
        requests: list[Request] = [
            (f.name, out, f.type, f.name) for f, out in zip(plan.scalars, scalar_outs, strict=True)
        ]
        finishers: list[tuple[int, int, Finish]] = []
        for column in plan.nested:
            column_requests, finish = column.stage(
                column.read(get_all(objects, column.name), drift)
            )
            finishers.append((len(requests), len(column_requests), finish))
            requests += column_requests
        # Every value of one scalar type goes to polars in a single Series; the nested columns
        # are then assembled from their slices by one select.
        built = build_series(requests, drift)
        staged = [series for at, n, finish in finishers for series in finish(built[at : at + n])]
        nested_columns = pl.DataFrame(staged).select_seq(plan.nested_exprs)
        typed = {s.name: s for s in (*built[: len(plan.scalars)], *nested_columns)}
        table = pl.DataFrame([typed[name] for name in self.columns]).to_arrow()
        return NormalizedBatch(
            table=self._with_meta(table, dump_items(items), page, run_id, ingested_at),
            drift=drift,
        )

    def normalize_raw(
        self, raws: Sequence[bytes], *, page: int, run_id: str, ingested_at: datetime
    ) -> NormalizedBatch:
        """``normalize`` for items given as their JSON bytes, which ``_raw`` keeps as they came.

        A batch the declared types fit exactly takes the columnar path; any other is parsed
        into dicts for ``normalize``, whose ``_raw`` is orjson's serialization of each item:
        the same bytes for JSON written compactly (as RAWG's and the sandbox's are).
        """
        if ingested_at.tzinfo is None:
            raise ValueError("ingested_at must be timezone-aware")
        try:
            table = self._plan.columnar.read(raws)
        except DoesNotFit:
            items = [orjson.loads(raw) for raw in raws]
            return self.normalize(items, page=page, run_id=run_id, ingested_at=ingested_at)
        return NormalizedBatch(
            table=self._with_meta(table, raws, page, run_id, ingested_at), drift=Counter()
        )

    def _with_meta(
        self,
        typed: pa.Table,
        raws: Sequence[bytes],
        page: int,
        run_id: str,
        ingested_at: datetime,
    ) -> pa.Table:
        rows = len(raws)
        meta = {
            # Binary then cast skips a decode and re-encode of every item.
            "_raw": pa.array(raws, pa.large_binary()).cast(pa.large_string()),
            "_ingested_at": pa.repeat(pa.scalar(ingested_at, _META["_ingested_at"]), rows),
            "_run_id": pa.repeat(pa.scalar(run_id, _META["_run_id"]), rows),
            "_page": pa.repeat(pa.scalar(page, _META["_page"]), rows),
            "_pos": pa.array(range(rows), _META["_pos"]),
        }
        columns = [*typed.columns, *meta.values()]
        return pa.Table.from_arrays(columns, schema=self.arrow_schema)


def _items_as_objects(items: Sequence[Any], drift: Counter[str]) -> list[dict[str, Any]]:
    if ONLY_DICTS.issuperset(map(type, items)):
        return list(items)
    objects = []
    for item in items:
        if isinstance(item, dict):
            objects.append(item)
        else:
            drift["item: expected object"] += 1
            objects.append(NO_FIELDS)
    return objects


def compile_schema(
    endpoint: str,
    version: int,
    attrs: tuple[Attr, ...],
    raw_only: frozenset[str] = frozenset(),
) -> EndpointSchema:
    """Compile an endpoint's declared attributes; ``raw_only`` keys are known but untyped."""
    scalars = tuple(f for f in attrs if isinstance(f.type, Scalar))
    nested: dict[str, StructColumn | ListColumn] = {}
    for f in attrs:
        if isinstance(f.type, Obj):
            read_fields = compile_fields(
                [(i, sub.source, sub.type) for i, sub in enumerate(f.type.fields)], f.name
            )
            nested[f.name] = StructColumn(f.name, f.type, read_fields)
        elif isinstance(f.type, ListOf):
            nested[f.name] = compile_list(f.name, f.type)
    plan = _Plan(
        scalars=scalars,
        read_scalars=compile_fields([(i, f.source, f.type) for i, f in enumerate(scalars)], ""),
        nested=tuple(nested.values()),
        nested_exprs=tuple(column.expr for column in nested.values()),
        columnar=ColumnarReader(attrs, raw_only),
    )
    return EndpointSchema(
        endpoint=endpoint,
        version=version,
        columns={f.name: f.type.dtype for f in attrs},
        known_fields=frozenset(f.name for f in attrs) | raw_only,
        _plan=plan,
    )
