"""The error an unusable RAWG answer ends in: one sentence that names the cause and the fix.

Only a 401, or a 429 that says so (a Retry-After beyond what a run waits, or RAWG's own
message), is called a spent quota. A throttle that outlasts the retry budget is a throttle,
and says how long it lasted.
"""

from __future__ import annotations

from dataclasses import dataclass

from game_market.errors import (
    RawgAuthError,
    RawgError,
    RawgQuotaExceeded,
    RawgRequestFailed,
    RawgThrottled,
)
from game_market.rawg.retries import MAX_RETRY_AFTER_S, Outcome

# How a refused run is resumed: complete partitions are kept and skipped.
RESUME = (
    "rerun with only_missing (`gmp backfill` does by default, `gmp ingest-all --only-missing`) "
    "to fetch only what is missing"
)


@dataclass(frozen=True)
class Request:
    """The request that failed, as a message may show it (``url`` has ``key=***``)."""

    endpoint: str
    page: int | None
    where: str  # "games page 3", or the endpoint of a detail page
    url: str


def failure(outcome: Outcome, request: Request, retries: int, failing_s: float) -> RawgError:
    """The error for ``outcome``, the last answer after ``retries`` retries over
    ``failing_s`` seconds since the first failure."""
    where, url = request.where, request.url
    if outcome.status == "401":
        return RawgAuthError(
            f"RAWG rejected the API key ({outcome.detail}): check RAWG_API_KEY in .env or "
            "the environment, and the key's usage at rawg.io, since RAWG also answers 401 "
            f"once the monthly quota is spent; then {RESUME}."
        )
    if outcome.quota_spent:
        return RawgQuotaExceeded(
            f"{_quota_answer(outcome, where)}: the monthly quota of "
            f"RAWG_API_KEY is spent, check its usage at rawg.io; once it resets, {RESUME}."
        )
    if outcome.fatal:
        return RawgRequestFailed(
            f"RAWG answered {outcome.status} ({outcome.detail}) for {where} at {url}; "
            "this is not retryable, check the request parameters.",
            endpoint=request.endpoint,
            page=request.page,
            status=outcome.status,
        )
    if outcome.status == "429":
        return RawgThrottled(
            f"RAWG kept throttling {where} for {failing_s:,.0f} seconds (429 after {retries} "
            f"retries) at {url}: lower RAWG_MAX_CONCURRENCY or raise "
            f"RAWG_RETRY_BUDGET_SECONDS, then {RESUME}."
        )
    return RawgRequestFailed(
        f"Giving up on {where} after {retries} retries over {failing_s:,.0f} seconds (last: "
        f"{outcome.status}) at {url}; check RAWG_BASE_URL and the network, then rerun.",
        endpoint=request.endpoint,
        page=request.page,
        status=outcome.status,
    )


def _quota_answer(outcome: Outcome, where: str) -> str:
    if outcome.retry_after is not None and outcome.retry_after > MAX_RETRY_AFTER_S:
        return (
            f"RAWG answered {where} with 429 and Retry-After {outcome.retry_after:,.0f} s, "
            f"longer than a run waits ({MAX_RETRY_AFTER_S:.0f} s)"
        )
    return f"RAWG answered {where} with 429 ({outcome.detail})"
