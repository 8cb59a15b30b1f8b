"""The RAWG API client, in rooms a reader can name.

- ``client``: ``RawgClient``, one GET with retries, list queries and detail pages
- ``paging``: the paginator the client calls: every page of a list query, fetched by a
  crew of concurrent fetchers
- ``windows``: RAWG's 500-page window and how a query is split to fit it
- ``budget``: the run's request budget, per-query reservations and the request tally
- ``retries``: what an answer means and how long to wait before asking again
- ``failures``: the error an unusable answer ends in, naming the cause and the fix
- ``limiter``: a cap on requests in flight across event loops and threads
- ``transport``: httpx over aiohttp's connection pool
- ``redaction``: the key kept out of messages and log lines
"""

from __future__ import annotations

from game_market.rawg.budget import RequestBudget, RequestStats
from game_market.rawg.client import RawgClient
from game_market.rawg.paging import ListPaginator, Page, QueryPlan
from game_market.rawg.redaction import redact

__all__ = [
    "ListPaginator",
    "Page",
    "QueryPlan",
    "RawgClient",
    "RequestBudget",
    "RequestStats",
    "redact",
]
