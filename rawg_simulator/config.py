"""The sandbox's configuration: one frozen dataclass, and the command line that carries it.

``add_arguments`` and ``config_from_args`` are shared with the project CLI (``gmp sandbox``);
``sandbox_command`` is their inverse, so a config crosses into a child process unchanged.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, get_args

# Update days are stored as unsigned 16-bit offsets into the window.
MAX_DAYS = 65_535
# What a spent quota answers (see rawg_simulator.quota).
QuotaAnswer = Literal["401", "429"]
QUOTA_ANSWERS: tuple[str, ...] = get_args(QuotaAnswer)


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes the sandbox; identical configs serve identical bytes."""

    games: int = 2000
    seed: int = 42
    latency_ms: float = 0
    # each answer waits latency_ms +/- up to this, drawn from the seed and the request
    latency_jitter_ms: float = 0
    fault_rate: float = 0
    days: int = 30
    today: date | None = None
    # share of games re-updated after their first update day (popular ones more likely)
    refresh_share: float = 0.4
    max_pages_per_query: int = 500
    valid_keys: frozenset[str] | None = None
    retry_after_s: int = 1
    slow_ms: float = 1500
    developers: int | None = None
    publishers: int | None = None
    # answers of an API gone wrong: see SandboxApp._games
    malformed_items: bool = False
    # PostgreSQL's default, as RAWG's database sorts: nulls first in a descending ordering
    nulls_first_descending: bool = True
    # requests answered before the quota is spent (None: no quota), then what every one gets
    quota_requests: int | None = None
    quota_answer: QuotaAnswer = "401"
    # a day /games?updated= serves only this share of its games, as RAWG in an outage or with
    # a changed filter would (see rawg_simulator.timeline)
    thin_day: date | None = None
    thin_share: float = 0.05

    def __post_init__(self) -> None:
        if self.today is None:
            object.__setattr__(self, "today", datetime.now(UTC).date())
        if self.games < 0 or self.days < 1 or self.max_pages_per_query < 1:
            raise ValueError("games must be >= 0, days and max_pages_per_query >= 1")
        if not 0 <= self.fault_rate <= 1:
            raise ValueError("fault_rate must be within [0, 1]")
        if not 0 <= self.latency_jitter_ms <= self.latency_ms:
            raise ValueError("latency_jitter_ms must be within [0, latency_ms]")
        if not 0 <= self.refresh_share <= 1:
            raise ValueError("refresh_share must be within [0, 1]")
        if not 0 < self.thin_share <= 1:
            raise ValueError("thin_share must be within (0, 1]")
        if self.days > MAX_DAYS:
            raise ValueError(f"days must be <= {MAX_DAYS}")
        if min(self.developer_count, self.publisher_count) < 1:
            raise ValueError("developers and publishers must be >= 1")
        check_quota(self.quota_requests, self.quota_answer)

    @property
    def current_day(self) -> date:
        assert self.today is not None  # set by __post_init__
        return self.today

    @property
    def developer_count(self) -> int:
        return self.developers if self.developers is not None else max(50, self.games // 5)

    @property
    def publisher_count(self) -> int:
        return self.publishers if self.publishers is not None else max(20, self.games // 20)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sandbox options; shared with the project CLI (`gmp sandbox`)."""
    defaults = SandboxConfig()
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--port", type=int, default=8765, help="TCP port to bind")
    parser.add_argument("--games", type=int, default=defaults.games, help="catalog size")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="catalog and fault seed")
    parser.add_argument(
        "--latency-ms", type=float, default=defaults.latency_ms, help="delay for every answer"
    )
    parser.add_argument(
        "--latency-jitter-ms",
        type=float,
        default=defaults.latency_jitter_ms,
        help="each delay varies by up to this either way, seeded per request (<= --latency-ms)",
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=defaults.fault_rate,
        help="share of /api requests that get an injected fault (0..1)",
    )
    parser.add_argument(
        "--days", type=int, default=defaults.days, help="games are updated over this many days"
    )
    parser.add_argument(
        "--refresh-share",
        type=float,
        default=defaults.refresh_share,
        help="share of games re-updated after their first update day, popular ones "
        "more often (0..1)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD; updates end the day before (default: today, UTC)",
    )
    parser.add_argument(
        "--max-pages-per-query",
        type=int,
        default=defaults.max_pages_per_query,
        help="pages served per /games query before 404 (RAWG: 500)",
    )
    parser.add_argument(
        "--valid-keys",
        type=_key_set,
        default=None,
        help="comma-separated accepted API keys (default: any non-empty key)",
    )
    parser.add_argument(
        "--retry-after",
        type=int,
        default=defaults.retry_after_s,
        help="Retry-After seconds on injected 429s",
    )
    parser.add_argument(
        "--slow-ms", type=float, default=defaults.slow_ms, help="extra delay of 'slow' faults"
    )
    parser.add_argument(
        "--malformed-items",
        action="store_true",
        help="a day's /games pages carry items without a usable id, and one page a results "
        "that is not a list",
    )
    parser.add_argument(
        "--nulls-first-descending",
        action=argparse.BooleanOptionalAction,
        default=defaults.nulls_first_descending,
        help="null released/metacritic first in descending orderings, as PostgreSQL sorts "
        "(--no-nulls-first-descending: last in both directions)",
    )
    parser.add_argument(
        "--quota-requests",
        type=int,
        default=None,
        help="answer this many /api requests, then refuse every one like a spent key "
        "(default: no quota; POST /_sandbox/quota sets it again)",
    )
    parser.add_argument(
        "--quota-answer",
        choices=QUOTA_ANSWERS,
        default=defaults.quota_answer,
        help="what a spent quota answers: 401, or 429 with a Retry-After of a day",
    )
    parser.add_argument(
        "--thin-day",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD on which /games?updated= serves only --thin-share of the day's games",
    )
    parser.add_argument(
        "--thin-share",
        type=float,
        default=defaults.thin_share,
        help="share of its games the --thin-day serves (0..1]",
    )


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The config that parsed arguments describe; invalid ones exit with the one problem."""
    try:
        return _config_from_args(args)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None


def _config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        games=args.games,
        seed=args.seed,
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        fault_rate=args.fault_rate,
        days=args.days,
        today=args.today,
        refresh_share=args.refresh_share,
        max_pages_per_query=args.max_pages_per_query,
        valid_keys=args.valid_keys,
        retry_after_s=args.retry_after,
        slow_ms=args.slow_ms,
        malformed_items=args.malformed_items,
        nulls_first_descending=args.nulls_first_descending,
        quota_requests=args.quota_requests,
        quota_answer=args.quota_answer,
        thin_day=args.thin_day,
        thin_share=args.thin_share,
    )


def check_quota(limit: int | None, answer: str) -> None:
    if limit is not None and limit < 0:
        raise ValueError("quota_requests must be >= 0")
    if answer not in QUOTA_ANSWERS:
        raise ValueError(f"quota_answer must be one of {', '.join(QUOTA_ANSWERS)}")


def _key_set(raw: str) -> frozenset[str]:
    return frozenset(key.strip() for key in raw.split(",") if key.strip())


def sandbox_command(config: SandboxConfig, port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line that serves ``config`` from another process."""
    if config.developers is not None or config.publishers is not None:
        raise ValueError(
            "developers/publishers counts cannot be passed to a sandbox process; "
            "leave them unset to get the defaults from --games."
        )
    command = [
        sys.executable, "-m", "rawg_simulator",
        "--host", host,
        "--port", str(port),
        "--games", str(config.games),
        "--seed", str(config.seed),
        "--latency-ms", repr(config.latency_ms),
        "--latency-jitter-ms", repr(config.latency_jitter_ms),
        "--fault-rate", repr(config.fault_rate),
        "--days", str(config.days),
        "--today", config.current_day.isoformat(),
        "--refresh-share", repr(config.refresh_share),
        "--max-pages-per-query", str(config.max_pages_per_query),
        "--retry-after", str(config.retry_after_s),
        "--slow-ms", repr(config.slow_ms),
    ]  # fmt: skip
    if config.valid_keys is not None:
        command += ["--valid-keys", ",".join(sorted(config.valid_keys))]
    if config.malformed_items:
        command.append("--malformed-items")
    if not config.nulls_first_descending:
        command.append("--no-nulls-first-descending")
    command += ["--quota-answer", config.quota_answer]
    if config.quota_requests is not None:
        command += ["--quota-requests", str(config.quota_requests)]
    if config.thin_day is not None:
        command += [
            "--thin-day",
            config.thin_day.isoformat(),
            "--thin-share",
            repr(config.thin_share),
        ]
    return command
