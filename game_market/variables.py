"""Every environment variable the project reads, described once.

The settings model (game_market/settings.py) describes its own fields; the variables that
dbt's profile, the Makefile, the scripts, docker compose and Prefect read are described in
``OTHER_VARIABLES`` below, and every one has its place in a ``SECTIONS`` entry.
game_market/variable_docs.py writes them all into ``.env.example`` and the tables of
``docs/configuration.md``; game_market/variable_readers.py finds in the code every variable
read, and a unit test fails when one is not described here or exempted in
``NOT_PROJECT_SETTINGS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo

from game_market.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CLOUD_ENV_KEYS = REPO / "deployments" / "cloud-env.keys"
# What scripts/build_and_push.sh writes into deployments/cloud.env besides cloud-env.keys.
CLOUD_ENV_IMAGE = "GMP_IMAGE_URI"
SETTINGS_SOURCE = "game_market/settings.py"


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as the reader writes it; "" when unset
    description: str
    secret: bool = False
    # Read from .env as well as from the environment: the settings, Prefect's own settings
    # and docker compose's ${...} read it; make, dbt's CLI and the scripts read the shell's only.
    env_file: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    names: tuple[str, ...]


# Variables the project reads that are not its own settings, each with the reason.
NOT_PROJECT_SETTINGS = {
    "PWD": "the shell's working directory",
    "BASH_SOURCE": "bash's own",
    "XDG_CACHE_HOME": "the user's cache folder (freedesktop), where gmp keeps its Prefect "
    "database template",
    "CURDIR": "make's own",
    "MAKEFILE_LIST": "make's own",
    "MAKE": "make's own",
    "DATE": "an argument of one make target (make run DATE=...), listed by make help",
    "START": "an argument of one make target (make backfill START=...), listed by make help",
    "END": "an argument of one make target (make backfill END=...), listed by make help",
    "FORCE": "an argument of one make target (make clean FORCE=1), listed by make help",
    "PORT": "an argument of one make target (make sandbox PORT=...), listed by make help",
    "GAMES": "an argument of one make target (make sandbox GAMES=...), listed by make help",
    "SEED": "an argument of one make target (make sandbox SEED=...), listed by make help",
    "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": "set by the dbt subflow from the Snowflake login "
    "(flows/snowflake.py), never by hand",
    "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY": "set by the dbt subflow from the Snowflake login",
    "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": "set by the dbt subflow from the "
    "Snowflake login",
    "PREFECT_SERVER_DATABASE_CONNECTION_URL": "Prefect's database: gmp sets it for the "
    "database it prepares, and reads it only to find its SQLite file",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "set to false by gmp for the local server it "
    "starts on a database that already holds the block types (gmp/server.py), never by hand",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "set to false by gmp with "
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START",
}

OTHER_VARIABLES = (
    Variable(
        "DBT_TARGET",
        "duckdb",
        "The target of `dbt` run by hand (duckdb or snowflake); the flows take --target instead.",
        env_file=False,
    ),
    Variable(
        "DUCKDB_MEMORY_LIMIT",
        "3GB",
        "DuckDB's memory for a dbt build; beyond it DuckDB spills to <warehouse>.tmp.",
        env_file=False,
    ),
    Variable(
        "PREFECT_API_URL",
        "",
        "The Prefect server gmp and the flows report to; unset: gmp's own, on "
        "PREFECT_SERVER_API_PORT.",
    ),
    Variable(
        "PREFECT_SERVER_API_PORT",
        "4200",
        "The port of gmp's local Prefect server (when PREFECT_API_URL is unset).",
    ),
    Variable(
        "PREFECT_HOME",
        "~/.prefect",
        "Where Prefect keeps its profiles, and gmp's local server its database, pid and log.",
    ),
    Variable(
        "PREFECT_UI_URL",
        "",
        "The Prefect UI's address, set on the server: the alerts link to each run from it.",
    ),
    Variable(
        "PREFECT_SERVER_ANALYTICS_ENABLED",
        "false",
        "Prefect's anonymous usage reports; gmp, make and the platform turn them off.",
    ),
    Variable(
        "PREFECT_LOGGING_EXTRA_LOGGERS",
        "game_market",
        "Libraries whose log lines join the flow runs' logs; gmp adds the core's.",
    ),
    Variable(
        "PREFECT_LOGGING_LEVEL",
        "INFO",
        "Prefect's log level; `gmp report` sets ERROR when it is unset, so only the report prints.",
    ),
    Variable(
        "PREFECT_WORKER_QUERY_SECONDS",
        "2",
        "How often the platform's worker looks for scheduled runs (Prefect's default is 10).",
    ),
    Variable(
        "OFFLINE",
        "0",
        "1: make start and start-native run the RAWG sandbox for the worker (no key, no network).",
        env_file=False,
    ),
    Variable(
        "RAWG_API_LIMIT",
        "8",
        "RAWG requests in flight across the platform's runs (the rawg-api limit make sets).",
        env_file=False,
    ),
    Variable(
        "MINIO_ROOT_USER",
        "minioadmin",
        "MinIO's root login in `make start`; the worker uses it as its S3 access key.",
    ),
    Variable(
        "MINIO_ROOT_PASSWORD",
        "minioadmin",
        "MinIO's root password in `make start`; the worker's S3 secret.",
        secret=True,
    ),
    Variable(
        "LAKE_BUCKET",
        "game-market-lake",
        "The platform's lake bucket, created private in MinIO (`make start`) or moto "
        "(`make start-native`).",
    ),
    Variable(
        "PREFECT_PORT",
        "4200",
        "The platform's API port for make deploy, run and backfill; GMP_SERVER_PORT when set.",
        env_file=False,
    ),
    Variable(
        "GMP_SERVER_PORT",
        "4200",
        "`make start-native`: the Prefect server's port.",
        env_file=False,
    ),
    Variable(
        "GMP_S3_PORT",
        "9000",
        "`make start-native`: the S3 stand-in's (moto) port.",
        env_file=False,
    ),
    Variable(
        "GMP_SANDBOX_PORT",
        "8765",
        "`make start-native OFFLINE=1`: the RAWG sandbox's port.",
        env_file=False,
    ),
    Variable(
        "SANDBOX_GAMES",
        "5000",
        "`make start-native OFFLINE=1`: the games in the sandbox's catalogue.",
        env_file=False,
    ),
    Variable(
        "GMP_RUN_DIR",
        "./data/run",
        "`make start-native`: the folder of the services' pid files and logs.",
        env_file=False,
    ),
    Variable(
        "ECS_POOL",
        "ecs",
        "`make cloud-pool`: the name of the ECS work pool it creates or updates.",
        env_file=False,
    ),
    Variable(
        "CLOUD_ENV",
        "deployments/cloud.env",
        "`make cloud-render`: the file of infrastructure ids the ECS template is filled from.",
        env_file=False,
    ),
    Variable(
        "ECS_TEMPLATE",
        "deployments/ecs-base-job-template.rendered.json",
        "`make cloud-render`: where the filled ECS base job template is written.",
        env_file=False,
    ),
    Variable(
        "ALLOW_DIRTY",
        "0",
        "1: scripts/build_and_push.sh builds an uncommitted tree, tagged <sha>-dirty.",
        env_file=False,
    ),
    Variable(
        "DEPLOY_TRUST_POLL_ATTEMPTS",
        "60",
        "scripts/deploy_infra.sh: checks that the Snowflake role's trust is visible (phase 3).",
        env_file=False,
    ),
    Variable(
        "DEPLOY_TRUST_POLL_SECONDS",
        "5",
        "scripts/deploy_infra.sh: seconds between those checks.",
        env_file=False,
    ),
    Variable(
        "SNOWFLAKE_ORGANIZATION_NAME",
        "",
        "scripts/deploy_infra.sh: the Snowflake organization Terraform's provider logs in to.",
        env_file=False,
    ),
    Variable(
        "SNOWFLAKE_ACCOUNT_NAME",
        "",
        "scripts/deploy_infra.sh: the Snowflake account (in that organization) for Terraform.",
        env_file=False,
    ),
    Variable(
        "SNOWFLAKE_PRIVATE_KEY",
        "",
        "scripts/deploy_infra.sh: the administrator's PEM key for Terraform, not a password.",
        secret=True,
        env_file=False,
    ),
    Variable(
        "UV_BOOTSTRAP_INDEX",
        "",
        "The index `make env` gets uv from if uv is not on PATH; unset: PIP_INDEX_URL, or PyPI.",
        env_file=False,
    ),
    Variable(
        "BENCH_MACHINE",
        "",
        "`make bench`: this machine's name in benchmarks/results/; unset: <cores>-core.",
        env_file=False,
    ),
    Variable(
        "PIP_INDEX_URL",
        "",
        "pip's index; the uv bootstrap uses it when UV_BOOTSTRAP_INDEX is unset.",
        env_file=False,
    ),
)

SECTIONS = (
    Section(
        "RAWG",
        "The RAWG API and how the client treats it.",
        (
            "RAWG_API_KEY",
            "RAWG_BASE_URL",
            "RAWG_MAX_CONCURRENCY",
            "RAWG_TIMEOUT_SECONDS",
            "RAWG_MAX_RETRIES",
            "RAWG_RETRY_BUDGET_SECONDS",
        ),
    ),
    Section(
        "Lake and warehouse",
        "Where the Parquet lands and where dbt builds it.",
        ("LAKE_URL", "DUCKDB_PATH", "DUCKDB_MEMORY_LIMIT", "DBT_TARGET"),
    ),
    Section(
        "Flow timeouts",
        "A run still going after its timeout ends TimedOut: its slots are freed, what landed "
        "is kept.",
        (
            "DAILY_TIMEOUT_SECONDS",
            "BACKFILL_TIMEOUT_SECONDS",
            "INGEST_TIMEOUT_SECONDS",
            "BUILD_TIMEOUT_SECONDS",
        ),
    ),
    Section(
        "S3 and MinIO",
        "The lake's object store when LAKE_URL is s3://.",
        (
            "AWS_ENDPOINT_URL_S3",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
        ),
    ),
    Section(
        "Snowflake",
        "The Snowflake warehouse (`--target snowflake`): dbt builds it and the report reads it.",
        (
            "SNOWFLAKE_CREDENTIALS_BLOCK",
            "SNOWFLAKE_ACCOUNT",
            "SNOWFLAKE_USER",
            "SNOWFLAKE_PASSWORD",
            "SNOWFLAKE_PRIVATE_KEY_PATH",
            "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE",
            "SNOWFLAKE_ROLE",
            "SNOWFLAKE_WAREHOUSE",
            "SNOWFLAKE_DATABASE",
            "SNOWFLAKE_SCHEMA",
        ),
    ),
    Section(
        "Alerts",
        "Where the automations of gmp/automations.yaml (`gmp setup-platform`) send alerts: set "
        "one of the first three.",
        (
            "ALERT_BLOCK",
            "ALERT_WEBHOOK_URL",
            "ALERT_SLACK_WEBHOOK_URL",
            "ALERT_DAILY_WITHIN_SECONDS",
        ),
    ),
    Section(
        "Prefect",
        "Prefect's own settings the project relies on; Prefect reads them from the environment, "
        "from .env in the current folder and from its profile.",
        (
            "PREFECT_API_URL",
            "PREFECT_SERVER_API_PORT",
            "PREFECT_HOME",
            "PREFECT_UI_URL",
            "PREFECT_SERVER_ANALYTICS_ENABLED",
            "PREFECT_LOGGING_EXTRA_LOGGERS",
            "PREFECT_LOGGING_LEVEL",
            "PREFECT_WORKER_QUERY_SECONDS",
        ),
    ),
    Section(
        "The local platform",
        "`make start` (Docker) and `make start-native` (no Docker).",
        (
            "OFFLINE",
            "RAWG_API_LIMIT",
            "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD",
            "LAKE_BUCKET",
            "PREFECT_PORT",
            "GMP_SERVER_PORT",
            "GMP_S3_PORT",
            "GMP_SANDBOX_PORT",
            "SANDBOX_GAMES",
            "GMP_RUN_DIR",
        ),
    ),
    Section(
        "Cloud deployment",
        "The make targets and scripts that deploy to AWS and Snowflake. scripts/deploy_infra.sh "
        "logs Terraform in to Snowflake as an administrator: SNOWFLAKE_USER with "
        "SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY, from the shell.",
        (
            "ECS_POOL",
            "CLOUD_ENV",
            "ECS_TEMPLATE",
            "ALLOW_DIRTY",
            "DEPLOY_TRUST_POLL_ATTEMPTS",
            "DEPLOY_TRUST_POLL_SECONDS",
            "SNOWFLAKE_ORGANIZATION_NAME",
            "SNOWFLAKE_ACCOUNT_NAME",
            "SNOWFLAKE_PRIVATE_KEY",
        ),
    ),
    Section(
        "Tools",
        "Setting up the project's tools, and measuring it.",
        ("UV_BOOTSTRAP_INDEX", "PIP_INDEX_URL", "BENCH_MACHINE"),
    ),
)


def _default(field: FieldInfo) -> str:
    value = field.default
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_secret(field: FieldInfo) -> bool:
    return SecretStr in getattr(field.annotation, "__args__", (field.annotation,))


def settings_variables() -> dict[str, Variable]:
    """The settings model's fields as variables: name, aliases, default and description."""
    variables = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names = (
            [str(choice) for choice in alias.choices]
            if isinstance(alias, AliasChoices)
            else [name.upper()]
        )
        if not field.description:
            raise ValueError(f"Settings.{name} has no description: give its Field one")
        variables[names[0]] = Variable(
            names[0],
            _default(field),
            field.description,
            secret=_is_secret(field),
            aliases=tuple(names[1:]),
        )
    return variables


