"""The local warehouse: the DuckDB file dbt-duckdb builds, read in read-only sessions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from game_market.warehouse import WarehouseNotReady

FILL_COMMANDS = (
    "run `make demo` (offline) or `gmp daily` / `gmp backfill --start YYYY-MM-DD "
    "--end YYYY-MM-DD` first"
)
SCHEMA = "main"  # where dbt-duckdb builds the models


class DuckDBReader:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection

    def tables(self) -> set[str]:
        return {
            name.lower()
            for (name,) in self._connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_catalog = current_database()",
                [SCHEMA],
            ).fetchall()
        }

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql.format(schema=SCHEMA), list(params)).fetchall()


class DuckDBWarehouse:
    """The warehouse file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def fill_commands(self) -> str:
        return FILL_COMMANDS

    def prepare(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def release(self) -> None:
        """Close the DuckDB file dbt-duckdb keeps open in this process after a build.

        Its connection manager holds one database per process (no public close), and DuckDB
        refuses a read-only connection (the report) to a file this process has open read-write.
        """
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None

    @contextmanager
    def reader(self) -> Iterator[DuckDBReader]:
        if not self.path.is_file():
            raise WarehouseNotReady(f"No warehouse at {self.path}: {FILL_COMMANDS}.")
        try:
            connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as error:
            # DuckDB's first sentence: "Could not set lock on file ...", "... not a valid DuckDB".
            reason = re.split(r"[.!]\s", str(error).strip() + " ")[0]
            raise WarehouseNotReady(
                f"Cannot open the warehouse at {self.path} read-only ({reason}): wait for the dbt "
                f"build writing it to finish, or rebuild it with `make transform`."
            ) from error
        try:
            yield DuckDBReader(connection)
        finally:
            connection.close()
