"""The report against a warehouse another process holds open for writing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from game_market.report import build_report
from game_market.warehouse import WarehouseNotReady
from game_market.warehouse.duckdb_file import DuckDBWarehouse
from tests.support.report_marts import write_marts


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return write_marts(tmp_path / "warehouse.duckdb")


def test_a_warehouse_held_by_a_writer_is_a_pipeline_error(warehouse: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseNotReady) as raised:
            build_report(DuckDBWarehouse(warehouse))
    finally:
        holder.communicate("", timeout=30)

    message = str(raised.value)
    assert message.startswith(f"Cannot open the warehouse at {warehouse} read-only (")
    assert "lock" in message
    assert message.endswith("or rebuild it with `make transform`.")