def variables() -> dict[str, Variable]:
    """Every variable described, settings first."""
    described = settings_variables()
    for variable in OTHER_VARIABLES:
        if variable.name in described:
            raise ValueError(f"{variable.name} is described twice")
        described[variable.name] = variable
    return described


def sections() -> list[tuple[Section, list[Variable]]]:
    """The sections with their variables; every variable is in exactly one."""
    described = variables()
    placed = [name for section in SECTIONS for name in section.names]
    unplaced = sorted(set(described) - set(placed))
    unknown = sorted(set(placed) - set(described))
    if unplaced or unknown or len(placed) != len(set(placed)):
        raise ValueError(
            f"game_market/variables.py SECTIONS: unplaced {unplaced}, undescribed {unknown}"
        )
    return [(section, [described[name] for name in section.names]) for section in SECTIONS]


def cloud_env_keys(path: Path = CLOUD_ENV_KEYS) -> dict[str, str]:
    """The keys of deployments/cloud.env, each with the line's note (output and example)."""
    keys = {CLOUD_ENV_IMAGE: "the image scripts/build_and_push.sh pushed, tagged <git sha>"}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, rest = line.partition("=")
            output, _, example = rest.partition("#")
            keys[key.strip()] = f"infra/aws output `{output.strip()}`, e.g. {example.strip()}"
    return keys
