"""What `docker build` would be sent: every COPY source is tracked by git and not ignored."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.dockerfile import IGNORE, REPO, copy_sources, excluded


@pytest.mark.parametrize("source", copy_sources())
def test_every_copy_source_exists_and_is_in_the_build_context(source: str) -> None:
    assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
    assert not excluded(source, IGNORE), f"COPY {source}: excluded by .dockerignore"
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--", source],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked, f"COPY {source}: nothing tracked by git"
    left_out = [path for path in tracked if excluded(path, IGNORE)]
    assert not left_out, f"COPY {source}: .dockerignore drops tracked files {left_out[:5]}"
