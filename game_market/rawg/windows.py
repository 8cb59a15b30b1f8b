"""RAWG's 500-page window: how far one query can be paged, and how to cut a query narrower.

RAWG serves at most 500 pages of any query. A ``/games`` query that matches more rows is
split into narrower ``updated`` or release-date (``dates``) ranges whose union is the
original query, so every row lands in some query that fits the window. Games with no release
date match no ``dates`` range; ordered by ``-released`` they lead the day's query where nulls
sort as PostgreSQL's default has them, which the pages themselves must show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

WINDOW_PAGES = 500  # RAWG serves at most 500 pages of one query
EARLIEST_RELEASE = date(1900, 1, 1)
LATEST_RELEASE = date(2099, 12, 31)
# RAWG documents this ordering but not where it sorts nulls; RAWG runs Django on PostgreSQL,
# whose default puts them first in a descending ordering.
UNDATED_FIRST = "-released"


class _Released(msgspec.Struct):
    # UNSET when the key is missing: only an explicit null says "no release date"
    released: str | msgspec.UnsetType | None = msgspec.UNSET


_RELEASED = msgspec.json.Decoder(_Released)


def last_page(count: int, page_size: int, window_pages: int, max_pages: int | None) -> int:
    """The last page worth asking for: what the count needs, the window allows and the cap."""
    pages = min(math.ceil(count / page_size), window_pages)
    return min(pages, max_pages) if max_pages is not None and max_pages >= 0 else pages


def split_query(params: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Two narrower queries whose union is ``params``, or None when it cannot be narrowed.

    A multi-day ``updated`` range is halved first; a single day is cut by release date.
    Games with no release date match no ``dates`` range: see :func:`undated_first`.
    """
    if "updated" in params:
        start, end = _parse_range(params["updated"])
        if start < end:
            mid = start + (end - start) // 2
            return [
                {**params, "updated": f"{start},{mid}"},
                {**params, "updated": f"{mid + timedelta(days=1)},{end}"},
            ]
    if "dates" in params:
        start, end = _parse_range(params["dates"])
    else:
        start, end = EARLIEST_RELEASE, LATEST_RELEASE
    if start >= end:
        return None
    mid = start + (end - start) // 2
    return [
        {**params, "dates": f"{start},{mid}"},
        {**params, "dates": f"{mid + timedelta(days=1)},{end}"},
    ]


def undated_first(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` ordered so that games with no release date may come first (to be checked)."""
    return {**params, "ordering": UNDATED_FIRST}


def undated_lead(raw_items: Sequence[bytes]) -> int:
    """How many of a page's items, from its first, show ``"released": null``."""
    lead = 0
    for raw in raw_items:
        try:
            if _RELEASED.decode(raw).released is not None:
                break
        except msgspec.ValidationError:  # not an object: nothing shows it undated
            break
        lead += 1
    return lead


def describe_range(params: Mapping[str, Any]) -> str:
    """How a query is named in notes and budget messages: its ``updated``/``dates`` ranges."""
    parts = [f"{name}={params[name]}" for name in ("updated", "dates") if name in params]
    return "query " + (" ".join(parts) if parts else "(unfiltered)")


def _parse_range(value: str) -> tuple[date, date]:
    start, end = value.split(",")
    return date.fromisoformat(start), date.fromisoformat(end)
