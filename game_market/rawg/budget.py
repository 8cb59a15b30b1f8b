"""What RAWG requests cost: the run's request budget, per-query reservations and the tally.

Every HTTP attempt, retries included, counts against RAWG's monthly quota, so every attempt
spends from the budget and is counted in :class:`RequestStats`.
"""

from __future__ import annotations

from dataclasses import dataclass

from game_market.errors import RequestBudgetExhausted


@dataclass
class RequestStats:
    """What a piece of work cost in RAWG requests."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    bytes: int = 0
    split_probes: int = 0
    resumed: int = 0  # pages served from an earlier attempt's journal: requests saved


class RequestBudget:
    """A cap on requests shared by everything in a run (``max_requests``).

    A query reserves the pages it still needs once page 1 has told it how many, so work
    stops between pages instead of discarding pages already in flight.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.reserved = 0

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used - self.reserved)

    def reserve(self, count: int, what: str) -> Reservation:
        reservation = Reservation(self)
        reservation.add(count, what)
        return reservation

    def spend(self, what: str) -> None:
        if self.remaining == 0:
            raise RequestBudgetExhausted(
                f"The request budget of {self.limit} is spent before {what}; "
                "rerun with a larger max_requests to fetch the rest."
            )
        self.used += 1


class Reservation:
    """Requests set aside for one query's remaining pages; unused ones go back on close."""

    def __init__(self, budget: RequestBudget) -> None:
        self.budget = budget
        self.left = 0

    def add(self, count: int, what: str) -> None:
        remaining = self.budget.remaining
        if remaining is not None and count > remaining:
            raise RequestBudgetExhausted(
                f"{what} needs {count} more requests but only {remaining} of the request "
                f"budget of {self.budget.limit} remain; rerun with a larger max_requests."
            )
        self.budget.reserved += count
        self.left += count

    def spend(self, what: str) -> None:
        if self.left == 0:
            self.budget.spend(what)
            return
        self.left -= 1
        self.budget.reserved -= 1
        self.budget.used += 1

    def close(self) -> None:
        self.budget.reserved -= self.left
        self.left = 0
