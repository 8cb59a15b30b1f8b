"""The checks of ``gmp doctor``: is each thing the pipeline needs there and usable?

Each check returns a :class:`Check`, a verdict and one sentence: what was found, or for a
failure its cause and the fix. The checks here are plain Python; the ones that need Prefect
or dbt (the Prefect API, a Snowflake login, the dbt project) are run by the CLI
(``gmp/doctor.py``). A lake or warehouse not created yet is said as such, not as a failure:
the first ingest and the first build create them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import duckdb
import httpx
from dotenv import dotenv_values
from pydantic import AliasChoices, SecretStr

from game_market import __version__
from game_market.errors import LakeUnavailable
from game_market.lake import Lake
from game_market.rawg.redaction import install_log_redaction, redact
from game_market.settings import API_KEY_HELP, ENV_FILE, Settings

# The settings always shown, set or not: what every run reads.
MAIN_SETTINGS = ("rawg_api_key", "rawg_base_url", "lake_url", "duckdb_path")
# Not secret by type, but a credential half all the same: shown as set or not, never its value.
MASKED_SETTINGS = frozenset({"aws_access_key_id"})
# One cheap request: the first genre, a page of one (a few hundred bytes).
KEY_PROBE_PATH = "/genres"
KEY_PROBE_TIMEOUT_S = 15.0
BUILD_COMMANDS = "`gmp daily` or a backfill"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's answer: ``ok`` and the sentence that explains it."""

    name: str
    ok: bool
    detail: str

    @property
    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


@dataclass(frozen=True)
class SettingValue:
    """A setting as the doctor shows it: the variable, its value (secrets masked), its source."""

    variable: str
    shown: str
    source: str  # "environment", ".env" or "default"


class SettingSources:
    """Where a variable comes from, the way the settings read it: the environment first, then
    ``.env``, else the default. Names match whatever their case, as the settings' do."""

    def __init__(self, environ: Mapping[str, str], env_file: Path = ENV_FILE) -> None:
        self.env_file = env_file
        self._environ = {name.upper(): value for name, value in environ.items()}
        values = dotenv_values(env_file) if env_file.is_file() else {}
        self._dotenv = {name.upper(): value for name, value in values.items() if value is not None}

    def source(self, variables: Sequence[str]) -> str:
        if any(name in self._environ for name in variables):
            return "environment"
        if any(name in self._dotenv for name in variables):
            return ".env"
        return "default"


def setting_values(
    settings: Settings, sources: SettingSources, everything: bool = False
) -> tuple[list[SettingValue], int]:
    """The settings to show (the main ones, and every one not at its default; ``everything``:
    all), and how many more sit at their defaults. No secret's value is ever shown."""
    shown: list[SettingValue] = []
    hidden = 0
    for name, field in Settings.model_fields.items():
        value = _unless_blank(getattr(settings, name))
        if not (everything or name in MAIN_SETTINGS or value != field.default):
            hidden += 1
            continue
        variables = _variables(name, field.validation_alias)
        source = sources.source(variables)
        secret = name in MASKED_SETTINGS or SecretStr in (
            field.annotation,
            *get_args(field.annotation),
        )
        shown.append(SettingValue(variables[0], _display(value, secret, source), source))
    return shown, hidden


def _variables(name: str, alias: Any) -> list[str]:
    if isinstance(alias, AliasChoices):
        return [str(choice).upper() for choice in alias.choices]
    return [name.upper()]


