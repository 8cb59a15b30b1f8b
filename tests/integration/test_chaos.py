"""Chaos equals clean: three days' runs against a sandbox failing 30% of its answers land the
same lake and build the same marts as against a clean one, and report every retry. The first
two days are ingest-all runs and the last a daily run, whose build takes in all three: the same
ingest, and one build a side rather than three.

Both sandboxes serve the same catalog; the faulty one mixes 429s with Retry-After, 500, 502
and 503 pages, slow answers, bodies cut in half and malformed JSON, drawn from its seed per
request and occurrence, so the run is the same every time. RAWG_MAX_RETRIES is raised to 10:
at 30% a request fails 6 times in a row once in ~1,400, and these runs make ~600.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from flows.daily import daily_game_market_update
from flows.ingest import ingest_all
from game_market.lake import Lake
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.lake_compare import assert_same_lake, assert_same_marts
from tests.support.layout import LAKE, WAREHOUSE, in_folder
from tests.support.prefect import run_details
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, sandbox_stats

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAYS = [date(2026, 1, 16), date(2026, 1, 17), date(2026, 1, 18)]


@pytest.fixture(scope="module")
def faulty_sandbox() -> Iterator[str]:
    config = SandboxConfig(
        games=1500, seed=11, days=30, today=SANDBOX_TODAY, fault_rate=0.3, slow_ms=200
    )
    with running_sandbox(config) as url:
        yield url


def run_days(root: Path, sandbox: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The runs of DAYS into ``root``; the retries their ingest artifacts report."""
    monkeypatch.setenv("RAWG_API_KEY", SECRET_KEY)
    monkeypatch.setenv("RAWG_BASE_URL", sandbox)
    monkeypatch.setenv("RAWG_MAX_RETRIES", "10")
    in_folder(root, monkeypatch)
    retries = 0
    for day in DAYS:
        flow = daily_game_market_update if day == DAYS[-1] else ingest_all
        state = asyncio.run(flow(date=day, detail_budget=10, return_state=True))
        assert state.is_completed(), state.message
        markdown, _ = asyncio.run(run_details(state.state_details.flow_run_id))
        reported = re.search(r"\*\*RAWG requests used: [\d,]+\*\* \(([\d,]+) retr", markdown)
        assert reported, markdown
        retries += int(reported.group(1).replace(",", ""))
    return retries


def test_a_faulty_api_lands_the_same_lake_and_marts_and_reports_every_retry(
    sandbox_url: str, faulty_sandbox: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_retries = run_days(tmp_path / "clean", sandbox_url, monkeypatch)
    chaos_retries = run_days(tmp_path / "chaos", faulty_sandbox, monkeypatch)

    faults = sandbox_stats(faulty_sandbox)["faults"]
    # Every fault but a slow answer is retried; a slow one (200 ms) is only late.
    assert chaos_retries == sum(count for kind, count in faults.items() if kind != "slow") > 10
    assert clean_retries == 0 and all(faults.values()), faults  # every kind of fault met

    clean, chaos = Lake(str(tmp_path / "clean" / LAKE)), Lake(str(tmp_path / "chaos" / LAKE))
    assert_same_lake(clean, chaos)
    assert_same_marts(tmp_path / "clean" / WAREHOUSE, tmp_path / "chaos" / WAREHOUSE)
