"""The release-window backfill's plan: which months to fetch and what they may cost.

Each month is one ``game_releases`` partition (dt = its first day): the most-added games
released in it, 40 a request, up to a page cap. A month landed after it ended is settled and
skipped by a rerun; one landed while it was still running (the current month, say) is fetched
again, since games released after that landing were not in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from game_market.dates import month_end, month_range, parse_month, recent_months
from game_market.endpoints import ENDPOINTS, Endpoint
from game_market.errors import PipelineError
from game_market.lake import Lake

RELEASES = Endpoint("game_releases")
DEFAULT_MONTHS = 12
DEFAULT_MAX_PAGES = ENDPOINTS[RELEASES].default_max_pages or 10
MAX_PAGES_LIMIT = 250  # RAWG serves no page of a query past 10,000 items (250 of 40)


def release_months(start: str | None, end: str | None, names: tuple[str, str]) -> list[date]:
    """The months (first days) from ``start`` through ``end`` (``YYYY-MM``); either left out
    falls back on the last ``DEFAULT_MONTHS`` months up to and including the current one."""
    last = parse_month(end, names[1]) if end else None
    first = parse_month(start, names[0]) if start else recent_months(DEFAULT_MONTHS, last)[0]
    return month_range(first, last or recent_months(1)[1], names)


def check_max_pages(max_pages: int, name: str = "max_pages") -> int:
    if isinstance(max_pages, bool) or not 1 <= max_pages <= MAX_PAGES_LIMIT:
        raise PipelineError(
            f"{name} must be a page count from 1 to {MAX_PAGES_LIMIT} (40 games a page), "
            f"not {max_pages}."
        )
    return max_pages


def check_max_requests(max_requests: int | None, name: str = "max_requests") -> int | None:
    if max_requests is not None and max_requests < 1:
        raise PipelineError(
            f"{name} must be a positive request count (or left out for no cap), not {max_requests}."
        )
    return max_requests


def is_settled(lake: Lake, month: date) -> bool:
    """The month's partition is complete and was written after the month ended."""
    if not lake.is_complete(RELEASES, month):
        return False
    manifest = lake.read_manifest(RELEASES, month)
    if manifest is None:
        return False
    written = datetime.fromisoformat(manifest.written_at).date()
    return written > month_end(month)


@dataclass(frozen=True)
class ReleasePlan:
    months: list[date]
    to_fetch: list[date]  # the months not settled yet (every month when refetching)
    max_pages: int

    @property
    def max_requests(self) -> int:
        """An upper bound: a month with fewer games than the cap's takes fewer pages."""
        return len(self.to_fetch) * self.max_pages

    def cost_sentence(self, budget: int | None, budget_name: str = "max_requests") -> str:
        span = f"{self.months[0]:%Y-%m}..{self.months[-1]:%Y-%m}"
        settled = len(self.months) - len(self.to_fetch)
        skipped = f" ({settled} already landed, skipped)" if settled else ""
        text = (
            f"Release backfill {span}: {len(self.to_fetch)} of {len(self.months)} months to "
            f"fetch{skipped}, up to {self.max_pages} pages (the top {self.max_pages * 40:,} "
            f"games) each: at most {self.max_requests:,} RAWG requests (an upper bound; a month "
            "with fewer games costs less)."
        )
        if budget is not None and self.max_requests > budget:
            text += (
                f" {budget_name} {budget:,} is below it: the run stops cleanly at the cap, and a "
                "rerun fetches only the months still missing."
            )
        return text


def plan_releases(
    lake: Lake,
    months: list[date],
    max_pages: int,
    *,
    only_missing: bool = True,
    pages_name: str = "max_pages",
) -> ReleasePlan:
    check_max_pages(max_pages, pages_name)
    to_fetch = [m for m in months if not (only_missing and is_settled(lake, m))]
    return ReleasePlan(months, to_fetch, max_pages)


@dataclass
class MonthOutcome:
    month: date
    requests: int = 0
    rows: int = 0
    truncated: bool = False  # the month has more games than the page cap reached
    status: str = "not started"  # landed, skipped (settled), or why it is not done

    @property
    def done(self) -> bool:
        return self.status in ("landed", "skipped")


@dataclass
class ReleaseRun:
    plan: ReleasePlan
    outcomes: dict[date, MonthOutcome] = field(default_factory=dict)
    requests: int = 0
    refusal: PipelineError | None = None  # RAWG refused the key: the run stopped

    def outcome(self, month: date) -> MonthOutcome:
        if month not in self.plan.to_fetch:
            return MonthOutcome(month, status="skipped")
        return self.outcomes.get(month, MonthOutcome(month))

    @property
    def remaining(self) -> list[date]:
        return [m for m in self.plan.months if not self.outcome(m).done]

    def not_started(self, month: date, why: str) -> None:
        self.outcomes[month] = MonthOutcome(month, status=why)
