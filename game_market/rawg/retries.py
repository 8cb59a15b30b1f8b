"""What one RAWG answer means, and how long to wait before asking again.

An answer is read into an :class:`Outcome`: a JSON object to use, a 404 (past the last page,
or gone), a 401 (the key, or its spent quota), a 429 that says the quota is spent (a
Retry-After beyond ``MAX_RETRY_AFTER_S``, or RAWG's own message naming the limit), a request
RAWG will never accept (other 4xx), or something worth retrying (other 429s, 408, 5xx,
timeouts, dropped connections, malformed bodies).

Retries are budgeted by count and by time (:class:`RetryPolicy`): a request retries at least
``max_retries`` times, and for at least ``budget_s`` seconds after its first failure, so a
RAWG outage or a burst of throttling shorter than the budget is ridden out.

The retry loop itself stays in ``RawgClient.get_json`` rather than in tenacity. Written with
``tenacity.AsyncRetrying`` it passed every unit test of the client, so nothing was lost, but
it was not clearer: it replaced a seven-line loop with about twenty lines of callbacks, and
everything that makes the policy ours stayed ours (the wait: Retry-After capped at 120 s,
else exponential backoff with equal jitter; the budget spent per attempt, the first from the
query's reservation; the retry tally; the final error messages). It also builds a retrying
object and closures per request: measured in one process on an instant MockTransport,
alternating, 7 repeats, +82 us of CPU per request (x1.45 of the client's own cost) and
x1.30 per page when paging, about 3% of the client's CPU per page against the sandbox.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
import orjson

from game_market.rawg.redaction import redact

MAX_RETRY_AFTER_S = 120.0
# RAWG's own words for a spent key ("API key limit reached"), as opposed to a short throttle.
QUOTA_SPENT_WORDS = re.compile(r"quota|limit (?:reached|exceeded)", re.IGNORECASE)
# Django REST framework's throttle message, which RAWG's stack sends with a 429: the wait in
# words ("Request was throttled. Expected available in 86400 seconds."), read when the
# Retry-After header is missing.
AVAILABLE_IN = re.compile(r"available in (\d+(?:\.\d+)?) second", re.IGNORECASE)


class Clock(Protocol):
    """Time as the retry loop sees it; tests pass a fake one and sleep for no real time."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class Outcome:
    """One attempt's result; ``status`` is the label counted in errors ("429", "timeout")."""

    status: str
    detail: str
    body: dict[str, Any] | None = None
    size: int = 0
    retry_after: float | None = None
    fatal: bool = False

    @property
    def quota_spent(self) -> bool:
        """A 429 asking for a longer wait than we ever make, or saying in RAWG's words that
        the key's limit is reached: a spent quota, not a throttle."""
        return self.status == "429" and (
            (self.retry_after is not None and self.retry_after > MAX_RETRY_AFTER_S)
            or QUOTA_SPENT_WORDS.search(self.detail) is not None
        )

    @property
    def retryable(self) -> bool:
        return (
            self.body is None
            and not self.fatal
            and self.status not in ("401", "404")
            and not self.quota_spent
        )


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep asking, and how long to wait in between.

    A request gives up once both budgets are spent: ``max_retries`` retries, and ``budget_s``
    seconds since its first failure. The count keeps a few retries when every attempt is slow
    (timeouts); the time keeps a request going through an outage of quick failures.
    """

    max_retries: int = 5
    budget_s: float = 120.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0

    def wait(self, retry: int, failing_s: float, retry_after: float | None) -> float | None:
        """Seconds before retry number ``retry`` (0-based), ``failing_s`` seconds after the
        first failure; None to give up. Past the count, the wait is cut to end with the time
        budget, so the last attempt is made as the budget ends."""
        delay = self.delay(retry, retry_after)
        if retry < self.max_retries:
            return delay
        left = self.budget_s - failing_s
        return min(delay, left) if left > 0 else None

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds before retry number ``retry`` (0-based): RAWG's Retry-After when it sent one."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        ceiling = self._ceiling(retry)
        return random.uniform(ceiling / 2, ceiling)

    def longest_s(self, timeout_s: float) -> float:
        """The longest one request can take before it gives up.

        The first attempt times out; then the longer of the two budgets: the count's, where
        every attempt times out and every wait is the longest allowed (a Retry-After of
        MAX_RETRY_AFTER_S, or the backoff's ceiling when that is longer), or the time's, whose
        last attempt starts as it ends. At the defaults (5 retries, 120 s, timeout 30 s):
        30 + max(5 x 30 + 5 x 120, 120 + 30) = 780 s. A 401, or a 429 that says the quota is
        spent, gives up after its first attempt: within ``timeout_s``.
        """
        waits = sum(max(MAX_RETRY_AFTER_S, self._ceiling(r)) for r in range(self.max_retries))
        by_count = self.max_retries * timeout_s + waits
        return timeout_s + max(by_count, self.budget_s + timeout_s)

    def _ceiling(self, retry: int) -> float:
        return min(self.backoff_max_s, self.backoff_base_s * 2**retry)


class MalformedBody(ValueError):
    """A 200 whose body is not the JSON object it should be: worth asking again."""


def json_object(content: bytes) -> dict[str, Any]:
    """A body as a JSON object of Python values."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise MalformedBody("invalid JSON") from None
    if not isinstance(body, dict):
        raise MalformedBody("JSON is not an object")
    return body


def read_response(
    response: httpx.Response, decode: Callable[[bytes], dict[str, Any]] = json_object
) -> Outcome:
    """What ``response`` means; a 200's body is read by ``decode``."""
    status = response.status_code
    if status == 200:
        try:
            body = decode(response.content)
        except MalformedBody as exc:
            return Outcome(status="malformed body", detail=str(exc))
        return Outcome(status="200", detail="ok", body=body, size=len(response.content))
    detail = _error_detail(response)
    if status == 429:
        retry_after = retry_after_seconds(response)
        if retry_after is None and (said := AVAILABLE_IN.search(detail)):
            retry_after = float(said.group(1))
        return Outcome("429", detail, retry_after=retry_after)
    if status in (401, 404) or status >= 500 or status == 408:
        return Outcome(str(status), detail)
    return Outcome(str(status), detail, fatal=True)


def read_transport_error(exc: httpx.TransportError) -> Outcome:
    if isinstance(exc, httpx.TimeoutException):
        return Outcome(status="timeout", detail="timed out")
    return Outcome(status="connection error", detail=redact(str(exc)) or type(exc).__name__)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (a number or an HTTP date); None when absent."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _error_detail(response: httpx.Response) -> str:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for name in ("error", "detail"):
            if isinstance(body.get(name), str):
                return redact(body[name])
    return f"HTTP {response.status_code}"
