"""The data checks' verdicts: thresholds, zero, no history yet, and what the person on call
reads (the sentence, the event's name and payload, the artifact, the run's state message)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.checks import freshness_args
from flows.transform import build_args
from game_market.checks import Verdict, state_message
from game_market.checks.completeness import Landing, completeness_verdict
from game_market.checks.freshness import SourceFreshness, freshness_verdict
from game_market.checks.volume import (
    MIN_HISTORY_DAYS,
    Count,
    games_volume,
    reference_volume,
    volume_verdict,
)
from game_market.render.checks import checks_markdown

DAY = date(2026, 1, 19)


def history(rows: list[int], truncated: bool = False) -> list[Count]:
    return [Count(DAY - timedelta(days=n), r, truncated) for n, r in enumerate(reversed(rows), 1)]


def usual(median: int = 100) -> list[Count]:
    return history([median - 10, median, median + 10] * 3)  # 9 days, median `median`


@pytest.mark.parametrize(
    ("rows", "status"),
    [(100, "ok"), (30, "ok"), (29, "warn"), (5, "warn"), (300, "ok"), (301, "warn"), (0, "error")],
)
def test_the_day_s_games_against_the_median(rows: int, status: str) -> None:
    part, figures = games_volume(DAY, Count(DAY, rows), usual())
    assert part.status == status
    assert figures["median"] == 100 and figures["history_days"] == 9


def test_a_thin_day_says_how_thin_in_one_sentence() -> None:
    part, figures = games_volume(DAY, Count(DAY, 5), usual())
    assert part.message == (
        "Only 5 games updated on 2026-01-19, 0.05x the median of 100 over the 9 days before: "
        "RAWG may have answered partly; rerun the day once RAWG answers in full: "
        "gmp daily --date 2026-01-19."
    )
    assert figures == {"games": 5, "median": 100, "history_days": 9, "ratio": 0.05}


def test_without_enough_history_the_check_passes_and_says_so() -> None:
    part, _ = games_volume(DAY, Count(DAY, 5), usual()[: MIN_HISTORY_DAYS - 1])
    assert part.status == "ok"
    assert part.message.endswith(
        f"not enough history to compare ({MIN_HISTORY_DAYS - 1} of the 7 days needed)."
    )
    # zero is an error whatever the history
    assert games_volume(DAY, Count(DAY, 0), [])[0].status == "error"


def test_capped_days_are_neither_judged_nor_the_median() -> None:
    capped = history([40] * 9, truncated=True)
    part, figures = games_volume(DAY, Count(DAY, 100), usual() + capped)
    assert part.status == "ok" and figures["history_days"] == 9
    assert games_volume(DAY, Count(DAY, 40, truncated=True), usual())[0].status == "ok"


def test_no_games_partition_is_an_error_naming_the_rerun() -> None:
    part, _ = games_volume(DAY, None, usual())
    assert part.status == "error" and part.message.endswith("gmp daily --date 2026-01-19.")


@pytest.mark.parametrize(
    ("current", "previous", "status"),
    [
        (19, 19, "ok"),
        (20, 19, "ok"),
        (17, 19, "warn"),  # lost more than a tenth
        (29, 19, "warn"),  # grew by more than half
        (0, 19, "error"),
        (19, None, "ok"),  # the first snapshot
    ],
)
def test_a_reference_list_against_its_last_size(
    current: int, previous: int | None, status: str
) -> None:
    before = None if previous is None else Count(DAY - timedelta(days=1), previous)
    assert reference_volume(DAY, "genres", Count(DAY, current), before).status == status


def test_a_changed_page_cap_is_not_compared_and_a_missing_list_is_an_error() -> None:
    capped = Count(DAY - timedelta(days=1), 40, truncated=True, pages=1)
    assert reference_volume(DAY, "developers", Count(DAY, 200, True, 5), capped).status == "ok"
    missing = reference_volume(DAY, "genres", None, None)
    assert missing.status == "error"
    assert missing.message == (
        "The genres list has never landed: run gmp ingest --endpoint genres --date 2026-01-19."
    )


def test_the_volume_verdict_is_the_worst_part_and_says_it() -> None:
    lists = {"genres": (Count(DAY, 0), Count(DAY - timedelta(days=1), 19))}
    verdict = volume_verdict(DAY, Count(DAY, 5), usual(), lists)
    assert verdict.status == "error"
    assert verdict.message.startswith("The genres list of 2026-01-19 is empty: run gmp ingest")
    assert verdict.figures["reference_lists"] == {"genres": 0}
    assert verdict.event == "game-market.data-check.volume.error"
    assert verdict.resource_id == "game-market.data-check.volume"
    payload = verdict.payload()
    assert payload["day"] == "2026-01-19" and payload["message"] == verdict.message


def test_completeness_against_rawg_s_count() -> None:
    whole = completeness_verdict(DAY, Landing(landed=1000, expected=1000))
    assert whole.status == "ok" and whole.figures["share"] == 1.0
    assert completeness_verdict(DAY, Landing(landed=990, expected=1000)).status == "ok"
    assert completeness_verdict(DAY, Landing(landed=989, expected=1000)).status == "warn"
    assert completeness_verdict(DAY, Landing(landed=899, expected=1000)).status == "error"
    assert completeness_verdict(DAY, None).status == "error"


def test_completeness_names_why_rows_are_missing() -> None:
    verdict = completeness_verdict(
        DAY, Landing(landed=900, expected=1000, quarantined=6, unreachable=44)
    )
    assert verdict.status == "warn"
    assert verdict.message == (
        "900 of the 1,000 games RAWG counted for 2026-01-19 landed (90.0%); missing: 44 beyond "
        "RAWG's 500-page window, 6 set aside in the lake's quarantine folder, 50 changed while "
        "paging or never arrived (rerun the day)."
    )
    assert verdict.figures["unreachable"] == 44


def test_a_capped_or_empty_day_is_complete_as_asked() -> None:
    capped = completeness_verdict(DAY, Landing(landed=40, expected=1000, truncated=True))
    assert capped.status == "ok" and "capped by max_pages" in capped.message
    assert completeness_verdict(DAY, Landing(landed=0, expected=0)).status == "ok"


def test_freshness_is_dbt_s_status_per_source() -> None:
    fresh = [SourceFreshness("games", "pass", 0.5), SourceFreshness("genres", "pass", 2.0)]
    ok = freshness_verdict(DAY, fresh)
    assert ok.status == "ok"
    assert ok.message == "Every lake source landed within 26 h (the oldest, genres, 2.0 h ago)."
    late = freshness_verdict(DAY, [*fresh, SourceFreshness("platforms", "warn", 30.0)])
    assert late.status == "warn" and "older than 26 h (platforms 30.0 h ago)" in late.message
    stale = freshness_verdict(DAY, [*fresh, SourceFreshness("games", "error", 51.0)])
    assert stale.status == "error" and "older than 50 h" in stale.message
    unread = freshness_verdict(DAY, [SourceFreshness("games", "runtime error", error="no file")])
    assert unread.status == "error"
    assert unread.message == "dbt could not measure the freshness of games (no file)."
    failed = freshness_verdict(DAY, [], "Could not set lock on file")
    assert failed.status == "error" and "(Could not set lock on file)" in failed.message


def test_the_run_s_state_message_names_errors_first_then_warnings() -> None:
    verdicts = [
        Verdict("freshness", "ok", "2026-01-19", "Fresh."),
        Verdict("volume", "warn", "2026-01-19", "Only 5 games."),
        Verdict("completeness", "error", "2026-01-19", "Nothing landed."),
    ]
    assert state_message(verdicts) == (
        "Data checks: completeness error: Nothing landed. volume warn: Only 5 games."
    )
    assert state_message(verdicts[:1]) == "Data checks: all ok."
    markdown = checks_markdown("Data checks for 2026-01-19", verdicts)
    assert "Overall: **error**" in markdown
    assert "| volume | **warn** | 2026-01-19 | Only 5 games. |" in markdown
    assert "| freshness | ok | 2026-01-19 | Fresh. |" in markdown


@pytest.mark.parametrize("target", ["duckdb", "snowflake"])
def test_freshness_names_the_project_as_the_build_does(target: str) -> None:
    """dbt parses the project again when its target or vars differ from the last run's."""
    build = build_args(target, None, False, {})
    freshness = freshness_args(target)
    assert freshness[:2] == ["source", "freshness"] and "--vars" not in freshness
    shared = ("--project-dir", "--target", "--profiles-dir")
    for flag in shared:
        assert (flag in build) == (flag in freshness)
        if flag in build:
            assert build[build.index(flag) + 1] == freshness[freshness.index(flag) + 1]
