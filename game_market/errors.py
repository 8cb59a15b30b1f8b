"""Errors a user can cause or fix, each carrying one sentence that names the fix.

Everything raised across a module boundary in the core is a ``PipelineError``; the CLI
prints ``str(error)`` and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: the message is shown to the user as is."""


class ConfigError(PipelineError):
    """Settings are invalid; raised before any request is made."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


class RawgError(PipelineError):
    """Anything that went wrong talking to RAWG."""


class RawgRefused(RawgError):
    """RAWG refuses the key for the rest of the run: every later request would fail the same,
    so the run's requests stop."""


class RawgAuthError(RawgRefused):
    """RAWG refused the key (401), which is also how it answers once the quota is spent."""


class RawgQuotaExceeded(RawgRefused):
    """RAWG's quota is spent: it asks for a wait far beyond ours, or says so in its message."""


class RawgThrottled(RawgRefused):
    """RAWG kept throttling (429) past the retry budget: a rate limit, not a spent quota."""


class RawgRequestFailed(RawgError):
    """A request still failed after every retry."""

    def __init__(self, message: str, *, endpoint: str, page: int | None, status: str) -> None:
        self.endpoint = endpoint
        self.page = page
        self.status = status
        super().__init__(message)


class RequestBudgetExhausted(RawgError):
    """The caller's request budget (``max_requests``) is spent; work stops between pages."""


class LakeUnavailable(PipelineError):
    """The lake cannot be read or written."""
