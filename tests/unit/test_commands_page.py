"""The commands page's reference is every `gmp` command's own `--help`, generated at build."""

from __future__ import annotations

from pathlib import Path

import yaml

from gmp.main import build_parser
from tools.mkdocs.cli_help import MARKER, help_sections, subcommands

REPO = Path(__file__).resolve().parents[2]


def test_the_page_holds_the_generated_reference_and_the_site_runs_its_hook() -> None:
    assert MARKER in (REPO / "docs" / "commands.md").read_text()
    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    assert "tools/mkdocs/cli_help.py" in config["hooks"]


def test_every_command_and_option_is_in_the_reference() -> None:
    reference = help_sections()
    for name, parser in subcommands(build_parser()).items():
        assert f"### `gmp {name}`" in reference
        for action in parser._actions:
            for option in action.option_strings:
                assert option in reference, (name, option)
