"""Snowflake through prefect-snowflake: one ``SnowflakeCredentials`` for every way in.

The credentials come from the ``SnowflakeCredentials`` block named by
``SNOWFLAKE_CREDENTIALS_BLOCK`` when it is set (Prefect Cloud, self-hosted servers), else from
the ``SNOWFLAKE_*`` settings (ECS task definitions, whose secrets arrive as variables). The
report reads the marts through a ``SnowflakeConnector`` built on them, and a snowflake dbt
build gets them as environment variables of its own process only, for the time of the build:
secrets as ``DBT_ENV_SECRET_*``, which dbt scrubs from its logs and never writes to target/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game_market.errors import ConfigError, PipelineError
from game_market.settings import Settings

if TYPE_CHECKING:
    from prefect_snowflake import SnowflakeConnector, SnowflakeCredentials

SETTINGS_HINT = "set them in .env or the environment (see .env.example)"
BLOCK_HINT = "create it with `make snowflake-block` (from the SNOWFLAKE_* settings)"


def credentials_from_settings(settings: Settings, embed_key: bool = False) -> SnowflakeCredentials:
    """The ``SNOWFLAKE_*`` settings as credentials: a private key file, else the password.
    ``embed_key``: the key's contents rather than its path, for a block read elsewhere."""
    from prefect_snowflake import SnowflakeCredentials

    missing = [
        name
        for name, value in (
            ("SNOWFLAKE_ACCOUNT", settings.snowflake_account),
            ("SNOWFLAKE_USER", settings.snowflake_user),
        )
        if not value
    ]
    if settings.snowflake_private_key_path is None and settings.snowflake_password is None:
        missing.append("SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH)")
    if missing:
        raise ConfigError(
            [
                f"Snowflake needs {' and '.join(missing)}: {SETTINGS_HINT}, "
                "or name a SnowflakeCredentials block in SNOWFLAKE_CREDENTIALS_BLOCK."
            ]
        )
    key_path = settings.snowflake_private_key_path
    secret: dict[str, Any] = {"password": settings.snowflake_password}
    if key_path is not None:
        try:
            secret = (
                {"private_key": key_path.read_bytes()}
                if embed_key
                else {"private_key_path": key_path}
            )
        except OSError as error:
            raise ConfigError(
                [
                    f"Cannot read SNOWFLAKE_PRIVATE_KEY_PATH={key_path} ({error.strerror}): "
                    "point it at the PEM file of the Snowflake user's private key."
                ]
            ) from error
        if settings.snowflake_private_key_passphrase is not None:
            secret["private_key_passphrase"] = settings.snowflake_private_key_passphrase
    return SnowflakeCredentials(
        account=settings.snowflake_account,
        user=settings.snowflake_user,
        role=settings.snowflake_role,
        **secret,
    )


def snowflake_credentials(settings: Settings) -> SnowflakeCredentials:
    """The block named by ``SNOWFLAKE_CREDENTIALS_BLOCK``, else the ``SNOWFLAKE_*`` settings.
    A block without a role takes ``SNOWFLAKE_ROLE``."""
    name = settings.snowflake_credentials_block
    if name is None:
        return credentials_from_settings(settings)
    from prefect_snowflake import SnowflakeCredentials

    try:
        # _sync: the daily flow is async, where a bare load() would return a coroutine.
        block = SnowflakeCredentials.load(name, validate=True, _sync=True)
    except ValueError as error:
        raise PipelineError(
            f"No SnowflakeCredentials block named {name!r} on the Prefect server "
            f"(SNOWFLAKE_CREDENTIALS_BLOCK): {BLOCK_HINT}, or unset the setting to use "
            "SNOWFLAKE_* directly."
        ) from error
    if block.role is None:
        block = block.model_copy(update={"role": settings.snowflake_role})
    return block


def snowflake_connector(settings: Settings) -> SnowflakeConnector:
    """A connector on the marts' database and schema, its connections in ``qmark`` style."""
    from prefect_snowflake import SnowflakeConnector

    return SnowflakeConnector(
        credentials=snowflake_credentials(settings),
        database=settings.snowflake_database,
        warehouse=settings.snowflake_warehouse,
        schema=settings.snowflake_schema,
    )


def dbt_credentials_environment(credentials: SnowflakeCredentials) -> dict[str, str]:
    """What transforms/profiles.yml reads for the snowflake target's login."""

    def reveal(value: Any) -> str:
        secret = value.get_secret_value()
        return secret.decode() if isinstance(secret, bytes) else secret

    values: dict[str, str | None] = {
        "SNOWFLAKE_ACCOUNT": credentials.account,
        "SNOWFLAKE_USER": credentials.user,
        "SNOWFLAKE_ROLE": credentials.role,
        "SNOWFLAKE_PRIVATE_KEY_PATH": (
            str(credentials.private_key_path) if credentials.private_key_path else None
        ),
    }
    if credentials.private_key is not None:
        values["DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY"] = reveal(credentials.private_key)
    if credentials.private_key_passphrase is not None:
        values["DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"] = reveal(
            credentials.private_key_passphrase
        )
    key_pair = credentials.private_key is not None or credentials.private_key_path is not None
    if credentials.password is not None and not key_pair:
        values["DBT_ENV_SECRET_SNOWFLAKE_PASSWORD"] = reveal(credentials.password)
    return {name: value for name, value in values.items() if value}


def save_credentials_block(settings: Settings, name: str) -> bool:
    """Create or update the block ``name`` from the ``SNOWFLAKE_*`` settings; True if it is new."""
    from prefect_snowflake import SnowflakeCredentials

    credentials = credentials_from_settings(settings, embed_key=True)
    try:
        SnowflakeCredentials.load(name, validate=False, _sync=True)
        existed = True
    except ValueError:
        existed = False
    credentials.save(name, overwrite=True, _sync=True)
    return not existed
