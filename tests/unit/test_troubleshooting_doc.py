"""Every message docs/troubleshooting.md quotes is one the code still prints, word for word.

A quoted message is a list item (at any depth) that is a code span and nothing else. The
code's messages are its string literals and f-strings (Python), and its double-quoted strings
(the Makefile and the shell scripts), where each interpolated value, like each ``<placeholder>``
of the page, stands for any text. A message reworded in the code fails here until the page
says it anew.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "troubleshooting.md"
PYTHON_SOURCES = ("game_market", "gmp", "flows", "tasks")
ANY = "\x00"  # a value the code fills in
QUOTE = re.compile(r"^ *- (`+) ?(.+?) ?\1$", re.MULTILINE)
# printf-style fields of log messages, and the shell's and make's expansions
PRINTF_FIELD = re.compile(r"%[-+ #0-9.]*[sdfgr]")
SHELL_EXPANSION = re.compile(
    r"\$\$\{[^}]*\}|\$\$[A-Za-z_]\w*|\$\{[^}]*\}|\$\([^()]*(?:\([^()]*\)[^()]*)*\)"
    r"|\$[A-Za-z_*#@0-9]\w*"
)
SHELL_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
# A message must hold this much of its own words: `f"{a}: {b}"` would match anything.
MIN_LITERAL = 12


def quoted_messages(page: str) -> list[str]:
    return [match.group(2) for match in QUOTE.finditer(page)]


class _Strings:
    """The string expressions of one Python module, with names of its module-level string
    constants filled in and every other value as ANY."""

    def __init__(self, tree: ast.Module) -> None:
        self.constants: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, text = node.targets[0], self.text(node.value)
                if isinstance(target, ast.Name) and text is not None and ANY not in text:
                    self.constants[target.id] = text

    def text(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return PRINTF_FIELD.sub(ANY, node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.text(value) or ANY for value in node.values)
        if isinstance(node, ast.FormattedValue):
            if isinstance(node.value, ast.Name) and node.conversion == -1:
                return self.constants.get(node.value.id, ANY)
            return ANY
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.text(node.left), self.text(node.right)
            if left is not None or right is not None:
                return (left or ANY) + (right or ANY)
        return None


def python_messages(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text())
    strings = _Strings(tree)
    for node in ast.walk(tree):
        text = strings.text(node)
        if text is not None:
            yield text


def shell_messages(path: Path) -> Iterator[str]:
    for line in path.read_text().splitlines():
        for match in SHELL_STRING.finditer(SHELL_EXPANSION.sub(ANY, line)):
            yield match.group(1)


def prefect_messages() -> Iterator[str]:
    """Prefect's own, for the state message of a run that timed out."""
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    yield from python_messages(Path(spec.origin).parent / "flow_engine.py")


def code_messages() -> list[str]:
    texts: list[str] = []
    for package in PYTHON_SOURCES:
        for path in sorted((REPO / package).rglob("*.py")):
            texts += python_messages(path)
    for path in sorted((REPO / "scripts").glob("*.py")):
        texts += python_messages(path)
    for path in [REPO / "Makefile", *sorted((REPO / "scripts").glob("*.sh"))]:
        texts += shell_messages(path)
    texts += prefect_messages()
    return [text for text in texts if len(text.replace(ANY, "")) >= MIN_LITERAL]


def as_pattern(message: str) -> re.Pattern[str]:
    """The code's message as a regular expression: each value it fills in matches any text."""
    return re.compile(".*?".join(re.escape(part) for part in message.split(ANY)), re.DOTALL)


@pytest.fixture(scope="module")
def patterns() -> list[re.Pattern[str]]:
    return [as_pattern(text) for text in set(code_messages())]


def printed_by_the_code(quote: str, patterns: list[re.Pattern[str]]) -> bool:
    return any(pattern.fullmatch(quote) for pattern in patterns)


def test_every_quoted_message_is_printed_by_the_code(patterns: list[re.Pattern[str]]) -> None:
    quotes = quoted_messages(PAGE.read_text())
    assert len(quotes) >= 80, "the page's messages are list items that are one code span each"
    unknown = [quote for quote in quotes if not printed_by_the_code(quote, patterns)]
    assert not unknown, "no code prints these (reworded?):\n" + "\n".join(unknown)


def test_a_reworded_message_is_not_found(patterns: list[re.Pattern[str]]) -> None:
    quote = "RAWG rejected the API key (<detail>): check RAWG_API_KEY in .env or the environment"
    assert printed_by_the_code(
        quote + ", and the key's usage at rawg.io, since RAWG also answers 401 once the "
        "monthly quota is spent; then rerun with only_missing (`gmp backfill` does by "
        "default, `gmp ingest-all --only-missing`) to fetch only what is missing.",
        patterns,
    )
    assert not printed_by_the_code(quote + ", and the usage at rawg.io.", patterns)
    assert printed_by_the_code(
        "port <port> is in use: stop what uses it, or set GMP_SERVER_PORT", patterns
    )
    assert not printed_by_the_code("port <port> is busy: set GMP_SERVER_PORT", patterns)


def test_each_place_a_message_comes_from_has_its_section() -> None:
    page = PAGE.read_text()
    sections = re.split(r"^## ", page, flags=re.MULTILINE)[1:]
    titles = [section.splitlines()[0] for section in sections]
    assert titles == [
        "gmp doctor",
        "Settings",
        "Dates and run parameters",
        "The RAWG key and the quota",
        "The lake",
        "The warehouse and dbt",
        "The Prefect server and deployments",
        "The local platform",
        "Cloud deployment",
        "Data checks",
    ]
    assert all(quoted_messages(section) for section in sections)


def test_messages_with_backticks_are_quoted_whole() -> None:
    """A message holding a command in backticks needs the double-backtick span, or the page
    would show it cut in pieces."""
    for line in map(str.lstrip, PAGE.read_text().splitlines()):
        if line.startswith("- `") and not line.startswith("- ``"):
            assert line.count("`") == 2, line
