"""What a generated lake holds: its size, its days and its seed, and the key it is cached by."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import polars as pl

# Bump when the generated data changes, so cached lakes of the old shape are not reused.
GENERATOR_VERSION = 3
PAGE_SIZE = 40  # RAWG's page size: what _page and _pos count in
STUDIO_POOL = 10  # games name 10x more studios than the first pages of /developers list
RAWG_TIME = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class LakeSpec:
    games: int = 1_000_000  # rows of `games` over `days` partitions
    days: int = 365
    distinct_share: float = 0.7  # distinct games / rows
    details_per_day: int = 50  # the ingest's default detail_budget
    studios_per_day: int = 200  # 5 pages of 40, the ingest's default max_pages
    first_day: date = date(2025, 1, 1)
    seed: int = 7

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def next_day(self) -> date:
        """The day the incremental build lands."""
        return self.first_day + timedelta(days=self.days)

    @property
    def rows_per_day(self) -> int:
        return round(self.games / self.days)

    @property
    def distinct_games(self) -> int:
        return max(1, round(self.games * self.distinct_share))

    @property
    def key(self) -> str:
        """Names the cached lake: changes with the spec, the generator and polars."""
        fields = {**asdict(self), "first_day": self.first_day.isoformat()}
        text = json.dumps([fields, GENERATOR_VERSION, pl.__version__], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]