def _unless_blank(value: Any) -> Any:
    """None for a blank text or secret (``AWS_ACCESS_KEY_ID=`` as .env.example has it)."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return None if isinstance(text, str) and not text.strip() else value


def _display(value: Any, secret: bool, source: str) -> str:
    if value is None:
        return "not set" if source == "default" else f"not set (blank in {source})"
    if secret:
        return "set (hidden)"
    return str(value)


def check_rawg_key(settings: Settings, transport: httpx.BaseTransport | None = None) -> Check:
    """One request with the key (``/genres``, a page of one): RAWG accepts it, or says why
    not. The key never appears in what is returned."""
    if settings.rawg_api_key is None:
        return Check("RAWG key", False, API_KEY_HELP)
    key = settings.api_key()
    base = settings.rawg_base_url
    install_log_redaction()
    try:
        with httpx.Client(
            timeout=min(settings.rawg_timeout_seconds, KEY_PROBE_TIMEOUT_S),
            transport=transport,
            headers={"User-Agent": f"game-market-pipeline/{__version__}"},
        ) as client:
            response = client.get(f"{base}{KEY_PROBE_PATH}", params={"key": key, "page_size": 1})
    except httpx.HTTPError as exc:
        return Check(
            "RAWG key",
            False,
            f"RAWG did not answer at {base} ({type(exc).__name__}): check RAWG_BASE_URL and "
            "the network, then run `gmp doctor` again.",
        )
    return _key_verdict(response, base, key)


def _key_verdict(response: httpx.Response, base: str, key: str) -> Check:
    said = _said(response, key)
    if response.status_code == 401:
        return Check(
            "RAWG key",
            False,
            f"RAWG rejected RAWG_API_KEY (401: {said}): copy your key from "
            "https://rawg.io/apidocs into .env as RAWG_API_KEY=..., or if it is right, check "
            "its usage there, since RAWG also answers 401 once the month's requests are spent.",
        )
    if response.status_code == 429:
        return Check(
            "RAWG key",
            False,
            f"RAWG answered 429 ({said}): the key's monthly quota is spent or it is being "
            "throttled; check its usage at https://rawg.io/apidocs and run `gmp doctor` later.",
        )
    body = _json(response)
    if response.status_code != 200 or body is None or "results" not in body:
        return Check(
            "RAWG key",
            False,
            f"{base}{KEY_PROBE_PATH} answered {response.status_code}, not like the RAWG API: "
            "set RAWG_BASE_URL to https://api.rawg.io/api (or the sandbox's URL).",
        )
    return Check("RAWG key", True, f"accepted by {base} (1 request of the key's monthly quota)")


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _said(response: httpx.Response, key: str) -> str:
    """RAWG's own words for a refusal, short and without the key."""
    body = _json(response) or {}
    text = str(body.get("error") or body.get("detail") or response.reason_phrase or "no reason")
    return redact(text.replace(key, "***"))[:120]


def check_lake(settings: Settings) -> Check:
    """Write and delete a probe object under the lake's root, and list what it holds. A
    local lake not created yet is probed where it will be, and left as it was."""
    lake = Lake.from_settings(settings)
    shown = settings.lake_url
    if lake.is_local and not Path(lake.root).exists():
        try:
            _probe_new_folder(lake)
        except LakeUnavailable as exc:
            return Check("lake", False, str(exc))
        return Check(
            "lake",
            True,
            f"{shown} not created yet, and can be (a probe was written there): "
            f"{BUILD_COMMANDS} creates it.",
        )
    try:
        lake.check_writable()
    except LakeUnavailable as exc:
        return Check("lake", False, str(exc))
    try:
        days = lake.partitions("games")
    except Exception as exc:  # any backend error means the same to the user: it cannot be read
        error, advice = type(exc).__name__, lake.access_advice
        return Check("lake", False, f"Cannot read the lake at {lake.url} ({error}): {advice}.")
    if not days:
        return Check(
            "lake", True, f"{shown} read and written; no data yet: {BUILD_COMMANDS} fills it."
        )
    return Check(
        "lake",
        True,
        f"{shown} read and written; games for {len(days)} days, {days[0]} to {days[-1]}.",
    )


def _probe_new_folder(lake: Lake) -> None:
    """``check_writable`` on a local lake that does not exist yet, removing what it made."""
    root = Path(lake.root)
    existing = root
    while not existing.exists():
        existing = existing.parent
    try:
        lake.check_writable()
    finally:
        first_made = root
        while first_made.parent != existing:
            first_made = first_made.parent
        if first_made.exists():
            shutil.rmtree(first_made)


def check_duckdb(settings: Settings) -> Check:
    """The DuckDB file opens read-only; not created yet is fine when its folder can be made."""
    path = Path(settings.duckdb_path)
    shown = settings.duckdb_path
    if not path.exists():
        existing = path.parent
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            return Check(
                "warehouse",
                False,
                f"Cannot create the warehouse at {shown}: {existing} is not a folder you can "
                "write; point DUCKDB_PATH at one.",
            )
        return Check("warehouse", True, f"{shown} not created yet: {BUILD_COMMANDS} creates it.")
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            row = connection.execute(
                "select count(*) from information_schema.tables "
                "where table_catalog = current_database()"
            ).fetchone()
    except duckdb.Error as exc:
        reason = re.split(r"[.!]\s", str(exc).strip() + " ")[0]
        return Check(
            "warehouse",
            False,
            f"Cannot open the warehouse at {shown} ({reason}): close the program that has it "
            "open, or point DUCKDB_PATH at another file.",
        )
    tables = row[0] if row else 0
    if not tables:
        return Check(
            "warehouse", True, f"{shown} opens; no tables yet: {BUILD_COMMANDS} builds them."
        )
    return Check("warehouse", True, f"{shown} opens read-only (tables and views: {tables}).")
