"""The dbt subflow with node_tasks: one Prefect task run per dbt node through prefect-dbt's
runner, a failing dbt test a Failed task run, and the asset events Prefect Cloud draws its
lineage from; on a small generated lake, one fact table and the calendar."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prefect.client.schemas.objects import StateType

from flows.transform import transform
from rawg_simulator.lake import LakeSpec, generate
from tests.support.layout import LAKE, WAREHOUSE, in_folder
from tests.support.prefect import asset_events, run_details, settled_task_runs

pytestmark = pytest.mark.usefixtures("prefect_harness")

SELECT = "+fct_game_daily_snapshots dim_date"
FAILING = "relationships_fct_game_daily_snapshots_dt__date_day__ref_dim_date_"
# The relations the selection builds, as prefect-dbt names them as assets.
FACT, CALENDAR, STAGED = (
    f"duckdb://game_market/main/{name}"
    for name in ("fct_game_daily_snapshots", "dim_date", "stg_rawg__games")
)


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two days of 400 games rows at a clone's lake path; dbt selects only the tests whose
    every parent the selection builds (its default also takes the marts' tests of dim_date)."""
    in_folder(tmp_path, monkeypatch)
    generate(LakeSpec(games=400, days=2), tmp_path / LAKE.parent, with_json=False)
    (tmp_path / WAREHOUSE).parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    return tmp_path


def test_a_failing_dbt_test_is_a_failed_task_run_and_the_models_are_assets(lake: Path) -> None:
    # A calendar that starts after the data breaks the relationships into dim_date.
    state = transform(
        select=SELECT, vars={"calendar_start": "2030-01-01"}, node_tasks=True, return_state=True
    )
    assert state.is_failed()
    assert state.message == f"dbt build failed on 1 node(s): test {FAILING} (400 failures)."

    flow_run_id = state.state_details.flow_run_id
    markdown, _ = asyncio.run(run_details(flow_run_id))
    # The artifact still lists every node: each one dbt ran is a task run of its own, but for
    # the project's hooks (dbt's operations).
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    assert rows[0].startswith("| test | relationships\\_") and "**fail**" in rows[0]
    nodes = [row for row in rows if not row.startswith("| operation |")]
    runs = asyncio.run(settled_task_runs(flow_run_id, count=len(nodes)))
    states = {run.name: run.state_type for run in runs}
    assert len(runs) == len(nodes) > 10
    assert states[f"test {FAILING}"] == StateType.FAILED
    assert [name for name, state in states.items() if state != StateType.COMPLETED] == [
        f"test {FAILING}"
    ]
    assert states["model fct_game_daily_snapshots"] == StateType.COMPLETED

    events = asyncio.run(asset_events(flow_run_id, assets=3))
    lineage = {
        event.resource.id: {related.id for related in event.related if related.role == "asset"}
        for event in events
        if event.event == "prefect.asset.materialization.succeeded"
    }
    assert lineage[FACT] == {STAGED} and lineage[CALENDAR] == set()
    # The staging model reads the lake's Parquet files: its upstream asset is that source.
    (source,) = lineage[STAGED]
    assert "read_parquet" in source and "raw/games" in source
