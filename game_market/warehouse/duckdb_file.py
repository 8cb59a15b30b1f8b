"""The local warehouse: the DuckDB file dbt-duckdb builds, read in read-only sessions."""

from __future__ import annotations

import fcntl
import logging
import os
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
logger = logging.getLogger(__name__)


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
        self._build_lock: int | None = None

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def fill_commands(self) -> str:
        return FILL_COMMANDS

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.lock")

    def prepare(self) -> None:
        """Wait until no other build or report of ours has the file: DuckDB allows one writer,
        and refuses readers while it writes, so two runs started together take turns instead
        of failing on DuckDB's lock."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._build_lock = self._lock(fcntl.LOCK_EX)
        except OSError as error:
            raise WarehouseNotReady(
                f"Cannot write the warehouse at {self.path} ({error.strerror or error}): point "
                "DUCKDB_PATH at a folder you can write, with free space."
            ) from None
        if not self.path.exists():
            return
        try:
            # Another program (a DuckDB shell, a notebook) can hold the file: say so before dbt
            # fails every model on it one by one.
            duckdb.connect(str(self.path)).close()
        except duckdb.Error as error:
            self.release()
            reason = _first_sentence(error)
            fix = (
                "close the program that has it open"
                if "lock" in reason
                else "move the file away or point DUCKDB_PATH elsewhere"
            )
            raise WarehouseNotReady(
                f"Cannot write the warehouse at {self.path} ({reason}): {fix}, then rerun "
                "(what landed in the lake stays)."
            ) from None

    def release(self) -> None:
        """Close the DuckDB file dbt-duckdb keeps open in this process after a build, then let
        the next build or report have it.

        Its connection manager holds one database per process (no public close), and DuckDB
        refuses a read-only connection (the report) to a file this process has open read-write.
        """
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        with DuckDBConnectionManager._LOCK:
            if DuckDBConnectionManager._ENV is not None:
                DuckDBConnectionManager._ENV.close()
                DuckDBConnectionManager._ENV = None
        lock, self._build_lock = self._build_lock, None
        if lock is not None:
            os.close(lock)

    def _lock(self, kind: int) -> int:
        """An open descriptor holding ``kind`` (shared or exclusive) on the lock file; the
        kernel lets go of it when the descriptor closes or its process dies."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("Waiting for the dbt build writing %s to finish", self.path)
            fcntl.flock(fd, kind)
        return fd

    @contextmanager
    def reader(self) -> Iterator[DuckDBReader]:
        if not self.path.is_file():
            raise WarehouseNotReady(f"No warehouse at {self.path}: {FILL_COMMANDS}.")
        try:
            shared: int | None = self._lock(fcntl.LOCK_SH)
        except OSError:
            shared = None  # a folder no one can write in: no build of ours writes it either
        try:
            with self._connected() as reader:
                yield reader
        finally:
            if shared is not None:
                os.close(shared)

    @contextmanager
    def _connected(self) -> Iterator[DuckDBReader]:
        try:
            connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as error:
            raise WarehouseNotReady(
                f"Cannot open the warehouse at {self.path} read-only ({_first_sentence(error)}): "
                "wait for the dbt build writing it to finish, or rebuild it with `make transform`."
            ) from error
        try:
            yield DuckDBReader(connection)
        finally:
            connection.close()


def _first_sentence(error: duckdb.Error) -> str:
    """DuckDB's first sentence: "Could not set lock on file ...", "... not a valid DuckDB"."""
    return re.split(r"[.!]\s", str(error).strip() + " ")[0]
