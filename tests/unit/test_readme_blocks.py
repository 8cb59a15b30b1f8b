"""The extractor behind tests/integration/test_readme_commands.py: an edit of README.md that
drops a section, a block, an exception or the step the test follows by hand fails loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.readme import (
    EXCEPTIONS,
    MARK,
    ReadmeError,
    block_output,
    steps,
    terminal_script,
)

REPO = Path(__file__).resolve().parents[2]
README = """# Project

## Quick start

```bash
make demo
make test
```

Browser tests:

```bash
sudo apt install chromium shellcheck docker-compose
```

## With your RAWG key

1. Copy the settings:

   ```bash
   cp .env.example .env
   ```

2. Run it:

   ```bash
   . .venv/bin/activate
   gmp daily
   ```

## The local platform

```bash
make start
```
"""


def test_the_blocks_of_both_sections_in_order_without_the_exceptions() -> None:
    blocks = steps(README)
    assert [(b.section, b.number, b.commands) for b in blocks] == [
        ("Quick start", 1, "make demo\n"),
        ("With your RAWG key", 3, "cp .env.example .env\n"),
        ("With your RAWG key", 4, ". .venv/bin/activate\ngmp daily\n"),
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("## With your RAWG key", "## With a key"), "no '## With your RAWG key' section"),
        (("   ```bash", "   ```shell"), "'## With your RAWG key' section has no ```bash block"),
        (("make test\n", ""), "not the documented exceptions"),
        (("sudo apt install chromium shellcheck", "sudo apt-get install chromium"), "not the"),
    ],
)
def test_an_edit_that_drops_a_step_fails_loudly(edit: tuple[str, str], message: str) -> None:
    readme = README.replace(*edit)
    assert readme != README
    with pytest.raises(ReadmeError, match=message):
        steps(readme)


def test_the_hand_step_follows_its_block_and_must_find_it() -> None:
    blocks = steps(README)
    script = terminal_script(blocks, {"cp .env.example .env": "echo KEY >> .env\n"})
    assert script.index("cp .env.example .env") < script.index("echo KEY >> .env")
    assert script.index("echo KEY >> .env") < script.index(f"{MARK} 4 start")
    with pytest.raises(ReadmeError, match=re.escape("cp .env.example .env")):
        terminal_script(
            steps(README.replace("cp .env.example", "cp env.example")),
            {"cp .env.example .env": "echo KEY >> .env\n"},
        )


def test_each_block_output_is_framed() -> None:
    output = f"{MARK} 1 start\nbuilt\n{MARK} 1 exit 0\n{MARK} 3 start\nfailed here\n"
    assert block_output(output, 1) == "built\n"
    assert block_output(output, 3) == "failed here\n"


def test_the_readme_has_every_exception_and_the_key_steps() -> None:
    blocks = steps((REPO / "README.md").read_text())
    commands = "".join(block.commands for block in blocks)
    assert not any(line in commands.splitlines() for line in EXCEPTIONS)
    for step in ("make demo", "cp .env.example .env", "gmp doctor", "gmp daily", "gmp report"):
        assert step in commands.splitlines(), step
