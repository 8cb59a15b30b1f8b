"""The `dbt-build` slot's one sentence tells a missing limit from an API that did not answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect._internal.concurrency.services import QueueService
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.build_slot import build_slot
from game_market.errors import PipelineError
from rawg_simulator import free_port


@pytest.fixture
def dead_api() -> Iterator[str]:
    """An API URL nothing listens on. Prefect's slot service, a process-wide singleton, stays
    bound to the server it first met: the test's is started on this URL and stopped after."""
    api = f"http://127.0.0.1:{free_port()}/api"
    QueueService.drain_all()
    with temporary_settings({PREFECT_API_URL: api}):
        yield api
        QueueService.drain_all()


def test_a_deployment_run_whose_api_does_not_answer_is_told_so(
    dead_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", "00000000-0000-0000-0000-000000000001")
    with pytest.raises(PipelineError) as refused, build_slot():
        pytest.fail("the build ran without its slot")
    message = str(refused.value)
    assert message.startswith(f"The Prefect API at {dead_api} did not give the 'dbt-build' slot (")
    assert "ConnectError" in message and "check that the server is up" in message
    assert "make cloud-pool" not in message
