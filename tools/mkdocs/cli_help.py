"""mkdocs hook: the commands page's reference, each `gmp` command's `--help` as argparse prints
it, generated from gmp/main.py so that the page cannot drift from the command line."""

from __future__ import annotations

import argparse
import os
from typing import Any

from gmp.main import build_parser

MARKER = "<!-- gmp-help -->"
WIDTH = "100"  # argparse wraps at $COLUMNS; the page's code blocks are read at this width


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, help_sections())


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def help_sections() -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parsers = subcommands(build_parser())
        sections = [
            f"### `gmp {name}`\n\n```text\n{parser.format_help().rstrip()}\n```"
            for name, parser in parsers.items()
        ]
    finally:
        if previous is None:
            os.environ.pop("COLUMNS")
        else:
            os.environ["COLUMNS"] = previous
    return "\n\n".join(sections)
