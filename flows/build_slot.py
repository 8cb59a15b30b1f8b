"""The dbt build's slot of the ``dbt-build`` global concurrency limit: one build at a time per
platform (DuckDB has a single writer; two builds of one incremental model would race, and two
Snowflake builds of `daily-ecs` and `backfill-ecs` would pay twice to collide).

A run of a deployment takes the slot strictly: the platform it runs on was set up with the
limit (``gmp setup-platform``, ``make cloud-pool``), and a missing one is a platform that was
not, said in one sentence before the build rather than built unguarded. A run ``gmp`` starts
itself on a temporary server, where no limit exists, builds without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError
from prefect.concurrency.sync import concurrency
from prefect.runtime import deployment
from prefect.settings import PREFECT_API_URL

from flows.limits import BUILD_LIMIT
from game_market.errors import PipelineError


def missing_limit() -> PipelineError:
    return PipelineError(
        f"The Prefect server has no {BUILD_LIMIT!r} global concurrency limit, which keeps "
        "two dbt builds from running at once: create it with `make cloud-pool` (Prefect "
        "Cloud, ECS) or `gmp setup-platform` (the local platform), then run again."
    )


def unreachable_api(cause: BaseException) -> PipelineError:
    return PipelineError(
        f"The Prefect API at {PREFECT_API_URL.value()} did not give the {BUILD_LIMIT!r} slot "
        f"({type(cause).__name__}: {cause}): check that the server is up and PREFECT_API_URL "
        "points at it, then run again."
    )


@contextmanager
def build_slot() -> Iterator[None]:
    """Hold the ``dbt-build`` slot for the block; strictly in a deployment's run."""
    strict = deployment.id is not None
    acquired = False
    try:
        # A build outlives a failed lease renewal: it is not stopped halfway for one.
        with concurrency(
            BUILD_LIMIT, occupy=1, strict=strict, raise_on_lease_renewal_failure=False
        ):
            acquired = True
            yield
    except ConcurrencySlotAcquisitionError as exc:
        if acquired:
            raise
        # Prefect raises it for a missing limit with no cause, and for an API that did not
        # answer (a refused connection, a 5xx) from that error.
        if exc.__cause__ is not None:
            raise unreachable_api(exc.__cause__) from exc
        raise missing_limit() from exc
