"""Every environment variable the code reads is in .env.example and on the configuration page,
found in the code itself (game_market.variable_readers.read_by), not from a list kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from game_market import variables
from game_market.settings import Settings, check_env_file
from game_market.variable_docs import (
    CONFIGURATION_PAGE,
    ENV_EXAMPLE,
    comment,
    configuration_page,
)
from game_market.variable_readers import read_by

ENV_LINE = re.compile(r"^(?:# )?([A-Z_][A-Z0-9_]*)=(.*)$", re.MULTILINE)


def env_example_entries(text: str) -> dict[str, str]:
    """NAME -> the line that sets it, commented out or not."""
    return {m.group(1): m.group(0) for m in ENV_LINE.finditer(text)}


def missing_from_env_example(readers: dict[str, list[str]], text: str) -> list[str]:
    """The variables the code reads that .env.example neither lists nor names as an alias,
    leaving out the cloud.env keys (deployments/cloud-env.keys lists them) and the variables
    that are not the project's settings."""
    listed = set(env_example_entries(text))
    aliases = {alias for v in variables.variables().values() for alias in v.aliases}
    covered = {a for a in aliases if re.search(rf"\b{a}\b", text)}
    exempt = set(variables.NOT_PROJECT_SETTINGS) | set(variables.cloud_env_keys())
    return sorted(set(readers) - listed - covered - exempt)


def test_env_example_lists_every_variable_the_code_reads() -> None:
    missing = missing_from_env_example(read_by(), ENV_EXAMPLE.read_text())
    assert not missing, (
        f".env.example lacks {', '.join(missing)}: describe it in game_market/variables.py (or "
        "give its settings field a description) and run `make generate`"
    )


def test_a_variable_the_code_starts_reading_is_named_as_missing() -> None:
    readers = {**read_by(), "GMP_NEW_KNOB": ["scripts/new.sh"]}
    text = ENV_EXAMPLE.read_text()
    assert missing_from_env_example(readers, text) == ["GMP_NEW_KNOB"]
    assert "LAKE_URL" in missing_from_env_example(readers, text.replace("# LAKE_URL=", "# X="))


def test_every_described_or_exempt_variable_is_read_by_the_code() -> None:
    """No description or exemption outlives the code that read it."""
    readers = read_by()
    stale = sorted(
        (set(variables.variables()) | set(variables.NOT_PROJECT_SETTINGS)) - set(readers)
    )
    assert not stale, f"no code reads {', '.join(stale)}: remove it from game_market/variables.py"


def test_each_variable_has_one_line_saying_what_it_does_then_its_default() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for variable in variables.variables().values():
        setting = env_example_entries("\n".join(lines))[variable.name]
        at = lines.index(setting)
        notes = 0
        while lines[at - 1 - notes].startswith(("# Also read as", "# Default:")):
            notes += 1
        assert lines[at - 1 - notes] == comment(variable)
        assert len(lines[at - 1 - notes]) <= 100, variable.name
        assert variable.description.strip()


def test_secrets_are_empty_and_only_the_key_is_to_fill_in() -> None:
    entries = env_example_entries(ENV_EXAMPLE.read_text())
    uncommented = sorted(name for name, line in entries.items() if not line.startswith("#"))
    assert uncommented == ["RAWG_API_KEY"]
    for variable in variables.variables().values():
        if variable.secret or variable.name == "RAWG_API_KEY":
            assert entries[variable.name].endswith(f"{variable.name}="), variable.name
    secrets = {v.name for v in variables.variables().values() if v.secret}
    assert {"RAWG_API_KEY", "SNOWFLAKE_PASSWORD", "ALERT_WEBHOOK_URL"} <= secrets


