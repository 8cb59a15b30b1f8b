"""`gmp doctor` as a user runs it first, in a fresh folder with `.env` copied from
`.env.example` and the sandbox standing in for RAWG: a good key passes every check before any
run, a wrong key and an unreachable lake each fail in one sentence that names the fix. The
checks that need dbt or the Snowflake connector are also called in this process for the
failures a run of the command cannot set up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from game_market.settings import load_settings
from gmp.doctor import check_dbt_project, check_warehouse
from rawg_simulator import SandboxConfig, free_port, running_sandbox
from tests.support.cli import isolated_env, run_gmp
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY

REPO = Path(__file__).resolve().parents[2]
CHECKS = ("settings", "RAWG key", "lake", "warehouse", "Prefect API", "dbt project")


@pytest.fixture(scope="module")
def rawg_url() -> Iterator[str]:
    """A sandbox that accepts only SECRET_KEY, as RAWG accepts only a real key."""
    config = SandboxConfig(
        games=200, seed=3, today=SANDBOX_TODAY, valid_keys=frozenset({SECRET_KEY})
    )
    with running_sandbox(config) as url:
        yield url


def fresh_clone_env(tmp_path: Path, rawg_url: str, key: str) -> dict[str, str]:
    """`.env` as the key steps make it: `.env.example` with the key (and here the sandbox's
    URL) filled in."""
    text = (REPO / ".env.example").read_text()
    text = re.sub(r"(?m)^RAWG_API_KEY=.*$", f"RAWG_API_KEY={key}", text)
    text = re.sub(r"(?m)^(# )?RAWG_BASE_URL=.*$", f"RAWG_BASE_URL={rawg_url}", text)
    (tmp_path / ".env").write_text(text)
    return isolated_env(tmp_path)


def marked(output: str) -> dict[str, str]:
    """Each check's line, by its name: the mark and what follows."""
    lines = [line for line in output.splitlines() if line[:1] in ("✓", "✗")]
    return {line[2:].split(":", 1)[0]: line for line in lines}


def test_a_good_key_on_a_fresh_clone_passes_every_check(tmp_path: Path, rawg_url: str) -> None:
    result = run_gmp("doctor", env=fresh_clone_env(tmp_path, rawg_url, SECRET_KEY), cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lines = marked(result.stdout)
    assert tuple(lines) == CHECKS
    assert all(line.startswith("✓") for line in lines.values()), output
    assert SECRET_KEY not in output and "Traceback" not in output
    assert re.search(r"(?m)^\s+RAWG_API_KEY\s+set \(hidden\)\s+\(\.env\)$", result.stdout)
    assert result.stdout.count("set (hidden)") == 1  # the blank AWS_* of .env.example are unset
    assert "not created yet" in lines["lake"] and "not created yet" in lines["warehouse"]
    assert result.stdout.rstrip().endswith(f"All {len(CHECKS)} checks passed.")
    assert not (tmp_path / "data").exists()  # the lake's probe is gone, and nothing was built


def test_a_wrong_key_fails_in_one_sentence(tmp_path: Path, rawg_url: str) -> None:
    wrong = "0123456789abcdef0123456789abcdef"
    result = run_gmp("doctor", env=fresh_clone_env(tmp_path, rawg_url, wrong), cwd=tmp_path)
    assert result.returncode == 1
    lines = marked(result.stdout)
    assert [name for name, line in lines.items() if line.startswith("✗")] == ["RAWG key"]
    assert lines["RAWG key"] == (
        "✗ RAWG key: RAWG rejected RAWG_API_KEY (401: The API key is not found): copy your key "
        "from https://rawg.io/apidocs into .env as RAWG_API_KEY=..., or if it is right, check "
        "its usage there, since RAWG also answers 401 once the month's requests are spent."
    )
    assert wrong not in result.stdout + result.stderr
    assert "1 of 6 checks failed" in result.stdout


def test_an_unreachable_lake_fails_with_the_fix(tmp_path: Path, rawg_url: str) -> None:
    env = fresh_clone_env(tmp_path, rawg_url, SECRET_KEY) | {
        "LAKE_URL": "s3://game-market-lake/lake",
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "AWS_ACCESS_KEY_ID": "doctor-access-key",
        "AWS_SECRET_ACCESS_KEY": "doctor-secret-key",
    }
    result = run_gmp("doctor", env=env, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    lines = marked(result.stdout)
    assert [name for name, line in lines.items() if line.startswith("✗")] == ["lake"]
    assert lines["lake"].startswith(
        "✗ lake: Cannot write to the lake at s3://game-market-lake/lake"
    )
    assert lines["lake"].endswith(
        "check LAKE_URL, that the bucket exists, AWS_ENDPOINT_URL_S3 and the AWS credentials."
    )
    assert "doctor-secret-key" not in output and "doctor-access-key" not in output


def test_a_project_that_does_not_parse_names_what_dbt_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import flows.transform

    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: broken\nversion: '1.0'\nprofile: game_market\nmodel-paths: [models]\n"
    )
    (project / "profiles.yml").write_text(
        "game_market:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        f"      path: {tmp_path / 'w.duckdb'}\n"
    )
    (project / "models" / "broken.sql").write_text("select {{ 1 + }}\n")
    monkeypatch.setattr(flows.transform, "TRANSFORMS_DIR", project)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))  # not the session's parse
    check = check_dbt_project(load_settings())
    assert not check.ok and check.detail.startswith("transforms/ does not parse (")
    assert "broken" in check.detail and check.detail.endswith("run `gmp doctor` again.")


def test_the_snowflake_target_needs_its_login(monkeypatch: pytest.MonkeyPatch) -> None:
    check = check_warehouse(load_settings(), "snowflake")
    assert not check.ok and "SNOWFLAKE_ACCOUNT" in check.detail and check.detail.endswith(".")
    unknown = check_warehouse(load_settings(), "bigquery")
    assert unknown.detail == "Unknown warehouse target 'bigquery': use one of duckdb, snowflake."
