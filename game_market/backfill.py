"""A backfill of days: what became of each day, and what the whole run spent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from game_market.errors import RawgRefused

BUDGET_SPENT = "request budget"  # how RequestBudgetExhausted messages name the cause


@dataclass
class DayOutcome:
    day: dt.date
    requests: int = 0
    rows: int = 0
    skipped: int = 0  # partitions already complete
    problem: str | None = None  # why the day is not done

    @property
    def done(self) -> bool:
        return self.problem is None


@dataclass
class BackfillPlan:
    days: list[dt.date]
    outcomes: dict[dt.date, DayOutcome] = field(default_factory=dict)
    requests: int = 0  # the whole run's, failed partitions and reference lists included
    refusal: RawgRefused | None = None  # RAWG refused the key (spent quota): the run stopped

    @property
    def done(self) -> list[dt.date]:
        return [d for d in self.days if d in self.outcomes and self.outcomes[d].done]

    @property
    def remaining(self) -> list[dt.date]:
        return [d for d in self.days if d not in self.done]

    def not_started(self, day: dt.date, why: str) -> None:
        self.outcomes[day] = DayOutcome(day, problem=why)
