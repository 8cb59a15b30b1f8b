from __future__ import annotations

import re
from pathlib import Path

import pytest

from game_market.errors import ConfigError
from game_market.settings import RAWG_API_URL, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = load_settings()
    assert settings.rawg_base_url == RAWG_API_URL
    assert settings.lake_url == "./data/lake"
    assert settings.rawg_max_concurrency == 8
    assert settings.storage_options() == {}


def test_dbt_gets_the_warehouse_path_as_written_and_the_profile_default_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dbt parses the whole project again whenever its profile renders differently: a flow's
    build must render what the dbt CLI (`make transform`) renders from the same settings."""
    profile = (REPO / "transforms" / "profiles.yml").read_text()
    default = re.search(r"env_var\('DUCKDB_PATH', '([^']+)'\)", profile).group(1)
    assert load_settings().dbt_environment()["DUCKDB_PATH"] == default
    (Path(".env")).write_text("DUCKDB_PATH=\n")  # left blank: unset
    assert load_settings().dbt_environment()["DUCKDB_PATH"] == default
    monkeypatch.setenv("DUCKDB_PATH", "./wh/../wh/w.duckdb")
    assert load_settings().dbt_environment()["DUCKDB_PATH"] == "./wh/../wh/w.duckdb"
    sources = (REPO / "transforms" / "models" / "staging" / "_rawg__sources.yml").read_text()
    lake = re.search(r"env_var\('LAKE_URL', '([^']+)'\)", sources).group(1)
    assert load_settings().lake_url == lake


def test_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RAWG_API_KEY=abc\nRAWG_MAX_CONCURRENCY=3\n")
    settings = load_settings()
    assert settings.api_key() == "abc" and settings.rawg_max_concurrency == 3


def test_a_dotenv_with_comments_exports_and_quotes_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# the key\n\nexport RAWG_API_KEY='a b'\nLAKE_URL=\"./my lake\"  # local\nDUCKDB_PATH=\n"
    )
    settings = load_settings()
    assert (settings.api_key(), settings.lake_url) == ("a b", "./my lake")


@pytest.mark.parametrize(
    "bad", ["RAWG_API_KEY abc", 'RAWG_API_KEY="abc', "1LAKE_URL=x", "=abc", "key: value"]
)
def test_a_line_dotenv_cannot_read_is_one_sentence_without_its_text(
    tmp_path: Path, bad: str
) -> None:
    (tmp_path / ".env").write_text(f"# settings\nRAWG_MAX_CONCURRENCY=3\n{bad}\n")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == (
        "Line 3 of .env is not NAME=value: fix or remove it (see .env.example)."
    )


def test_every_problem_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAWG_MAX_CONCURRENCY", "lots")
    monkeypatch.setenv("LAKE_URL", "gs://bucket/x")
    monkeypatch.setenv("RAWG_BASE_URL", "ftp://rawg")
    with pytest.raises(ConfigError) as err:
        load_settings()
    problems = err.value.problems
    assert len(problems) == 3
    assert all(p.endswith("(see .env.example).") for p in problems)
    assert any(p.startswith("RAWG_MAX_CONCURRENCY (got 'lots') is invalid") for p in problems)
    assert any(p.startswith("LAKE_URL") and "s3://" in p for p in problems)


def test_missing_key_names_the_fix() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings().api_key()
    assert "RAWG_API_KEY is not set" in str(err.value) and "rawg.io/apidocs" in str(err.value)


def test_s3_options_come_from_the_standard_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKE_URL", "s3://lake/prefix/")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "minio")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "minio-secret")
    settings = load_settings()
    assert settings.lake_url == "s3://lake/prefix"
    options = settings.storage_options()
    assert options["client_kwargs"]["endpoint_url"] == "http://localhost:9000"
    assert (options["key"], options["secret"]) == ("minio", "minio-secret")
