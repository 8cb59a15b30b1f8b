"""The cloud warehouse: the marts dbt's snowflake target builds, read over a connection the
orchestration layer opens (a prefect-snowflake ``SnowflakeConnector``, ``flows/snowflake.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from game_market.warehouse import WarehouseNotReady

FILL_COMMANDS = (
    "run `gmp daily --target snowflake` or `gmp backfill --start YYYY-MM-DD --end YYYY-MM-DD "
    "--target snowflake` first"
)


class SnowflakeReader:
    def __init__(self, connection: Any, database: str, schema: str) -> None:
        self._connection = connection
        self._database = database
        self._schema = schema

    def tables(self) -> set[str]:
        rows = self.rows(
            f"select table_name from {self._database}.information_schema.tables "
            "where table_schema = ?",
            [self._schema.upper()],
        )
        return {str(name).lower() for (name,) in rows}

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql.format(schema=f"{self._database}.{self._schema}"), list(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


@dataclass(frozen=True)
class SnowflakeWarehouse:
    """The schema dbt builds in a Snowflake account. ``connect`` opens a DB-API connection
    with the ``qmark`` paramstyle; it holds the credentials, so it stays out of ``repr``."""

    account: str
    user: str
    database: str
    schema: str
    connect: Callable[[], Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"snowflake {self.account}/{self.database}.{self.schema}"

    @property
    def fill_commands(self) -> str:
        return FILL_COMMANDS

    def prepare(self) -> None:
        """Nothing to do: dbt creates the schema, and the on-run-start hook refreshes RAW."""

    def release(self) -> None:
        """Nothing to do: dbt-snowflake closes its connections when the build ends."""

    @contextmanager
    def reader(self) -> Iterator[SnowflakeReader]:
        import snowflake.connector

        try:
            connection = self.connect()
        except snowflake.connector.errors.Error as error:
            reason = re.split(r"[.!]\s", str(error).strip() + " ")[0]
            raise WarehouseNotReady(
                f"Cannot connect to Snowflake account {self.account} as {self.user} ({reason}): "
                "check the SNOWFLAKE_* settings or the SNOWFLAKE_CREDENTIALS_BLOCK block "
                "(see .env.example)."
            ) from error
        try:
            yield SnowflakeReader(connection, self.database, self.schema)
        finally:
            connection.close()
