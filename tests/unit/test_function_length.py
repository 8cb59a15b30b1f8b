"""No function of the project (outside its tests) runs over 60 lines, decorators included:
one a reader takes in at once. Read from the source with ast."""

from __future__ import annotations

import ast
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIMIT = 60
ROOMS = ("benchmarks", "flows", "game_market", "gmp", "rawg_simulator", "scripts", "tasks", "tools")


def project_sources() -> list[Path]:
    """The rooms' Python files, not a tool's own environment (tools/checkov/.venv)."""
    found = []
    for room in ROOMS:
        for folder, subfolders, files in os.walk(REPO / room):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            found += [Path(folder) / name for name in files if name.endswith(".py")]
    return sorted(found)


def long_functions(source: str) -> list[tuple[int, str, int]]:
    """(line, name, lines) of each function over the limit, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > LIMIT:
                found.append((node.lineno, node.name, lines))
    return found


def test_no_function_runs_over_sixty_lines() -> None:
    over = [
        f"{path.relative_to(REPO)}:{line} {name}: {lines} lines"
        for path in project_sources()
        for line, name, lines in long_functions(path.read_text())
    ]
    assert not over, f"split these along their steps (at most {LIMIT} lines):\n" + "\n".join(over)


def test_the_count_starts_at_the_first_decorator() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(LIMIT - 2))
    exactly = f"@decorator\ndef f():\n{body}\n"
    assert long_functions(exactly) == []
    assert long_functions(f"@another\n{exactly}") == [(3, "f", LIMIT + 1)]
