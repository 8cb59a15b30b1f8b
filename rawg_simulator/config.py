"""The sandbox's configuration: one frozen dataclass, and the command line that carries it.

``add_arguments`` and ``config_from_args`` are shared with the project CLI (``gmp sandbox``);
``sandbox_command`` is their inverse, so a config crosses into a child process unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

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


def _key_set(raw: str) -> frozenset[str]:
    return frozenset(key.strip() for key in raw.split(",") if key.strip())


@dataclass(frozen=True)
class _Option:
    """One sandbox option: its flag, the ``SandboxConfig`` field it sets (None: where to
    serve, not what) and ``add_argument``'s other settings. An option of a field defaults to
    the field's default."""

    flag: str
    field: str | None
    settings: Mapping[str, Any]

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


def _option(flag: str, field: str | None, **settings: Any) -> _Option:
    return _Option(flag, field, settings)


_OPTIONS = (
    _option("--host", None, default="127.0.0.1", help="interface to bind"),
    _option("--port", None, type=int, default=8765, help="TCP port to bind"),
    _option("--games", "games", type=int, help="catalog size"),
    _option("--seed", "seed", type=int, help="catalog and fault seed"),
    _option("--latency-ms", "latency_ms", type=float, help="delay for every answer"),
    _option(
        "--latency-jitter-ms",
        "latency_jitter_ms",
        type=float,
        help="each delay varies by up to this either way, seeded per request (<= --latency-ms)",
    ),
    _option(
        "--fault-rate",
        "fault_rate",
        type=float,
        help="share of /api requests that get an injected fault (0..1)",
    ),
    _option("--days", "days", type=int, help="games are updated over this many days"),
    _option(
        "--refresh-share",
        "refresh_share",
        type=float,
        help="share of games re-updated after their first update day, popular ones "
        "more often (0..1)",
    ),
    _option(
        "--today",
        "today",
        type=date.fromisoformat,
        help="YYYY-MM-DD; updates end the day before (default: today, UTC)",
    ),
    _option(
        "--max-pages-per-query",
        "max_pages_per_query",
        type=int,
        help="pages served per /games query before 404 (RAWG: 500)",
    ),
    _option(
        "--valid-keys",
        "valid_keys",
        type=_key_set,
        help="comma-separated accepted API keys (default: any non-empty key)",
    ),
    _option(
        "--retry-after", "retry_after_s", type=int, help="Retry-After seconds on injected 429s"
    ),
    _option("--slow-ms", "slow_ms", type=float, help="extra delay of 'slow' faults"),
    _option(
        "--malformed-items",
        "malformed_items",
        action="store_true",
        help="a day's /games pages carry items without a usable id, and one page a results "
        "that is not a list",
    ),
    _option(
        "--nulls-first-descending",
        "nulls_first_descending",
        action=argparse.BooleanOptionalAction,
        help="null released/metacritic first in descending orderings, as PostgreSQL sorts "
        "(--no-nulls-first-descending: last in both directions)",
    ),
    _option(
        "--quota-requests",
        "quota_requests",
        type=int,
        help="answer this many /api requests, then refuse every one like a spent key "
        "(default: no quota; POST /_sandbox/quota sets it again)",
    ),
    _option(
        "--quota-answer",
        "quota_answer",
        choices=QUOTA_ANSWERS,
        help="what a spent quota answers: 401, or 429 with a Retry-After of a day",
    ),
    _option(
        "--thin-day",
        "thin_day",
        type=date.fromisoformat,
        help="YYYY-MM-DD on which /games?updated= serves only --thin-share of the day's games",
    ),
    _option(
        "--thin-share",
        "thin_share",
        type=float,
        help="share of its games the --thin-day serves (0..1]",
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sandbox options; shared with the project CLI (`gmp sandbox`)."""
    defaults = {field.name: field.default for field in fields(SandboxConfig)}
    for option in _OPTIONS:
        if option.field is None:
            parser.add_argument(option.flag, **option.settings)
        else:
            parser.add_argument(option.flag, default=defaults[option.field], **option.settings)


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The config that parsed arguments describe; invalid ones exit with the one problem."""
    settings = {option.field: getattr(args, option.dest) for option in _OPTIONS if option.field}
    try:
        return SandboxConfig(**settings)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None


def check_quota(limit: int | None, answer: str) -> None:
    if limit is not None and limit < 0:
        raise ValueError("quota_requests must be >= 0")
    if answer not in QUOTA_ANSWERS:
        raise ValueError(f"quota_answer must be one of {', '.join(QUOTA_ANSWERS)}")


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
