"""A monthly quota that runs out: the first ``limit`` API requests are answered, every later
one is refused, the way an exhausted RAWG key is, until the quota is set again.

RAWG does not document what a spent key receives. Users report a 401 (RAWG's JSON error
body); a quota can also answer 429 with a Retry-After a day away, far beyond what a client
waits. Both are offered. A test restores the quota mid-run with ``POST /_sandbox/quota``.
"""

from __future__ import annotations

import time

from rawg_simulator.config import check_quota
from rawg_simulator.protocol import Response, json_response

QUOTA_RETRY_AFTER_S = 86_400


class Quota:
    """Requests accepted and refused since the quota was last set (``limit`` None: no quota)."""

    def __init__(self, limit: int | None, answer: str) -> None:
        self.set(limit, answer)

    def set(self, limit: int | None, answer: str) -> None:
        check_quota(limit, answer)
        self.limit = limit
        self.answer = answer
        self.accepted = 0
        self.refused = 0
        self.first_refused_at: float | None = None  # wall clock, comparable across processes

    def admit(self) -> Response | None:
        """None when the request may be answered; else the refusal to send instead."""
        if self.limit is None or self.accepted < self.limit:
            self.accepted += 1
            return None
        self.refused += 1
        if self.first_refused_at is None:
            self.first_refused_at = time.time()
        if self.answer == "401":
            return json_response(401, {"error": "API key limit reached"})
        retry = (b"retry-after", str(QUOTA_RETRY_AFTER_S).encode())
        body = json_response(429, {"detail": "Request was throttled."}).body
        return Response(429, body, headers=(retry,))

    def payload(self) -> dict[str, object]:
        return {
            "requests": self.limit,
            "answer": self.answer,
            "accepted": self.accepted,
            "refused": self.refused,
            "first_refused_at": self.first_refused_at,
        }
