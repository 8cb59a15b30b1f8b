"""A quota that runs out partway through a backfill: the run fails soon, naming the key or the
quota; what landed stays, what was half fetched stays invisible, and the rerun once the quota
is back fetches only what is missing.

One sandbox serves a clean backfill first (the reference lake, and what each partition cost),
then the same backfill with a quota that runs out inside the third day's game details, answered
401 or 429 (Retry-After a day) once spent. Days run one at a time so the quota always runs out
at that point; the details' requests still go out CONCURRENCY at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from prefect.states import State

from flows.backfill import game_market_backfill
from game_market.endpoints import ENDPOINTS, Endpoint, Kind, of_kind
from game_market.lake import DATA_FILE, MANIFEST_FILE, Lake
from rawg_simulator import SandboxConfig, add_arguments, config_from_args, running_sandbox
from rawg_simulator.config import sandbox_command
from tests.support.layout import LAKE, in_folder
from tests.support.prefect import run_details
from tests.support.sandbox import (
    SANDBOX_TODAY,
    SECRET_KEY,
    InProcessClient,
    config,
    get,
    reset_sandbox,
    sandbox_stats,
    set_quota,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")

DAYS = [SANDBOX_TODAY - timedelta(days=n) for n in range(10, 0, -1)]
CONCURRENCY = 4  # RAWG_MAX_CONCURRENCY: requests in flight
TIMEOUT_S = 5  # RAWG_TIMEOUT_SECONDS
# The client's bound for a 401 or a 429 with a long Retry-After: the request that meets it
# ends within one timeout, those in flight within another (see game_market.rawg.client).
BOUND_S = 2 * TIMEOUT_S
FLOW_EPILOGUE_S = 5  # after the last request: the run's artifact and its final state
CAUSE = {
    "401": "RAWG rejected the API key (API key limit reached): check RAWG_API_KEY in .env or "
    "the environment, and the key's usage at rawg.io, since RAWG also answers 401 once the "
    "monthly quota is spent; then rerun with only_missing",
    "429": "with 429 and Retry-After 86,400 s, longer than a run waits (120 s): the monthly "
    "quota of RAWG_API_KEY is spent, check its usage at rawg.io; once it resets, rerun with "
    "only_missing",
}
BOOKKEEPING = ["_ingested_at", "_run_id", "_page", "_pos"]
Partition = tuple[Endpoint, date]


def backfill(root: Path, sandbox: str) -> State:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAWG_API_KEY", SECRET_KEY)
        env.setenv("RAWG_BASE_URL", sandbox)
        env.setenv("RAWG_MAX_CONCURRENCY", str(CONCURRENCY))
        env.setenv("RAWG_TIMEOUT_SECONDS", str(TIMEOUT_S))
        in_folder(root, env)
        return asyncio.run(
            game_market_backfill(
                start_date=DAYS[0],
                end_date=DAYS[-1],
                max_concurrent_days=1,
                detail_budget=12,
                return_state=True,
            )
        )


def costs(lake: Lake) -> dict[Partition, int]:
    """Every partition a reader finds, with the requests its manifest says it cost; each
    folder holds a whole partition (its data and its manifest) or is not there."""
    found = {}
    for endpoint in ENDPOINTS:
        for day in lake.partitions(endpoint):
            folder = Path(lake.partition_dir(endpoint, day))
            assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_FILE, DATA_FILE]
            manifest = lake.read_manifest(endpoint, day)
            assert manifest is not None
            found[endpoint, day] = manifest.requests
    return found


def rows(lake: Lake, partition: Partition) -> pl.DataFrame:
    return lake.read_partition(*partition).drop(BOOKKEEPING).sort("id")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    config = SandboxConfig(games=300, seed=5, days=10, today=SANDBOX_TODAY)
    with running_sandbox(config) as url:
        yield url


@pytest.fixture(scope="module")
def clean(sandbox: str, tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("clean")
    reset_sandbox(sandbox)
    state = backfill(root, sandbox)
    assert state.is_completed(), state.message
    lake = Lake(str(root / LAKE))
    assert sum(costs(lake).values()) == sandbox_stats(sandbox)["requests"]
    return lake


def quota_inside_third_days_details(cost: dict[Partition, int]) -> int:
    """Reference lists (taken first, for the last day), two whole days, the third day's games
    and 2 of its details: the requests a backfill gets through before the quota is spent."""
    first = [(e, DAYS[-1]) for e in of_kind(Kind.SNAPSHOT)]
    first += [(e, d) for d in DAYS[:2] for e in of_kind(Kind.DAILY) + of_kind(Kind.DETAILS)]
    first += [(Endpoint.GAMES, DAYS[2])]
    assert cost[Endpoint.GAME_DETAILS, DAYS[2]] > 2 + CONCURRENCY
    return sum(cost[p] for p in first) + 2


@pytest.mark.parametrize("answer", ["401", "429"])
def test_a_quota_spent_mid_backfill_fails_soon_keeps_what_landed_and_resumes(
    answer: str, sandbox: str, clean: Lake, tmp_path: Path
) -> None:
    clean_cost = costs(clean)
    quota = quota_inside_third_days_details(clean_cost)
    reset_sandbox(sandbox)
    set_quota(sandbox, quota, answer)

    state = backfill(tmp_path, sandbox)
    ended = time.time()
    served = sandbox_stats(sandbox)["quota"]

    # The run fails soon after RAWG starts refusing, in one sentence naming the cause.
    assert state.is_failed()
    assert state.message.startswith("Backfill stopped with 2 of 10 dates done: RAWG ")
    assert CAUSE[answer] in state.message and SECRET_KEY not in state.message
    assert ended - served["first_refused_at"] <= BOUND_S + FLOW_EPILOGUE_S
    # Only requests already in flight met the refusal: none was retried, none sent after it,
    # and the days after the third were not even started.
    assert served["accepted"] == quota and 1 <= served["refused"] <= CONCURRENCY
    artifact, _ = asyncio.run(run_details(state.state_details.flow_run_id))
    assert artifact.count("| not started: RAWG ") == len(DAYS) - 3

    # What landed is whole and the clean run's; the third day's details, 2 requests in, are
    # nowhere to be seen, and nothing was started after them.
    lake = Lake(str(tmp_path / LAKE))
    landed = costs(lake)
    assert sorted(landed) == sorted(
        [(e, DAYS[-1]) for e in of_kind(Kind.SNAPSHOT)]
        + [(e, d) for d in DAYS[:2] for e in (Endpoint.GAMES, Endpoint.GAME_DETAILS)]
        + [(Endpoint.GAMES, DAYS[2])]
    )
    for partition in landed:
        assert rows(lake, partition).equals(rows(clean, partition)), partition
    assert sum(landed.values()) == quota - 2
    kept_runs = {p: lake.read_manifest(*p).run_id for p in landed}

    # Once the quota is back, the rerun (only_missing, the default) fetches just the rest.
    set_quota(sandbox, None)
    reset_sandbox(sandbox)
    rerun = backfill(tmp_path, sandbox)
    assert rerun.is_completed(), rerun.message
    missing = set(clean_cost) - set(landed)
    assert sandbox_stats(sandbox)["requests"] == sum(clean_cost[p] for p in missing)
    assert costs(lake) == clean_cost
    for partition in clean_cost:
        assert rows(lake, partition).equals(rows(clean, partition)), partition
    assert {p: lake.read_manifest(*p).run_id for p in landed} == kept_runs  # not fetched again


def test_the_sandbox_quota_comes_from_its_command_line_and_is_set_again_by_post() -> None:
    spent = config(games=100, quota_requests=2, quota_answer="429")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert config_from_args(parser.parse_args(sandbox_command(spent, port=1)[3:])) == spent

    with InProcessClient(spent) as sandbox:
        answers = [get(sandbox, f"{sandbox.base}/genres") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 429, 429]
        assert answers[-1].headers["Retry-After"] == "86400"
        quota = sandbox_stats(sandbox.base, sandbox)["quota"]
        assert (quota["accepted"], quota["refused"]) == (2, 2) and quota["first_refused_at"]

        set_quota(sandbox.base, 1, "401", client=sandbox)
        answers = [get(sandbox, f"{sandbox.base}/genres") for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 401]
        assert answers[-1].json() == {"error": "API key limit reached"}
        set_quota(sandbox.base, None, client=sandbox)
        assert get(sandbox, f"{sandbox.base}/genres").status_code == 200
