"""The data checks a run makes after its build: plain verdicts, no Prefect.

Each check (freshness, volume, completeness) ends in one ``Verdict``: a status (ok, warn,
error), the one sentence a person on call reads, and the figures behind it. The flows turn
each verdict into a Prefect event ``game-market.data-check.<check>.<status>`` and one row of
the run's artifact; the verdicts themselves are computed here from plain inputs (the lake's
partition manifests, dbt's freshness results), so their thresholds are unit-tested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "warn", "error"]
Check = Literal["freshness", "volume", "completeness"]
CHECKS: tuple[Check, ...] = ("freshness", "volume", "completeness")
_RANK: dict[Status, int] = {"ok": 0, "warn": 1, "error": 2}


@dataclass(frozen=True)
class Verdict:
    check: Check
    status: Status
    day: str  # YYYY-MM-DD: the day the run collected
    message: str  # one sentence for the person on call
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def event(self) -> str:
        return f"game-market.data-check.{self.check}.{self.status}"

    @property
    def resource_id(self) -> str:
        return f"game-market.data-check.{self.check}"

    def payload(self) -> dict[str, Any]:
        """What the event carries: the day, the sentence, the figures (JSON values only)."""
        return {"day": self.day, "status": self.status, "message": self.message, **self.figures}


def worst(statuses: Iterable[Status]) -> Status:
    return max(statuses, key=_RANK.__getitem__, default="ok")


def state_message(verdicts: Iterable[Verdict]) -> str:
    """The checks in the run's state message: warnings and errors by sentence, else 'all ok'."""
    flagged = [v for v in verdicts if v.status != "ok"]
    if not flagged:
        return "Data checks: all ok."
    flagged.sort(key=lambda v: -_RANK[v.status])
    return "Data checks: " + " ".join(f"{v.check} {v.status}: {v.message}" for v in flagged)
