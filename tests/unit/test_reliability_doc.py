"""The reliability page stays true: the README links it, and every test it cites exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "reliability.md").read_text()


def test_the_readme_and_the_site_link_it() -> None:
    assert "](docs/reliability.md)" in (REPO / "README.md").read_text()
    assert "reliability.md" in (REPO / "mkdocs.yml").read_text()


def test_every_test_it_cites_exists() -> None:
    files = {path.name: path for path in (REPO / "tests").rglob("test_*.py")}
    cited = re.findall(r"(test_\w+\.py)(?:::(test_\w+))?", DOC)
    assert len(cited) > 20
    for name, function in cited:
        assert name in files, name
        if function:
            defined = re.findall(r"^def (test_\w+)", files[name].read_text(), re.M)
            assert any(d.startswith(function) for d in defined), f"{name}::{function}"
    for path in re.findall(r"`((?:tests|benchmarks|game_market)/[\w/]+\.py)`", DOC):
        assert (REPO / path).is_file(), path
