"""Runtime settings, read once from the environment and ``.env`` and passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from game_market.errors import ConfigError

RAWG_API_URL = "https://api.rawg.io/api"
# The same text as the defaults of transforms/ (profiles.yml, the sources' LAKE_URL), so a
# flow's build and `make transform` render one project and share dbt's partial parse.
DEFAULT_DUCKDB_PATH = "./data/warehouse/game_market.duckdb"
DEFAULT_LAKE_URL = "./data/lake"
SNOWFLAKE_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
API_KEY_HELP = (
    "RAWG_API_KEY is not set: get a free key at https://rawg.io/apidocs and put it in .env "
    "(see .env.example), or run `make demo` to use the offline sandbox."
)


class Settings(BaseSettings):
    """Every knob of the pipeline; the environment variable is the field name in capitals."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    rawg_api_key: SecretStr | None = Field(
        default=None,
        description="RAWG API key: free at https://rawg.io/apidocs (20,000 requests a month). "
        "Never commit it.",
    )
    rawg_base_url: str = Field(
        default=RAWG_API_URL,
        description="RAWG's API root; the sandbox's (`make sandbox`: http://127.0.0.1:8765/api) "
        "runs offline.",
    )
    rawg_max_concurrency: int = Field(
        default=8, ge=1, le=64, description="RAWG requests in flight at once in one process (1-64)."
    )
    rawg_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="Seconds before one RAWG request times out."
    )
    rawg_max_retries: int = Field(
        default=5,
        ge=0,
        le=20,
        description="Retries of one RAWG request after a 429, a 5xx or a timeout (0-20).",
    )
    rawg_retry_budget_seconds: float = Field(
        default=120.0,
        ge=0,
        le=3600,
        description="Seconds a failing RAWG request keeps retrying: rides out an outage this long.",
    )
    lake_url: str = Field(
        default=DEFAULT_LAKE_URL,
        description="Where the Parquet lake lives: a local folder, or s3://bucket/prefix "
        "(S3 or MinIO).",
    )
    # The text as written, not a Path: dbt keeps its partial parse only while the profile
    # renders the same, and Path("./data/x") gives dbt "data/x" where `make transform` gives
    # "./data/x".
    duckdb_path: str = Field(
        default=DEFAULT_DUCKDB_PATH,
        description="The DuckDB warehouse file that dbt's duckdb target builds and the report "
        "reads.",
    )
    # Each flow's timeout_seconds (flows/timeouts.py): a run still going after it ends TimedOut.
    daily_timeout_seconds: float = Field(
        default=7200,
        gt=0,
        description="Seconds before a daily update run ends TimedOut.",
    )
    backfill_timeout_seconds: float = Field(
        default=43200, gt=0, description="Seconds before a backfill run ends TimedOut."
    )
    ingest_timeout_seconds: float = Field(
        default=3600,
        gt=0,
        description="Seconds before an ingest-endpoint or ingest-all run ends TimedOut.",
    )
    build_timeout_seconds: float = Field(
        default=3600, gt=0, description="Seconds before a dbt build subflow run ends TimedOut."
    )
    aws_endpoint_url_s3: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
        description="An S3-compatible store's API, such as MinIO's http://localhost:9000; unset "
        "for AWS S3.",
    )
    aws_access_key_id: str | None = Field(
        default=None,
        description="The lake's S3 access key; unset: the AWS default chain (profile, role).",
    )
    aws_secret_access_key: SecretStr | None = Field(
        default=None, description="The secret of AWS_ACCESS_KEY_ID."
    )
    aws_session_token: SecretStr | None = Field(
        default=None, description="The session token of temporary AWS credentials."
    )
    aws_region: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
        description="The lake bucket's AWS region.",
    )
    # The Snowflake warehouse (dbt's snowflake target, read by the report). Credentials come
    # from the Prefect SnowflakeCredentials block named here when set, else from the variables
    # below (a private key file, when set, instead of the password): flows/snowflake.py.
    snowflake_credentials_block: str | None = Field(
        default=None,
        description="The Prefect SnowflakeCredentials block of the login "
        "(make snowflake-block); unset: SNOWFLAKE_*.",
    )
    snowflake_account: str | None = Field(
        default=None, description="Snowflake account identifier (<org>-<account>)."
    )
    snowflake_user: str | None = Field(
        default=None, description="The Snowflake user dbt and the report log in as."
    )
    snowflake_password: SecretStr | None = Field(
        default=None, description="Its password, when no private key is set."
    )
    snowflake_private_key_path: Path | None = Field(
        default=None,
        description="A PEM private key file for key-pair login, used instead of the password.",
    )
    snowflake_private_key_passphrase: SecretStr | None = Field(
        default=None, description="The passphrase of an encrypted private key."
    )
    snowflake_role: str = Field(default="TRANSFORMER", description="The Snowflake role dbt uses.")
    snowflake_warehouse: str = Field(
        default="GAME_MARKET_WH", description="The Snowflake warehouse (compute) dbt uses."
    )
    snowflake_database: str = Field(
        default="GAME_MARKET", description="The Snowflake database of the models."
    )
    snowflake_schema: str = Field(
        default="ANALYTICS", description="The schema the models are built in."
    )
    # Where the automations of gmp/automations.yaml send their alerts (gmp/alerts.py):
    # one of a Prefect notification block named "<block-type>/<name>" (Slack, email, ...), a
    # generic JSON webhook, or Slack's incoming webhook. None: the automations stay disabled.
    alert_block: str | None = Field(
        default=None,
        description="A Prefect notification block for the alerts, as <block-type>/<name> "
        "(slack-webhook/on-call).",
    )
    alert_webhook_url: SecretStr | None = Field(
        default=None,
        description='A webhook that receives each alert as a JSON POST of {"subject", "body", '
        '"text"}.',
    )
    alert_slack_webhook_url: SecretStr | None = Field(
        default=None, description="A Slack incoming-webhook URL that receives the alerts."
    )
    # Replaces the daily-run-overdue automation's window (26 h as declared); Prefect's least is 10.
    alert_daily_within_seconds: int | None = Field(
        default=None,
        ge=10,
        description="Seconds without a completed daily run before the overdue alert; unset: "
        "93600 (26 hours).",
    )

    @field_validator("alert_block")
    @classmethod
    def _alert_block(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z0-9-]+/[a-z0-9][a-z0-9-]*", value):
            raise ValueError(
                "must name a Prefect notification block as <block-type>/<name>, such as "
                "slack-webhook/on-call"
            )
        return value

    @field_validator(
        "rawg_api_key",
        "snowflake_credentials_block",
        "snowflake_account",
        "snowflake_user",
        "snowflake_password",
        "snowflake_private_key_path",
        "snowflake_private_key_passphrase",
        "alert_block",
        "alert_webhook_url",
        "alert_slack_webhook_url",
        "alert_daily_within_seconds",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "snowflake_role", "snowflake_warehouse", "snowflake_database", "snowflake_schema"
    )
    @classmethod
    def _snowflake_identifier(cls, value: str) -> str:
        if not SNOWFLAKE_IDENTIFIER.fullmatch(value):
            raise ValueError("must be a plain Snowflake identifier (letters, digits, _ and $)")
        return value

    @field_validator("snowflake_credentials_block")
    @classmethod
    def _block_name(cls, value: str | None) -> str | None:
        if value is not None and not BLOCK_NAME.fullmatch(value):
            raise ValueError(
                "must be a Prefect block name: lowercase letters, digits and dashes, such as "
                "game-market-snowflake"
            )
        return value

    @field_validator("rawg_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http(s) URL such as https://api.rawg.io/api")
        return value.rstrip("/")

    @field_validator("lake_url")
    @classmethod
    def _lake_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must be a local folder or s3://bucket/prefix")
        scheme = urlparse(value).scheme
        if scheme == "s3":
            if not urlparse(value).netloc:
                raise ValueError("must name a bucket, as in s3://my-bucket/lake")
        elif scheme not in ("", "file"):
            raise ValueError(f"uses unsupported scheme {scheme!r}; use a folder or s3://")
        return value.rstrip("/")

    @field_validator("duckdb_path")
    @classmethod
    def _duckdb_path(cls, value: str) -> str:
        return value.strip() or DEFAULT_DUCKDB_PATH  # `DUCKDB_PATH=` in .env: left unset

    @field_validator("aws_endpoint_url_s3")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if urlparse(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL such as http://localhost:9000")
        return value

    def api_key(self) -> str:
        """The key, or a ConfigError that tells the user how to get one."""
        if self.rawg_api_key is None:
            raise ConfigError([API_KEY_HELP])
        return self.rawg_api_key.get_secret_value()

    def dbt_environment(self) -> dict[str, str]:
        """What transforms/ reads with ``env_var()``, and s3fs from the environment. Snowflake's
        credentials are not among them: the dbt subflow adds them for a snowflake build only,
        from the block or these settings (flows/snowflake.py)."""
        values: dict[str, str | None] = {
            "LAKE_URL": self.lake_url,
            "DUCKDB_PATH": self.duckdb_path,
            "AWS_ENDPOINT_URL_S3": self.aws_endpoint_url_s3,
            "AWS_ACCESS_KEY_ID": self.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": _secret(self.aws_secret_access_key),
            "AWS_SESSION_TOKEN": _secret(self.aws_session_token),
            "AWS_REGION": self.aws_region,
            "SNOWFLAKE_ROLE": self.snowflake_role,
            "SNOWFLAKE_WAREHOUSE": self.snowflake_warehouse,
            "SNOWFLAKE_DATABASE": self.snowflake_database,
            "SNOWFLAKE_SCHEMA": self.snowflake_schema,
        }
        return {name: value for name, value in values.items() if value is not None}

    def storage_options(self) -> dict[str, Any]:
        """fsspec options for the lake; empty for local paths."""
        if not self.lake_url.startswith("s3://"):
            return {}
        options: dict[str, Any] = {}
        client_kwargs: dict[str, Any] = {}
        if self.aws_endpoint_url_s3:
            client_kwargs["endpoint_url"] = self.aws_endpoint_url_s3
        if self.aws_region:
            client_kwargs["region_name"] = self.aws_region
        if client_kwargs:
            options["client_kwargs"] = client_kwargs
        if self.aws_access_key_id and self.aws_secret_access_key:
            options["key"] = self.aws_access_key_id
            options["secret"] = self.aws_secret_access_key.get_secret_value()
            if self.aws_session_token:
                options["token"] = self.aws_session_token.get_secret_value()
        return options


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


def _describe(error: dict[str, Any]) -> str:
    name = str(error["loc"][0]).upper() if error.get("loc") else "A setting"
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = error.get("input")
    got = (
        ""
        if isinstance(shown, dict) or name.endswith(("KEY", "SECRET", "PASSWORD"))
        else f" (got {shown!r})"
    )
    return (
        f"{name}{got} is invalid: {message}; fix it in .env or the environment (see .env.example)."
    )


ENV_FILE = Path(".env")
ENV_LINE = re.compile(r"(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)")


def check_env_file(path: Path = ENV_FILE) -> None:
    """Every line of ``.env`` is blank, a comment or NAME=value with its quotes closed: a line
    the reader cannot parse would otherwise be skipped without a word. The line is not shown:
    it may hold a secret."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assignment = ENV_LINE.fullmatch(stripped)
        value = assignment.group(1) if assignment else ""
        quoted = value[:1] in ("'", '"')
        if assignment is None or (quoted and value[0] not in value[1:]):
            raise ConfigError(
                [f"Line {number} of {path} is not NAME=value: fix or remove it (see .env.example)."]
            )


def load_settings(**overrides: Any) -> Settings:
    """Read the settings once, turning validation errors into one sentence per problem."""
    check_env_file()
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(e) for e in exc.errors()]) from None
