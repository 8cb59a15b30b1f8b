"""Page-level resume, from the CLI: `gmp ingest` of one big games partition whose RAWG quota
runs out partway (the run fails), then the same command once the quota is back. The second
run asks RAWG for the query's first page and the pages the first did not get, nothing more;
the partition reconciles with RAWG's count; the manifest reports the requests saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest

from game_market.lake import Lake
from game_market.lake.journal import journal_dir
from rawg_simulator import SandboxConfig, running_sandbox
from tests.support.cli import harness_env, run_gmp
from tests.support.sandbox import SANDBOX_TODAY, SECRET_KEY, ok, sandbox_stats, set_quota

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAY = date(2026, 1, 16)
QUOTA = 12


def test_a_partition_cut_short_by_the_quota_resumes_from_its_pages(tmp_path: Path) -> None:
    config = SandboxConfig(games=6000, seed=11, days=30, today=SANDBOX_TODAY)
    lake = Lake(str(tmp_path / "lake"))
    with running_sandbox(config) as url:
        count = ok(httpx, f"{url}/games", updated=f"{DAY},{DAY}", page_size=40)["count"]
        pages = -(-count // 40)
        assert pages > 2 * QUOTA
        env = harness_env(tmp_path, RAWG_API_KEY=SECRET_KEY, RAWG_BASE_URL=url, LAKE_URL=lake.url)
        command = ("ingest", "--endpoint", "games", "--date", str(DAY))
        set_quota(url, QUOTA)
        cut_short = run_gmp(*command, env=env, cwd=tmp_path)
        assert cut_short.returncode == 1 and "RAWG_API_KEY" in cut_short.stderr
        assert (journal_dir(lake.url, "games", str(DAY)) / "pages.bin").is_file()
        assert not lake.is_complete("games", DAY)

        set_quota(url, None)
        resumed = run_gmp(*command, env=env, cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        asked = sandbox_stats(url)["quota"]["accepted"]
    # The first run's QUOTA answers were page 1 and QUOTA - 1 other pages, all kept.
    assert asked == 1 + (pages - QUOTA)
    manifest = lake.read_manifest("games", DAY)
    assert manifest is not None
    assert (manifest.resumed_pages, manifest.requests) == (QUOTA - 1, asked)
    assert (manifest.rows, manifest.gap, manifest.expected_rows) == (count, 0, count)
    assert lake.read_partition("games", DAY)["id"].n_unique() == count
    assert not journal_dir(lake.url, "games", str(DAY)).exists()
