"""What every run needs, read once at its entry point and checked before any request is spent."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from game_market.lake import Lake
from game_market.rawg import RawgClient
from game_market.rawg.limiter import RequestLimiter
from game_market.settings import Settings


class Runtime:
    """The settings an entry point loaded, and what they name, each checked on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def lake(self) -> Lake:
        """The lake, proven writable (one sentence that names the fix if it is not)."""
        lake = Lake.from_settings(self.settings)
        lake.check_writable()
        return lake

    @cached_property
    def rawg_limiter(self) -> RequestLimiter:
        """RAWG_MAX_CONCURRENCY requests in flight, shared by every client of this runtime."""
        return RequestLimiter(self.settings.rawg_max_concurrency)

    def rawg_client(self, **overrides: Any) -> RawgClient:
        """A client for one run; a missing key fails here, before any request. Its requests
        count against the runtime's cap unless it is given a ``max_concurrency`` of its own."""
        if "max_concurrency" not in overrides:
            overrides.setdefault("limiter", self.rawg_limiter)
        return RawgClient.from_settings(self.settings, **overrides)

    def check_ingest(self) -> None:
        """Everything an ingest needs, checked up front: the API key and a writable lake."""
        self.settings.api_key()
        _ = self.lake
