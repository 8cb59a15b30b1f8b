"""Snowflake credentials for dbt and the report: from the SNOWFLAKE_* settings or a block's
fields, a password or a key pair, the secrets only ever as DBT_ENV_SECRET_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
import snowflake.connector  # here, not in a test: its import runs `uname -p` once
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dbt.adapters.snowflake.connections import SnowflakeCredentials as DbtSnowflakeCredentials
from prefect_snowflake import SnowflakeCredentials

from flows.snowflake import (
    credentials_from_settings,
    dbt_credentials_environment,
    snowflake_credentials,
)
from game_market.errors import ConfigError, PipelineError
from game_market.settings import load_settings

assert snowflake.connector


def pem_key(passphrase: bytes) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def test_a_password_from_the_settings_reaches_dbt_only_as_a_secret_variable() -> None:
    settings = load_settings(
        snowflake_account="xy1", snowflake_user="dbt", snowflake_password="hunter2"
    )

    # Without SNOWFLAKE_CREDENTIALS_BLOCK, the settings are the credentials.
    env = dbt_credentials_environment(snowflake_credentials(settings))

    assert env == {
        "SNOWFLAKE_ACCOUNT": "xy1",
        "SNOWFLAKE_USER": "dbt",
        "SNOWFLAKE_ROLE": "TRANSFORMER",
        "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": "hunter2",
    }
    assert "hunter2" not in str(settings.dbt_environment())


def test_a_blocks_key_pair_reaches_dbt_as_secret_variables_dbt_snowflake_accepts() -> None:
    block = SnowflakeCredentials(
        account="xy1",
        user="dbt",
        role="LOADER",
        private_key=pem_key(b"open sesame"),
        private_key_passphrase="open sesame",
    )

    env = dbt_credentials_environment(block)

    assert set(env) == {
        "SNOWFLAKE_ACCOUNT",
        "SNOWFLAKE_USER",
        "SNOWFLAKE_ROLE",
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY",
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE",
    }
    assert env["SNOWFLAKE_ROLE"] == "LOADER"
    # What transforms/profiles.yml hands dbt-snowflake from them: it decrypts the key.
    dbt_credentials = DbtSnowflakeCredentials(
        account=env["SNOWFLAKE_ACCOUNT"],
        user=env["SNOWFLAKE_USER"],
        database="GAME_MARKET",
        schema="ANALYTICS",
        private_key=env["DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY"],
        private_key_passphrase=env["DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"],
    )
    assert dbt_credentials.auth_args()["private_key"].startswith(b"0\x82")  # DER, decrypted


def test_a_key_file_is_passed_by_path_and_embedded_in_a_block(tmp_path: Path) -> None:
    key = tmp_path / "rsa_key.p8"
    key.write_bytes(pem_key(b"pp"))
    settings = load_settings(
        snowflake_account="xy1",
        snowflake_user="dbt",
        snowflake_password="ignored-with-a-key",
        snowflake_private_key_path=str(key),
        snowflake_private_key_passphrase="pp",
    )

    by_path = dbt_credentials_environment(credentials_from_settings(settings))
    embedded = credentials_from_settings(settings, embed_key=True)

    assert by_path["SNOWFLAKE_PRIVATE_KEY_PATH"] == str(key)
    assert "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD" not in by_path
    assert embedded.private_key is not None and embedded.private_key_path is None
    assert embedded.private_key.get_secret_value() == key.read_bytes()
    assert embedded.resolve_private_key() is not None


def test_an_unreadable_key_file_is_one_sentence_naming_the_setting(tmp_path: Path) -> None:
    settings = load_settings(
        snowflake_account="xy1",
        snowflake_user="dbt",
        snowflake_private_key_path=str(tmp_path / "missing.p8"),
    )

    with pytest.raises(ConfigError) as raised:
        credentials_from_settings(settings, embed_key=True)

    assert str(raised.value).startswith(f"Cannot read SNOWFLAKE_PRIVATE_KEY_PATH={tmp_path}")
    assert str(raised.value).endswith("private key.")


def test_a_block_name_must_be_one_prefect_accepts() -> None:
    with pytest.raises(PipelineError, match="SNOWFLAKE_CREDENTIALS_BLOCK"):
        load_settings(snowflake_credentials_block="My Block")
    assert load_settings(snowflake_credentials_block=" ").snowflake_credentials_block is None
