"""The ingest artifact: what a run landed per endpoint and what it cost in RAWG requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from game_market import ATTRIBUTION
from game_market.ingest import IngestReport
from game_market.render.markdown import escape, strong, table

FREE_TIER_MONTHLY_REQUESTS = 20_000
COLUMNS = ("endpoint", "dt", "status", "rows", "pages", "requests", "retries", "bytes", "seconds")


def bullets(items: Sequence[str]) -> list[str]:
    return [f"- {escape(item)}" for item in items]


def retried(retries: int) -> str:
    """The retries among the requests used: answers RAWG had to be asked for again."""
    return f"{retries:,} {'retry' if retries == 1 else 'retries'}"


def ingest_markdown(
    title: str,
    reports: Sequence[IngestReport],
    failures: Mapping[str, str],
    usage: Mapping[str, int],
) -> str:
    """A per-endpoint table, the requests used against the free tier, failures, notes, drift."""
    rows: list[list[object]] = [
        [
            r.endpoint,
            r.dt,
            r.status,
            f"{r.rows:,}",
            f"{r.pages:,}",
            f"{r.requests:,}",
            f"{r.retries:,}",
            f"{r.bytes:,}",
            f"{r.seconds:.2f}",
        ]
        for r in reports
    ]
    rows += [
        [endpoint, "", strong("failed"), "", "", f"{usage.get(endpoint, 0):,}", "", "", ""]
        for endpoint in failures
    ]
    lines = [
        f"# {escape(title)}",
        "",
        table(COLUMNS, rows, align="lllrrrrrr"),
        "",
        f"**RAWG requests used: {sum(usage.values()):,}** "
        f"({retried(sum(r.retries for r in reports))}; "
        f"free tier: {FREE_TIER_MONTHLY_REQUESTS:,} a month).",
    ]
    quarantined = sum(r.quarantined for r in reports)
    if quarantined:
        lines += [
            "",
            f"**Quarantined: {quarantined:,}** (items or pages RAWG sent that cannot be a row; "
            "kept with the reason under the lake's `quarantine/`, see Notes).",
        ]
    if failures:
        lines += ["", "## Failures", *bullets([f"{e}: {m}" for e, m in failures.items()])]
    notes = [f"{r.endpoint} {r.dt}: {note}" for r in reports for note in r.notes]
    if notes:
        lines += ["", "## Notes", *bullets(notes)]
    drift = [
        f"{r.endpoint} {r.dt}: {kind} ×{count}"
        for r in reports
        for kind, count in sorted(r.drift.items())
    ]
    if drift:
        lines += ["", "## Schema drift (typed column left null; the value is kept in `_raw`)"]
        lines += bullets(drift)
    lines += ["", ATTRIBUTION]
    return "\n".join(lines)
