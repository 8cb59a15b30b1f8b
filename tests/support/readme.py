"""README.md's shell blocks, as a user copies them into a terminal, section by section.

``steps`` takes the ```bash fences of the named sections in order, without the commands a
test cannot run as written (``EXCEPTIONS``, each with why); it fails loudly when a section, a
block or an exception is missing, so an edit of the README cannot drop a step from the test
unnoticed.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SECTIONS = ("Quick start", "With your RAWG key")
# The README's commands the test does not run, and why; each must still be in the README.
EXCEPTIONS: Mapping[str, str] = {
    "make test": "the whole suite, which is what is running this test",
    "sudo apt install chromium shellcheck docker-compose": "needs root; `make test` runs it "
    "itself where it can, and without them the tests that need them skip",
}
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```bash[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)


class ReadmeError(AssertionError):
    """README.md no longer has what the test of its commands runs."""


@dataclass(frozen=True)
class Block:
    section: str
    number: int  # 1-based, counting every block of the sections in order
    commands: str  # the block's text, its exceptions removed

    @property
    def name(self) -> str:
        return f"{self.section!r} block {self.number}"


def section_text(readme: str, title: str) -> str:
    """The text under ``## title`` up to the next heading of level 2 or above."""
    match = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^#{{1,2}} |\Z)", readme, re.M | re.S)
    if match is None:
        raise ReadmeError(f"README.md has no '## {title}' section.")
    return match.group(1)


def bash_blocks(text: str) -> list[str]:
    """The ```bash fences of ``text``, dedented (a fence inside a list item is indented)."""
    return [textwrap.dedent(m.group("body")) for m in FENCE.finditer(text)]


def steps(
    readme: str,
    sections: Sequence[str] = SECTIONS,
    exceptions: Mapping[str, str] = EXCEPTIONS,
) -> list[Block]:
    """Every block of ``sections`` in order, each exception's line removed; a block left
    empty is dropped. Raises ``ReadmeError`` when a section has no block or when the
    exceptions found are not exactly ``exceptions``."""
    blocks: list[Block] = []
    skipped: list[str] = []
    number = 0
    for title in sections:
        found = bash_blocks(section_text(readme, title))
        if not found:
            raise ReadmeError(f"README.md's '## {title}' section has no ```bash block.")
        for body in found:
            number += 1
            kept = []
            for line in body.splitlines():
                if line.strip() in exceptions:
                    skipped.append(line.strip())
                else:
                    kept.append(line)
            if any(line.strip() for line in kept):
                blocks.append(Block(title, number, "\n".join(kept) + "\n"))
    if sorted(skipped) != sorted(exceptions):
        raise ReadmeError(
            f"The README commands the test skips are {sorted(skipped)}, not the documented "
            f"exceptions {sorted(exceptions)}: update EXCEPTIONS in tests/support/readme.py."
        )
    return blocks


MARK = "### README block"


def terminal_script(blocks: Sequence[Block], after: Mapping[str, str]) -> str:
    """The blocks as a terminal runs them, in order; after the block holding a line
    that is a key of ``after``, that key's shell (what the README tells the user to do by hand,
    or a check of what the block made). Each block is framed by ``MARK <n> start`` and
    ``MARK <n> exit 0`` lines: the block whose end is missing is the one that failed. Raises
    ``ReadmeError`` when no block holds one of the lines."""
    parts = []
    pending = dict(after)
    for block in blocks:
        parts.append(f"printf '%s\\n' '{MARK} {block.number} start'\n{block.commands}")
        parts.append(f"printf '%s\\n' '{MARK} {block.number} exit 0'\n")
        lines = {line.strip() for line in block.commands.splitlines()}
        for line in [line for line in pending if line in lines]:
            parts.append(pending.pop(line))
    if pending:
        raise ReadmeError(f"No README block runs {sorted(pending)}, which the test follows.")
    return "".join(parts)


def block_output(output: str, number: int) -> str:
    """What block ``number`` printed in a terminal's output."""
    start = output.index(f"{MARK} {number} start\n") + len(f"{MARK} {number} start\n")
    end = output.find(f"{MARK} {number} exit", start)
    return output[start:] if end < 0 else output[start:end]
