"""Fill one lake partition from one RAWG endpoint: the unit every flow is built from."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import orjson
import pyarrow as pa

from game_market.dates import month_end
from game_market.endpoints import ENDPOINTS, Endpoint, EndpointSpec, Kind, of_a_day, of_kind
from game_market.errors import ConfigError, PipelineError
from game_market.lake import (
    QUARANTINE_FILE,
    Lake,
    Manifest,
    PageJournal,
    PartitionCounts,
    PartitionWriter,
    new_manifest,
)
from game_market.rawg import ListPaginator, Page, RawgClient, RequestStats

logger = logging.getLogger(__name__)

DEFAULT_DETAIL_BUDGET = 50


@dataclass(kw_only=True)
class IngestReport(PartitionCounts):
    """One partition's outcome: what it cost and found, how long it took, what to know."""

    endpoint: str
    dt: str
    status: Literal["landed", "skipped"] = "landed"
    seconds: float = 0.0
    publish_seconds: float = 0.0  # of ``seconds``: dedup, write and publish of the partition
    split_probes: int = 0
    # What a client wasting no request would have spent: see ``QueryPlan.min_requests``.
    min_requests: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ingest_partition, or a wrapper of it with the same parameters (the flows' Prefect task)
PartitionFn = Callable[..., Awaitable[IngestReport]]


def resolve_max_pages(spec: EndpointSpec, max_pages: int | None) -> int | None:
    """``None`` keeps the endpoint's default; -1 means every page."""
    if max_pages is None:
        return spec.default_max_pages
    if max_pages < -1:
        raise PipelineError(f"max_pages must be -1 (all) or a page count, not {max_pages}.")
    return None if max_pages == -1 else max_pages


def check_max_pages(max_pages: Mapping[str, int] | None) -> dict[Endpoint, int]:
    """A run's page caps by endpoint name, checked before any request: each names a list
    endpoint and is -1 (every page) or a page count."""
    caps = dict(max_pages or {})
    paged = [name for name in of_a_day() if ENDPOINTS[name].detail_of is None]
    unknown = sorted(set(caps) - set(paged))
    if unknown:
        raise ConfigError(
            [
                f"max_pages names {', '.join(map(repr, unknown))}, which is not a list "
                f"endpoint: use {', '.join(paged)} (game_details takes detail_budget)."
            ]
        )
    for name, cap in caps.items():
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < -1:
            raise ConfigError(
                [f"max_pages for {name} must be -1 (every page) or a page count, not {cap!r}."]
            )
    return {Endpoint(name): cap for name, cap in caps.items()}


async def ingest_partition(
    client: RawgClient,
    lake: Lake,
    endpoint: Endpoint,
    dt: date,
    *,
    run_id: str,
    max_pages: int | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    skip_complete: bool = False,
) -> IngestReport:
    """Fetch ``endpoint`` for ``dt`` and publish it as one partition; nothing partial lands."""
    spec = ENDPOINTS[endpoint]
    if spec.kind == Kind.RELEASES and dt.day != 1:
        raise PipelineError(
            f"{endpoint} partitions are months: give the month's first day, {dt:%Y-%m}-01, "
            f"not {dt}."
        )
    report = IngestReport(endpoint=endpoint, dt=dt.isoformat())
    if skip_complete and lake.is_complete(endpoint, dt):
        report.status = "skipped"
        manifest = lake.read_manifest(endpoint, dt)
        report.rows = manifest.rows if manifest else 0
        return report
    started = time.perf_counter()
    stats = RequestStats()
    with (
        PageJournal.kept(lake.url, endpoint, dt.isoformat()) as journal,
        lake.open_partition(endpoint, dt, run_id=run_id) as writer,
    ):
        landing = _Landing(endpoint, dt, run_id, writer, journal, stats, report)
        if spec.kind == Kind.DETAILS:
            wanted = _detail_candidates(lake, dt, detail_budget, report)
            await _fetch_details(client, spec, wanted, landing.lander, stats, report)
            report.expected_rows = report.min_requests = len(wanted)
        else:
            await _fetch_list(client, landing, resolve_max_pages(spec, max_pages))
        manifest = await landing.publish()
    for name in PartitionCounts.__dataclass_fields__:
        setattr(report, name, getattr(manifest, name))
    report.split_probes = stats.split_probes
    report.seconds = round(time.perf_counter() - started, 3)
    report.notes.extend(_landed_notes(report, lake.uri(lake.quarantine_dir(endpoint, dt))))
    logger.info(
        "%s dt=%s: %d rows, %d pages, %d requests (%d retries)",
        endpoint,
        dt,
        report.rows,
        report.pages,
        report.requests,
        report.retries,
    )
    return report


@dataclass
class _Landing:
    """One partition being filled: where its pages go and what its manifest will count."""

    endpoint: Endpoint
    dt: date
    run_id: str
    writer: PartitionWriter
    journal: PageJournal
    stats: RequestStats
    report: IngestReport
    lander: _Lander = field(init=False)

    def __post_init__(self) -> None:
        self.lander = _Lander(self.endpoint, self.writer, self.run_id)

    @property
    def spec(self) -> EndpointSpec:
        return ENDPOINTS[self.endpoint]

    async def land(self, batch: list[Page]) -> None:
        """A batch of pages: journaled unless it came from the journal, what is not a list
        set aside in the quarantine, and the rest normalized into the partition."""
        for page in batch:
            if page.rejected is not None:
                self.writer.quarantine.add_page(*page.rejected, page=page.number)
            elif not page.resumed:
                self.journal.append(page.query, page.number, page.count, page.raw_items)
        await self.lander.land([(page.number, page.raw_items) for page in batch])

    async def publish(self) -> Manifest:
        """Publish the partition with its manifest, timing it in the report."""
        report, stats = self.report, self.stats
        counts = PartitionCounts(
            pages=stats.pages,
            requests=stats.requests,
            retries=stats.retries,
            bytes=stats.bytes,
            expected_rows=report.expected_rows,
            gap=report.gap,
            unreachable=report.unreachable,
            truncated=report.truncated,
            drift=dict(self.lander.drift),
            resumed_pages=stats.resumed,
        )
        started = time.perf_counter()
        manifest = await asyncio.to_thread(
            self.writer.commit, new_manifest(self.endpoint, self.dt, self.run_id, counts)
        )
        report.publish_seconds = round(time.perf_counter() - started, 3)
        return manifest


def _list_params(spec: EndpointSpec, dt: date) -> dict[str, Any]:
    """The query of a list endpoint's partition for ``dt``."""
    if spec.kind == Kind.DAILY:
        # "created" is stable for existing games, so pages do not reshuffle mid-crawl.
        return {"updated": f"{dt},{dt}", "ordering": "created"}
    if spec.kind == Kind.RELEASES:
        return {"dates": f"{dt},{month_end(dt)}", "ordering": "-added"}
    return {}


async def _fetch_list(client: RawgClient, landing: _Landing, limit: int | None) -> None:
    """Every page of a list endpoint's query into the partition, and what RAWG said it held."""
    spec, report = landing.spec, landing.report
    paginator = ListPaginator(
        max_pages=limit, split=spec.kind == Kind.DAILY, staged=landing.journal.pages
    )
    params = _list_params(spec, landing.dt)
    pages = client.iter_pages(
        spec.path, params, paginator, endpoint=landing.endpoint, stats=landing.stats
    )
    async for batch in pages:
        await landing.land(batch)
    plan = paginator.plan
    report.expected_rows = plan.expected
    report.min_requests = plan.min_requests
    report.truncated = limit is not None and (plan.expected or 0) > limit * client.page_size
    report.notes.extend(plan.notes)
    if not report.truncated and plan.expected is not None:
        landed = landing.writer.distinct_ids + landing.writer.quarantine.items
        report.gap = max(0, plan.expected - landed)
        report.unreachable = min(report.gap, plan.unreachable)


def _landed_notes(report: IngestReport, quarantine: str) -> list[str]:
    """What a reader of the published partition should know: set aside (in the ``quarantine``
    folder), resumed, missing."""
    notes: list[str] = []
    if report.quarantined:
        reasons = ", ".join(f"{why} ×{n}" for why, n in sorted(report.quarantine_reasons.items()))
        notes.append(
            f"{report.quarantined} set aside, not landed ({reasons}): "
            f"{quarantine}/{QUARANTINE_FILE}"
        )
    if report.resumed_pages:
        notes.append(
            f"{report.resumed_pages} pages came from the last attempt's page journal: "
            f"{report.resumed_pages} requests saved"
        )
    if report.gap:
        notes.append(
            f"RAWG reported {report.expected_rows} rows but {report.expected_rows - report.gap} "
            "distinct ids arrived (rows changed while paging, or were unreachable)."
        )
    return notes


async def ingest_day(
    client: RawgClient,
    lake: Lake,
    day: date,
    *,
    run_id: str,
    max_pages: dict[Endpoint, int] | None = None,
    detail_budget: int = DEFAULT_DETAIL_BUDGET,
    skip_complete: bool = False,
    snapshots: bool = True,
    partition: PartitionFn | None = None,
) -> tuple[list[IngestReport], dict[Endpoint, str]]:
    """Every endpoint for one date, concurrently; one failure never discards another's data.

    ``partition`` fills one partition (default ``ingest_partition``; the flows pass their
    Prefect task, which adds retries and a task run per partition).

    ``snapshots=False`` lands only the day's games and their details: reference lists are the
    current listing whatever the date, so a backfill takes them once, not once per day.
    """
    pages = max_pages or {}
    fill = partition or ingest_partition

    async def run(endpoint: Endpoint) -> IngestReport:
        return await fill(
            client,
            lake,
            endpoint,
            day,
            run_id=run_id,
            max_pages=pages.get(endpoint),
            detail_budget=detail_budget,
            skip_complete=skip_complete,
        )

    # Details read the day's partition of what they detail, so they run once it has landed.
    independent = of_kind(Kind.DAILY) + (of_kind(Kind.SNAPSHOT) if snapshots else [])
    outcomes = await asyncio.gather(*(run(e) for e in independent), return_exceptions=True)
    reports: list[IngestReport] = []
    failures: dict[Endpoint, str] = {}
    for endpoint, outcome in zip(independent, outcomes, strict=True):
        if isinstance(outcome, IngestReport):
            reports.append(outcome)
        elif isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome
            failures[endpoint] = str(outcome)
    for detail in of_kind(Kind.DETAILS):
        source = ENDPOINTS[detail].detail_of
        if source in failures:
            failures[detail] = f"skipped because {source} did not land."
            continue
        try:
            reports.append(await run(detail))
        except PipelineError as exc:
            failures[detail] = str(exc)
    return reports, failures


class _Lander:
    """Normalizes pages into the partition writer, staging chunks off the event loop."""

    def __init__(self, endpoint: str, writer: PartitionWriter, run_id: str) -> None:
        self._schema = ENDPOINTS[endpoint].schema
        self._writer = writer
        self._run_id = run_id
        self._ingested_at = datetime.now(UTC)
        # Values off the schema, by what was off (``<path>: expected <type>, got <type>``).
        self.drift: Counter[str] = Counter()

    async def land(self, pages: list[tuple[int, list[bytes]]]) -> None:
        """Normalize pages (items as JSON bytes) in one call (cheaper per page), then give
        each row its page."""
        raws = [raw for _, page_items in pages for raw in page_items]
        batch = self._schema.normalize_raw(
            raws, page=pages[0][0], run_id=self._run_id, ingested_at=self._ingested_at
        )
        rows = batch.table
        if len(pages) > 1:
            page_of = [n for n, its in pages for _ in its]
            pos_of = [i for _, its in pages for i in range(len(its))]
            for name, values in (("_page", page_of), ("_pos", pos_of)):
                at = rows.schema.get_field_index(name)
                rows = rows.set_column(at, rows.field(at), pa.array(values, pa.int32()))
        self.drift.update(batch.drift)
        self._writer.add(rows)
        if self._writer.chunk_due:
            # Polars writes without the GIL: the event loop keeps fetching meanwhile.
            await asyncio.to_thread(self._writer.flush)


def _detail_candidates(lake: Lake, dt: date, budget: int, report: IngestReport) -> list[int]:
    """The day's games most worth a detail request: most added first, within the budget."""
    if not lake.is_complete("games", dt):
        raise PipelineError(
            f"game_details for {dt} needs that day's games partition first: run "
            f"`gmp ingest --endpoint games --date {dt}` (or `gmp ingest-all --date {dt}`)."
        )
    games = lake.read_partition("games", dt, columns=["id", "added"]).drop_nulls("id")
    ranked = games.sort(["added", "id"], descending=[True, False], nulls_last=True)["id"]
    chosen = ranked.to_list() if budget < 0 else ranked.head(budget).to_list()
    if len(chosen) < games.height:
        report.notes.append(
            f"details fetched for {len(chosen)} of {games.height} games (detail_budget={budget})"
        )
    return chosen


async def _fetch_details(
    client: RawgClient,
    spec: EndpointSpec,
    game_ids: list[int],
    lander: _Lander,
    stats: RequestStats,
    report: IngestReport,
) -> None:
    # All or nothing: a partition cut short by the budget would be thrown away, requests and all.
    reservation = client.budget.reserve(len(game_ids), f"{spec.name} for {len(game_ids)} games")

    async def one(position: int, game_id: int) -> tuple[int, dict[str, Any] | None]:
        path = spec.path.format(id=game_id)
        detail = await client.get_detail(
            path, endpoint=spec.name, stats=stats, reservation=reservation
        )
        return position, detail

    batch = max(1, client.max_concurrency * 2)
    missing = 0
    try:
        for start in range(0, len(game_ids), batch):
            chunk = game_ids[start : start + batch]
            for position, detail in await asyncio.gather(
                *(one(start + offset + 1, game_id) for offset, game_id in enumerate(chunk))
            ):
                if detail is None:
                    missing += 1
                else:
                    await lander.land([(position, [orjson.dumps(detail)])])
    finally:
        reservation.close()
    if missing:
        report.notes.append(f"{missing} games had no detail page any more (404)")
