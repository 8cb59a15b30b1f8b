"""A lake or warehouse that cannot be used ends a run in one sentence naming it and the fix,
reports nothing as success and loses nothing already landed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.transform import transform

WAREHOUSE_HOLDER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
    "sys.stdin.read()"
)


@pytest.fixture
def held_warehouse(tmp_path: Path) -> Iterator[Path]:
    """A DuckDB file another program has open for writing (a DuckDB shell, a notebook)."""
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", WAREHOUSE_HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield path
    finally:
        holder.communicate("", timeout=30)


@pytest.mark.usefixtures("prefect_harness")
def test_a_warehouse_another_program_holds_fails_the_build_in_one_sentence(
    held_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(held_warehouse))
    monkeypatch.setenv("LAKE_URL", str(tmp_path / "lake"))
    state = transform(return_state=True)
    assert state.is_failed()
    message = state.message or ""
    assert message.startswith(f"Cannot write the warehouse at {held_warehouse} (")
    assert "lock" in message
    assert message.endswith(
        "close the program that has it open, then rerun (what landed in the lake stays)."
    )
