"""The docs speak of the project, never of how the work on it was organised.

Every Markdown page of the repository (README.md, the site's pages under docs/, the READMEs
beside the code) is searched for the words that belong to a work tracker rather than to the
project: the word "issue" in any form (no page needs it: a problem a user meets is an error,
a warning or a failure), "this round", "final code", and a numbered "stop" ("stop 3"; a server
that stops is fine). The changelog tells the history by date and version, so it is held to the
same words.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HISTORY_WORDS = re.compile(
    r"\bissues?\b|\bthis round\b|\bfinal code\b|\bstop\s+#?\d+\b", re.IGNORECASE
)


# Folders that hold no page of ours: environments, caches, built output, data.
SKIPPED = {".git", ".venv", ".tools", "data", "site", "target", "logs", "dbt_packages"}


def pages() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [d for d in subfolders if d not in SKIPPED and not d.startswith(".")]
        found += [Path(folder) / name for name in files if name.endswith(".md")]
    return sorted(found)


def test_the_pages_searched_include_the_readme_and_the_site() -> None:
    names = {str(page.relative_to(REPO)) for page in pages()}
    assert {"README.md", "scripts/README.md", "docs/index.md", "docs/changelog.md"} <= names


@pytest.mark.parametrize("text", ["see issue 29", "Issues #4", "in this round", "the final code"])
def test_the_check_catches_history_words(text: str) -> None:
    assert HISTORY_WORDS.search(text)


@pytest.mark.parametrize("text", ["`make down` stops the server", "stop it", "gmp server stop"])
def test_the_check_lets_stopping_servers_be(text: str) -> None:
    assert not HISTORY_WORDS.search(text)


def test_no_page_speaks_of_how_the_work_was_organised() -> None:
    found = [
        f"{page.relative_to(REPO)}:{number}: {match.group(0)!r}"
        for page in pages()
        for number, line in enumerate(page.read_text().splitlines(), start=1)
        for match in HISTORY_WORDS.finditer(line)
    ]
    assert found == [], "history words in the docs:\n" + "\n".join(found)
