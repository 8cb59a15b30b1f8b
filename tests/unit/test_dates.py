"""Date ranges: the earlier date first, and a backfill over 3 years only when confirmed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from game_market.dates import LONG_RANGE_DAYS, check_long_range, date_range
from game_market.errors import PipelineError


def test_a_range_of_three_years_runs_and_a_longer_one_needs_confirming() -> None:
    start = date(2020, 1, 1)
    three_years = date_range(start, start + timedelta(days=LONG_RANGE_DAYS - 1))
    longer = date_range(start, start + timedelta(days=LONG_RANGE_DAYS))

    check_long_range(three_years, confirmed=False)
    check_long_range(longer, confirmed=True)
    with pytest.raises(PipelineError, match=r"1,099 days, over 3 years: .* --confirm-long-range"):
        check_long_range(longer, confirmed=False)


def test_the_later_date_first_is_one_sentence() -> None:
    with pytest.raises(PipelineError) as raised:
        date_range(date(2026, 1, 5), date(2026, 1, 1))
    assert (
        str(raised.value)
        == "--end 2026-01-01 is before --date 2026-01-05: give the earlier date first."
    )
