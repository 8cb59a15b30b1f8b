"""Where the code reads each environment variable: found in the files themselves.

The settings model's fields and aliases; ``env_var('X')`` in the dbt project; ``$(X)`` and
``$${X}`` in the Makefile; what the scripts read from their environment; ``${X}`` in the
compose files; ``{{ $X }}`` in prefect.yaml; ``os.environ``/``getenv`` in the Python
packages, scripts and benchmarks, and the ``PREFECT_*`` settings the packages name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from game_market import variables
from game_market.variables import REPO, SETTINGS_SOURCE, settings_variables

NAME = r"[A-Z_][A-Z0-9_]*"
DBT_ENV_VAR = re.compile(rf"env_var\(\s*['\"]({NAME})['\"]")
# $(X) and $${X} (a recipe's shell); assignments other than ?= make X the Makefile's own.
MAKE_REFERENCE = re.compile(rf"\$\(({NAME})\)|\$\$\{{({NAME})")
MAKE_ASSIGNMENT = re.compile(rf"^(?:export\s+)?({NAME})\s*(?::=|\+=|=)", re.MULTILINE)
SHELL_REFERENCE = re.compile(rf"(?<!\$)\$\{{!?({NAME})|(?<!\$)\$({NAME})")
SHELL_DEFAULTED = re.compile(rf"\$\{{({NAME}):?-")
SHELL_ASSIGNMENT = re.compile(rf"(?:^|[\s(;])({NAME})(?:\+)?=", re.MULTILINE)
# `for name in A B C; do ... ${!name}`: each of A, B, C is read from the environment.
SHELL_INDIRECT_LOOP = re.compile(rf"for (\w+) in ((?:{NAME}\s*)+);")
COMPOSE_REFERENCE = re.compile(rf"(?<!\$)\$\{{({NAME})")
DEPLOYMENT_REFERENCE = re.compile(rf"\{{\{{\s*\$({NAME})\s*\}}\}}")
PYTHON_READ = re.compile(
    rf"os\.(?:environ\.get|getenv|environ\.setdefault)\(\s*['\"]({NAME})['\"]"
    rf"|os\.environ\[\s*['\"]({NAME})['\"]\s*\](?!\s*=[^=])"
    rf"|['\"]({NAME})['\"]\s+(?:not\s+)?in\s+os\.environ"
)
# Prefect reads its PREFECT_* settings from the environment: every one the code names (an
# import from prefect.settings, a setdefault, a message telling the user to set it) is read.
NAMED_PREFECT_SETTING = re.compile(r"\bPREFECT_[A-Z0-9_]+\b")
PYTHON_PACKAGES = ("game_market", "gmp", "flows", "tasks")
DBT_SKIPPED = {"target", "dbt_packages", "logs"}


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    for match in pattern.finditer(text):
        yield next(group for group in match.groups() if group)


def _shell_reads(text: str) -> set[str]:
    """Names a script reads from its environment: referenced with a default, or referenced
    and never assigned in it."""
    referenced = set(_matches(SHELL_REFERENCE, text))
    assigned = set(_matches(SHELL_ASSIGNMENT, text))
    reads = (referenced - assigned) | set(_matches(SHELL_DEFAULTED, text))
    for loop in SHELL_INDIRECT_LOOP.finditer(text):
        if f"${{!{loop.group(1)}" in text:
            reads |= set(loop.group(2).split())
    return reads


def _makefile_reads(text: str) -> set[str]:
    return set(_matches(MAKE_REFERENCE, text)) - set(_matches(MAKE_ASSIGNMENT, text))


def _dbt_files(repo: Path) -> Iterator[Path]:
    for path in sorted((repo / "transforms").rglob("*")):
        relative = path.relative_to(repo / "transforms").parts
        if path.suffix in (".yml", ".sql") and not DBT_SKIPPED & set(relative):
            yield path


def _python_reads(repo: Path) -> Iterator[tuple[Path, Iterable[str]]]:
    """``os.environ`` reads in the packages, the scripts and the benchmarks; and in the
    packages, the Prefect settings they name."""
    # The descriptions name the variables they describe: no code of theirs reads one.
    catalogue = Path(variables.__file__).resolve()
    for package in PYTHON_PACKAGES:
        for path in sorted((repo / package).rglob("*.py")):
            if path.resolve() != catalogue:
                text = path.read_text()
                yield path, {*_matches(PYTHON_READ, text), *NAMED_PREFECT_SETTING.findall(text)}
        for path in sorted((repo / package).rglob("*.yaml")):
            yield path, NAMED_PREFECT_SETTING.findall(path.read_text())
    for folder in ("scripts", "benchmarks"):
        for path in sorted((repo / folder).glob("*.py")):
            yield path, _matches(PYTHON_READ, path.read_text())


def _readers(repo: Path) -> Iterator[tuple[Path, Iterable[str]]]:
    for path in _dbt_files(repo):
        yield path, _matches(DBT_ENV_VAR, path.read_text())
    yield repo / "Makefile", _makefile_reads((repo / "Makefile").read_text())
    for path in sorted((repo / "scripts").glob("*.sh")):
        yield path, _shell_reads(path.read_text())
    for path in sorted(repo.glob("docker-compose*.yml")):
        yield path, _matches(COMPOSE_REFERENCE, path.read_text())
    yield (
        repo / "prefect.yaml",
        _matches(DEPLOYMENT_REFERENCE, (repo / "prefect.yaml").read_text()),
    )
    yield from _python_reads(repo)


def read_by(repo: Path = REPO) -> dict[str, list[str]]:
    """Every variable the code reads, with the files that read it (the settings model for its
    fields and their aliases)."""
    found: dict[str, set[str]] = {}
    for variable in settings_variables().values():
        for name in (variable.name, *variable.aliases):
            found.setdefault(name, set()).add(SETTINGS_SOURCE)
    for path, names in _readers(repo):
        for name in names:
            found.setdefault(name, set()).add(path.relative_to(repo).as_posix())
    return {name: sorted(files) for name, files in sorted(found.items())}