def test_a_copy_of_env_example_gives_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cp .env.example .env` is a valid .env that changes nothing but asks for the key."""
    for variable in variables.settings_variables().values():
        for name in (variable.name, *variable.aliases):
            monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    env.write_text(ENV_EXAMPLE.read_text())
    check_env_file(env)
    assert Settings(_env_file=env) == Settings(_env_file=None)


def test_the_configuration_page_gives_every_variable_its_default_and_readers() -> None:
    page = CONFIGURATION_PAGE.read_text()
    readers = read_by()
    for variable in variables.variables().values():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{variable.name}`"))
        default = f"`{variable.default}`" if variable.default else "unset"
        assert f" | {default} | " in row, row
        assert all(f"`{path}`" in row for path in readers[variable.name]), row
    for key in variables.cloud_env_keys():
        assert f"| `{key}` |" in page
    for name in variables.NOT_PROJECT_SETTINGS:
        assert f"| `{name}` |" in page


def test_the_page_without_its_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        configuration_page("# Configuration\n", readers={})


def test_reads_are_found_in_each_kind_of_source(tmp_path: Path) -> None:
    (tmp_path / "transforms").mkdir()
    (tmp_path / "transforms" / "profiles.yml").write_text(
        "path: \"{{ env_var('DBT_THING', 'x') }}\"\n"
    )
    (tmp_path / "transforms" / "target").mkdir()
    (tmp_path / "transforms" / "target" / "x.yml").write_text("{{ env_var('COMPILED') }}\n")
    (tmp_path / "Makefile").write_text(
        "OWN := 1\nPOOL ?= ecs\nrun:\n\techo $(OWN) $(POOL) $(ARG) $${SHELL_THING:-1} $$local\n"
    )
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.sh").write_text(
        'readonly DIR="${GMP_DIR:-x}"\nLOCAL=1\necho "${DIR}" "${LOCAL}" "$PLAIN"\n'
        'export PREFECT_HOME="${PREFECT_HOME:-x}"\n'
        'for name in ADMIN_A ADMIN_B; do [[ -n "${!name:-}" ]]; done\n'
    )
    (tmp_path / "scripts" / "b.py").write_text(
        'os.environ.get("PY_GET")\nos.environ["PY_SET"] = "1"\nos.environ["PY_ITEM"]\n'
        '"PY_IN" in os.environ\nos.environ.setdefault("PY_DEFAULT", "1")\n'
    )
    (tmp_path / "gmp").mkdir()
    (tmp_path / "gmp" / "x.py").write_text('"set PREFECT_SERVER_API_PORT to a free port"\n')
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "x.py").write_text(
        'os.environ.get("BENCH_THING")\nenv = {"PREFECT_SET_FOR_A_CHILD": "1"}\n'
    )
    (tmp_path / "docker-compose.yml").write_text(
        'x: ${COMPOSE_THING:-1}\ncommand: "$$CONTAINER_ONLY"\n'
    )
    (tmp_path / "prefect.yaml").write_text('image: "{{ $GMP_IMAGE }}"\n')

    found = read_by(tmp_path)

    expected = {
        "DBT_THING": "transforms/profiles.yml",
        "POOL": "Makefile",
        "ARG": "Makefile",
        "SHELL_THING": "Makefile",
        "GMP_DIR": "scripts/a.sh",
        "PLAIN": "scripts/a.sh",
        "PREFECT_HOME": "scripts/a.sh",
        "ADMIN_A": "scripts/a.sh",
        "ADMIN_B": "scripts/a.sh",
        "PY_GET": "scripts/b.py",
        "PY_ITEM": "scripts/b.py",
        "PY_IN": "scripts/b.py",
        "PY_DEFAULT": "scripts/b.py",
        "PREFECT_SERVER_API_PORT": "gmp/x.py",
        "COMPOSE_THING": "docker-compose.yml",
        "GMP_IMAGE": "prefect.yaml",
        "BENCH_THING": "benchmarks/x.py",
    }
    assert {name: found.get(name) for name in expected} == {
        name: [path] for name, path in expected.items()
    }
    for own in ("COMPILED", "OWN", "DIR", "LOCAL", "PY_SET", "CONTAINER_ONLY", "name"):
        assert own not in found
    for own in ("PREFECT_SET_FOR_A_CHILD",):
        assert own not in found
    assert found["RAWG_API_KEY"] == [variables.SETTINGS_SOURCE]
    assert found["AWS_DEFAULT_REGION"] == [variables.SETTINGS_SOURCE]
