"""Compares the marts of two DuckDB warehouses row for row.

A change to the dbt project that must leave the marts as they were is checked by building the
same lake with the project before and after it, then running

    .venv/bin/python tools/compare_marts.py before.duckdb after.duckdb
        [--renamed old=new ...] [--added name ...]

Every `dim_`, `fct_`, `agg_` and `mart_` relation of the first warehouse is compared with the
relation of the same name in the second (or its new name, `--renamed`), both ways with
`except all`; a relation missing from either side (unless the change added it, `--added`), or
a row in one but not the other, fails.

Floating-point columns are compared to 9 decimal places: a parallel sum adds in no fixed
order, so two builds of the same rows can differ in the last bits. The two files need
different names (`before.duckdb`, `after.duckdb`): dbt names a warehouse's catalog after its
file, and its views read their tables through that name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

MART_PREFIXES = ("dim_", "fct_", "agg_", "mart_")


@dataclass(frozen=True)
class Compared:
    before: str
    after: str
    before_rows: int
    after_rows: int
    only_before: int
    only_after: int

    @property
    def same(self) -> bool:
        return self.only_before == 0 and self.only_after == 0


def relations(
    con: duckdb.DuckDBPyConnection, catalog: str, also: Collection[str] = ()
) -> list[str]:
    """The warehouse's mart relations, tables and views alike, by name, and those named in
    `also` (a mart's old name may not have been a mart's)."""
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = 'main' order by table_name",
            [catalog],
        ).fetchall()
        if name.startswith(MART_PREFIXES) or name in also
    ]


def rounded(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str:
    """The relation as a subquery, its floating-point columns rounded."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'main' and table_name = ? "
        "order by ordinal_position",
        [catalog, table],
    ).fetchall()
    select = ", ".join(
        f'round("{name}", 9) as "{name}"' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind in columns
    )
    return f'(select {select} from {catalog}.main."{table}")'


def compare_relation(
    con: duckdb.DuckDBPyConnection, first: tuple[str, str], second: tuple[str, str]
) -> tuple[int, int, int, int]:
    """Rows of each (catalog, relation), and the rows only the first holds, then only the
    second."""
    a, b = rounded(con, *first), rounded(con, *second)
    counts = con.execute(
        f"""
        select
            (select count(*) from {a}),
            (select count(*) from {b}),
            (select count(*) from (select * from {a} except all select * from {b})),
            (select count(*) from (select * from {b} except all select * from {a}))
        """
    ).fetchone()
    assert counts is not None
    first_rows, second_rows, only_first, only_second = (int(n) for n in counts)
    return first_rows, second_rows, only_first, only_second


def compare(
    before: Path, after: Path, renamed: dict[str, str], added: set[str]
) -> tuple[list[Compared], list[str]]:
    """Each mart of `before` against its counterpart in `after`, and the names found on one
    side only (but for those `added`)."""
    con = duckdb.connect()
    con.execute(f"attach '{before}' as \"{before.stem}\" (read_only)")
    con.execute(f"attach '{after}' as \"{after.stem}\" (read_only)")
    before_names = relations(con, before.stem, also=renamed)
    after_names = set(relations(con, after.stem))
    pairs = [(name, renamed.get(name, name)) for name in before_names]
    unmatched = [f"{name} (before)" for name, new in pairs if new not in after_names]
    unpaired = after_names - {new for _, new in pairs} - added
    unmatched += [f"{name} (after)" for name in sorted(unpaired)]
    results = []
    for old, new in pairs:
        if new not in after_names:
            continue
        counts = compare_relation(con, (before.stem, old), (after.stem, new))
        results.append(Compared(old, new, *counts))
    con.close()
    return results, unmatched


def renaming(pair: str) -> tuple[str, str]:
    old, sep, new = pair.partition("=")
    if not sep or not old or not new:
        raise argparse.ArgumentTypeError(f"{pair!r} is not old=new: write --renamed old=new.")
    return old, new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the warehouse built before the change")
    parser.add_argument("after", type=Path, help="the warehouse built after it")
    parser.add_argument(
        "--renamed",
        type=renaming,
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="a mart the change renamed (repeat for each)",
    )
    parser.add_argument(
        "--added",
        action="append",
        default=[],
        metavar="NAME",
        help="a mart the change added, with nothing to compare it to (repeat for each)",
    )
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.is_file():
            parser.error(f"{path} is no warehouse file: build it with dbt first.")
    if args.before.stem == args.after.stem:
        parser.error(
            f"both warehouses are named {args.before.stem!r}: build one under another file name."
        )
    results, unmatched = compare(args.before, args.after, dict(args.renamed), set(args.added))
    header = ("before", "after", "rows", "rows after", "only before", "only after")
    print("{:<36}{:<36}{:>12}{:>12}{:>13}{:>12}".format(*header))
    for r in results:
        print(
            f"{r.before:<36}{r.after:<36}{r.before_rows:>12,}{r.after_rows:>12,}"
            f"{r.only_before:>13,}{r.only_after:>12,}"
        )
    differing = [r.before for r in results if not r.same]
    for name in unmatched:
        print(f"no counterpart: {name}")
    print(
        f"{len(results)} marts compared: "
        + ("all the same" if not differing and not unmatched else "DIFFERENT")
    )
    return 1 if differing or unmatched else 0


if __name__ == "__main__":
    sys.exit(main())
