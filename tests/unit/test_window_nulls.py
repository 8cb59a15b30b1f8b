"""Games with no release date past the 500-page window, read through ``ordering=-released``.

A day too big for the window is split by release date; the games with no release date match
no range. RAWG documents ``-released`` but not where it sorts nulls, so the client reads them
from the head of that ordering only while its pages show them there, and reports them as
unreachable otherwise. The client runs on ``httpx.MockTransport`` (a tiny ``/games`` whose
window is 2-4 pages); the sandbox's two null orders are checked in process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from game_market.rawg.windows import undated_lead
from tests.support.rawg_script import WindowedGames, items_of
from tests.support.sandbox import InProcessClient, Json, config, crawl
from tests.unit.test_rawg_client import DAY, client_for, collect, dated_games

UPDATED = f"{DAY},{DAY}"
UNREACHABLE = "rows match no narrower query (no release date) and cannot be fetched"


@dataclass
class OrderedGames(WindowedGames):
    """``WindowedGames`` that also serves ``ordering=-released``, nulls first or last."""

    nulls_first: bool = True
    undated_pages: list[int] | None = None  # the -released pages asked, in order

    def transport(self) -> httpx.MockTransport:
        self.undated_pages = []
        filtered = super().transport()

        def handle(request: httpx.Request) -> httpx.Response:
            params = request.url.params
            if params.get("ordering") != "-released":
                return filtered.handler(request)
            assert self.undated_pages is not None and "dates" not in params
            number, size = int(params["page"]), int(params["page_size"])
            self.undated_pages.append(number)
            rows = sorted(self.released, key=self._key)[(number - 1) * size : number * size]
            if number > self.window_pages or not rows:
                return httpx.Response(404, json={"detail": "Invalid page."})
            results = [{"id": i, "released": _iso(self.released[i])} for i in rows]
            return httpx.Response(200, json={"count": len(self.released), "results": results})

        return httpx.MockTransport(handle)

    def _key(self, game: int) -> tuple[bool, int]:
        day = self.released[game]
        newest_first = -day.toordinal() if day else 0
        return (day is not None if self.nulls_first else day is None), newest_first


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def ids_of(pages: list) -> set[int]:
    """The ids that arrived, checked to arrive once each (a repeat costs the lake a rewrite)."""
    ids = [item["id"] for page in pages for item in items_of(page)]
    assert len(ids) == len(set(ids))
    return set(ids)


@pytest.mark.parametrize(
    ("undated", "pages_asked", "unreachable"),
    [
        (10, [1], 0),  # a page of nulls then dated rows, already fetched
        (70, [1, 2], 0),
        (90, [1, 2], 10),  # more than the 2-page window shows
    ],
)
def test_undated_rows_are_read_from_the_head_of_the_released_ordering(
    undated: int, pages_asked: list[int], unreachable: int
) -> None:
    games = OrderedGames(dated_games(300, undated), window_pages=2)
    pages, stats, plan = collect(
        client_for(games.transport(), window_pages=2), {"updated": UPDATED}, split=True
    )
    reached = undated - unreachable
    assert ids_of(pages) == set(range(1, 301 + reached))  # every dated game, the nulls shown
    assert games.undated_pages == pages_asked  # only the pages the nulls fill
    assert plan.min_requests == stats.requests  # and none of them is waste
    assert plan.unreachable == unreachable
    notes = [note for note in plan.notes if "no release date" in note]
    assert notes[0] == (
        f"query updated={UPDATED}: {reached} rows with no release date reached through "
        "ordering=-released"
    )
    if unreachable:
        assert (
            notes[1]
            == f"query updated={UPDATED}: {unreachable} {UNREACHABLE} past the 500-page window"
        )
    else:
        assert len(notes) == 1


def test_nulls_sorted_last_fall_back_to_reporting_them() -> None:
    games = OrderedGames(dated_games(300, 70), window_pages=2, nulls_first=False)
    pages, stats, plan = collect(
        client_for(games.transport(), window_pages=2), {"updated": UPDATED}, split=True
    )
    assert ids_of(pages) == set(range(1, 301))
    # page 1 opens with a dated game: nothing is relied on, the one page is all it cost
    assert games.undated_pages == [1] and plan.min_requests == stats.requests
    assert plan.notes[-1] == (f"query updated={UPDATED}: 70 {UNREACHABLE} past the 500-page window")
    assert plan.unreachable == 70
    assert not any("reached through" in note for note in plan.notes)


def test_the_first_dated_item_ends_the_undated_pages() -> None:
    # 700 games dated past 2099 match no release-date range either, but are not null: the
    # 750 rows no range matches ask for 19 pages of the -released query, whose 50 nulls
    # end on page 2.
    released = dated_games(300, 50)
    released.update({i: date(2150, 1, 1) for i in range(351, 1051)})
    games = OrderedGames(released, window_pages=20)
    client = client_for(games.transport(), window_pages=20, max_concurrency=1)
    pages, stats, plan = collect(client, {"updated": UPDATED}, split=True)
    assert ids_of(pages) == set(range(1, 351))  # every dated game and every null
    assert games.undated_pages is not None and games.undated_pages[:2] == [1, 2]
    assert len(games.undated_pages) < 19  # stopped, but for the pages already in flight
    # the minimum ends on page 2: the pages in flight past it show as waste
    assert plan.min_requests == stats.requests - len(games.undated_pages[2:])
    assert plan.notes[-2:] == [
        f"query updated={UPDATED}: 50 rows with no release date reached through ordering=-released",
        f"query updated={UPDATED}: 700 {UNREACHABLE} past the 500-page window",
    ]


@pytest.mark.parametrize(
    ("items", "lead"),
    [
        ([b'{"id":1,"released":null}', b'{"id":2,"released":null}', b'{"id":3}'], 2),
        ([b'{"id":1,"released":"2020-01-01"}', b'{"id":2,"released":null}'], 0),
        ([b'{"id":1}'], 0),  # a missing key is no sign of a null date
        ([b"[1]"], 0),
    ],
)
def test_undated_lead_counts_only_explicit_nulls_from_the_top(
    items: list[bytes], lead: int
) -> None:
    assert undated_lead(items) == lead


@pytest.mark.parametrize("nulls_first_descending", [True, False])
def test_the_sandbox_sorts_null_release_dates_as_configured(
    nulls_first_descending: bool,
) -> None:
    shown = config(games=300, days=1, nulls_first_descending=nulls_first_descending)
    with InProcessClient(shown) as sandbox:
        day = shown.current_day.toordinal() - 1
        updated = f"{date.fromordinal(day)},{date.fromordinal(day)}"
        for params in ({}, {"updated": updated}):  # every game, and the one-day index
            served = crawl(sandbox, f"{sandbox.base}/games", ordering="-released", **params)
            assert len(served) == 300
            undated = [game for game in served if game["released"] is None]
            dated = [game for game in served if game["released"] is not None]
            assert undated and dated == sorted(dated, key=released, reverse=True)
            expected = undated + dated if nulls_first_descending else dated + undated
            assert served == expected
            ascending = crawl(sandbox, f"{sandbox.base}/games", ordering="released", **params)
            assert ascending[-len(undated) :] == undated  # last ascending either way


def released(game: Json) -> str:
    return game["released"]
