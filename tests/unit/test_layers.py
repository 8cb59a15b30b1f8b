"""The direction of imports between the rooms, and who may read the environment.

Read from the source (ast), so a forbidden import fails here even on a path no test runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Top-level packages a room must never import (CONVENTIONS.md, "The shape of the repository").
FORBIDDEN: dict[str, set[str]] = {
    "game_market": {"flows", "tasks", "gmp", "prefect", "prefect_aws", "prefect_dbt"},
    "rawg_simulator": {"flows", "tasks", "gmp", "prefect", "prefect_aws", "prefect_dbt"},
    "tasks": {"flows", "gmp"},
    "flows": {"gmp"},
}
# Where the environment may be touched: the entry point (gmp sets Prefect's own settings before
# importing it), the dbt boundary (dbt reads its profile with env_var()), the simulator's
# process launcher (its child inherits the environment) and gmp's local server launcher (the
# same, and the user's cache is XDG_CACHE_HOME). Everything else gets Settings.
ENVIRONMENT_ALLOWED = {
    "gmp/commands.py",
    "gmp/doctor.py",  # reports where each setting came from: the environment, .env or default
    "gmp/server.py",
    "flows/transform.py",
    "rawg_simulator/launcher.py",
}


# Packages whose import costs seconds of CPU: the flows, tasks and gmp import them where they
# run (a build, a check, a Snowflake connection), so a process that does not use them (a run
# failing on its input, an ingest, `prefect deploy` reading the flows' parameters, a gmp
# command) does not pay for them.
IMPORTED_WHERE_USED = {"dbt", "dbt_common", "prefect_dbt", "prefect_snowflake", "snowflake"}


def python_files(room: str) -> Iterator[Path]:
    yield from sorted((REPO / room).rglob("*.py"))


def imported_packages(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


def touches_environment(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "putenv")
        ):
            yield node.lineno
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {a.name for a in node.names} & {"environ", "getenv", "putenv"}
        ):
            yield node.lineno


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_rooms_import_only_downwards(room: str) -> None:
    found = [
        f"{path.relative_to(REPO)}:{line} imports {package}"
        for path in python_files(room)
        for line, package in imported_packages(ast.parse(path.read_text()))
        if package in FORBIDDEN[room]
    ]
    assert not found, found


def module_level_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The packages a module imports when it is imported: not in a function, nor under
    ``if TYPE_CHECKING:``."""
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield from imported_packages(node)


def test_the_heavy_packages_are_imported_where_they_are_used() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line} imports {package} with the module"
        for room in ("flows", "tasks", "gmp")
        for path in python_files(room)
        for line, package in module_level_imports(ast.parse(path.read_text()))
        if package in IMPORTED_WHERE_USED
    ]
    assert not found, found


def test_the_ingest_benchmark_runs_the_core_without_prefect() -> None:
    """benchmarks/ingest.py measures the core ingest's peak RSS in a process of its own, with
    the entry points' collector setting: Prefect's imports there would count as the ingest's."""
    benchmark = ast.parse((REPO / "benchmarks" / "ingest.py").read_text())
    flows_used = {
        node.module
        for node in ast.walk(benchmark)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flows")
    }
    assert flows_used == {"flows.gc_thresholds"}
    setting = ast.parse((REPO / "flows" / "gc_thresholds.py").read_text())
    packages = {package for _, package in imported_packages(setting)}
    assert packages <= {"__future__", "collections", "contextlib", "gc", "threading"}


def test_only_the_boundaries_touch_the_environment() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for room in ("game_market", "rawg_simulator", "flows", "tasks", "gmp")
        for path in python_files(room)
        if str(path.relative_to(REPO)) not in ENVIRONMENT_ALLOWED
        for line in touches_environment(ast.parse(path.read_text()))
    ]
    assert not found, found


def test_the_checks_can_fail() -> None:
    tree = ast.parse("import os\nfrom flows.ingest import x\nos.environ.get('A')\n")
    assert [package for _, package in imported_packages(tree)] == ["os", "flows"]
    assert list(touches_environment(tree)) == [3]
    lazy = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import dbt\n"
        "def f():\n    import dbt\nimport dbt.cli\n"
    )
    assert list(module_level_imports(lazy)) == [(1, "typing"), (6, "dbt")]
