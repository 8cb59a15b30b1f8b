"""What one RAWG answer means, and how long to wait before asking again.

An answer is read into an :class:`Outcome`: a JSON object to use, a 404 (past the last page,
or gone), a 401 (the key, or its spent quota), a 429 whose Retry-After is beyond
``MAX_RETRY_AFTER_S`` (a spent quota), a request RAWG will never accept (other 4xx), or
something worth retrying (other 429s, 408, 5xx, timeouts, dropped connections, malformed
bodies).

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

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from game_market.rawg.redaction import redact

MAX_RETRY_AFTER_S = 120.0


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
        """A 429 asking for a longer wait than we ever make: a spent quota, not a throttle."""
        return (
            self.status == "429"
            and self.retry_after is not None
            and self.retry_after > MAX_RETRY_AFTER_S
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
    """How many times to ask again, and how long to wait in between."""

    max_retries: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds before retry number ``retry`` (0-based): RAWG's Retry-After when it sent one."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        ceiling = self._ceiling(retry)
        return random.uniform(ceiling / 2, ceiling)

    def longest_s(self, timeout_s: float) -> float:
        """The longest one request can take before it gives up.

        Every attempt times out and every wait is the longest allowed: a Retry-After of
        MAX_RETRY_AFTER_S, or the backoff's ceiling when that is longer. At the defaults (5
        retries, timeout 30 s): 6 x 30 + 5 x 120 = 780 s. A 401, or a 429 whose Retry-After is
        beyond MAX_RETRY_AFTER_S, gives up after its first attempt: within ``timeout_s``.
        """
        waits = sum(max(MAX_RETRY_AFTER_S, self._ceiling(r)) for r in range(self.max_retries))
        return (self.max_retries + 1) * timeout_s + waits

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
        return Outcome("429", detail, retry_after=retry_after_seconds(response))
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
