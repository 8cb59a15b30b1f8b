"""The cloud warehouse: the marts dbt's snowflake target builds, read with the connector."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from game_market.settings import Settings
from game_market.warehouse import WarehouseNotReady

FILL_COMMANDS = (
    "run `gmp daily --target snowflake` or `gmp backfill --start YYYY-MM-DD --end YYYY-MM-DD "
    "--target snowflake` first"
)
SETTINGS_HINT = "set them in .env or the environment (see .env.example)"


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
    """The schema dbt builds in a Snowflake account (the settings profiles.yml reads too)."""

    account: str | None
    user: str | None
    password: SecretStr | None
    private_key_path: Path | None
    role: str
    warehouse: str
    database: str
    schema: str

    @classmethod
    def from_settings(cls, settings: Settings) -> SnowflakeWarehouse:
        return cls(
            account=settings.snowflake_account,
            user=settings.snowflake_user,
            password=settings.snowflake_password,
            private_key_path=settings.snowflake_private_key_path,
            role=settings.snowflake_role,
            warehouse=settings.snowflake_warehouse,
            database=settings.snowflake_database,
            schema=settings.snowflake_schema,
        )

    @property
    def name(self) -> str:
        return f"snowflake {self.account or '?'}/{self.database}.{self.schema}"

    @property
    def fill_commands(self) -> str:
        return FILL_COMMANDS

    def prepare(self) -> None:
        """Nothing to do: dbt creates the schema, and the on-run-start hook refreshes RAW."""

    def release(self) -> None:
        """Nothing to do: dbt-snowflake closes its connections when the build ends."""

    def _credentials(self) -> dict[str, Any]:
        missing = [
            name
            for name, value in (("SNOWFLAKE_ACCOUNT", self.account), ("SNOWFLAKE_USER", self.user))
            if not value
        ]
        if self.private_key_path is None and self.password is None:
            missing.append("SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH)")
        if missing:
            raise WarehouseNotReady(
                f"Cannot read the Snowflake warehouse without {' and '.join(missing)}: "
                f"{SETTINGS_HINT}."
            )
        if self.private_key_path is not None:
            return {"private_key_file": str(self.private_key_path)}
        assert self.password is not None
        return {"password": self.password.get_secret_value()}

    @contextmanager
    def reader(self) -> Iterator[SnowflakeReader]:
        credentials = self._credentials()
        import snowflake.connector

        try:
            connection = snowflake.connector.connect(
                account=self.account,
                user=self.user,
                role=self.role,
                warehouse=self.warehouse,
                database=self.database,
                schema=self.schema,
                paramstyle="qmark",
                **credentials,
            )
        except snowflake.connector.errors.Error as error:
            reason = re.split(r"[.!]\s", str(error).strip() + " ")[0]
            raise WarehouseNotReady(
                f"Cannot connect to Snowflake account {self.account} as {self.user} ({reason}): "
                f"check the SNOWFLAKE_* settings, {SETTINGS_HINT}."
            ) from error
        try:
            yield SnowflakeReader(connection, self.database, self.schema)
        finally:
            connection.close()
