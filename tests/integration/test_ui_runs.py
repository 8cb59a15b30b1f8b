"""Runs started from the Prefect UI the way a person starts them: headless Chromium clicks
through the UI of the platform `make start-native OFFLINE=1` starts (a Prefect server on
SQLite, the deployments of prefect.yaml, a process worker, the S3 stand-in as the lake and the
RAWG sandbox), then the Prefect API and the lake say what the clicks did."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import boto3
import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from gmp.server import REGISTERED_BLOCKS_ENV
from rawg_simulator import free_port
from tests.support.browser import chromium

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCREENSHOTS = REPO / "data" / "screenshots"


class OfflinePlatform:
    """`scripts/platform_native.sh start` with OFFLINE=1 and no RAWG settings at all."""

    def __init__(self, tmp: Path) -> None:
        self.server_port, self.s3_port, sandbox_port = free_port(), free_port(), free_port()
        self.bucket = f"lake-{uuid4().hex[:8]}"
        self.ui = f"http://127.0.0.1:{self.server_port}"
        self.api = f"{self.ui}/api"
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAWG_")}
        self.env = {
            **inherited,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "OFFLINE": "1",
            "SANDBOX_GAMES": "1500",
            "GMP_SANDBOX_PORT": str(sandbox_port),
            "GMP_RUN_DIR": str(tmp / "run"),
            "GMP_SERVER_PORT": str(self.server_port),
            "GMP_S3_PORT": str(self.s3_port),
            "LAKE_BUCKET": self.bucket,
            "DUCKDB_PATH": str(tmp / "warehouse" / "game_market.duckdb"),
            "PREFECT_HOME": str(tmp / "prefect"),
        }
        self.api_errors: list[str] = []  # what the browser's API calls got: 5xx, no answer

    def script(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "scripts/platform_native.sh", command],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    # The synchronous client: Playwright's sync API already runs an event loop here.
    def run(self, flow_run_id: UUID, timeout: float = 300) -> Any:
        """The flow run once it is final."""
        deadline = time.monotonic() + timeout
        with SyncPrefectClient(api=self.api) as client:
            while True:
                run = client.read_flow_run(flow_run_id)
                if run.state and run.state.is_final():
                    return run
                assert time.monotonic() < deadline, f"flow run still {run.state}"
                time.sleep(1)

    def artifact_keys(self, flow_run_id: UUID) -> set[str]:
        with SyncPrefectClient(api=self.api) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )
        return {a.key for a in artifacts if a.key}

    def artifact_markdown(self, flow_run_id: UUID, key: str) -> str:
        with SyncPrefectClient(api=self.api) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )
        return next(str(a.data) for a in artifacts if a.key == key)

    def runs_of(self, deployment: str) -> list[Any]:
        with SyncPrefectClient(api=self.api) as client:
            found = client.read_deployment_by_name(deployment)
            return [r for r in client.read_flow_runs() if r.deployment_id == found.id]

    def no_toast(self, page: Any) -> str:
        """What the page and the server said when a submitted run raised no toast."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "ui-no-run-toast.png"))
        server_log = Path(self.env["GMP_RUN_DIR"]) / "server.log"
        problems = [
            line
            for line in server_log.read_text(errors="replace").splitlines()
            if re.search(r"error|exception|locked|timeout", line, re.IGNORECASE)
        ]
        return (
            f"no run toast on {page.url} (screenshot {SCREENSHOTS / 'ui-no-run-toast.png'});"
            f" the page said {page.locator('body').inner_text()[:1500]!r};"
            f" the browser's API calls failed: {self.api_errors[-15:]!r};"
            f" the server log's last problems: {problems[-15:]!r}"
        )

    def partitions(self, endpoint: str) -> set[str]:
        """The dates with a published partition of ``endpoint`` (its manifest) in the lake."""
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            region_name="us-east-1",
        )
        listed = s3.list_objects_v2(Bucket=self.bucket, Prefix=f"lake/raw/{endpoint}/")
        keys = [item["Key"] for item in listed.get("Contents", [])]
        return {m.group(1) for k in keys if (m := re.search(r"dt=([\d-]+)/_manifest\.json$", k))}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfflinePlatform]:
    platform = OfflinePlatform(tmp_path_factory.mktemp("ui-platform"))
    started = platform.script("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "RAWG         the sandbox on http://127.0.0.1:" in started.stdout
        assert "(OFFLINE=1: no key, no network)" in started.stdout
        run_dir = Path(platform.env["GMP_RUN_DIR"])
        prepared = (run_dir / "prepare.log").read_text()
        assert "prefect.db: a copy of the migrated" in prepared, prepared
        # It holds the template's block types: the server was told not to register them.
        server_pid = (run_dir / "server.pid").read_text().strip()
        environ = set(Path(f"/proc/{server_pid}/environ").read_bytes().split(b"\0"))
        assert {f"{k}={v}".encode() for k, v in REGISTERED_BLOCKS_ENV.items()} <= environ
        yield platform
    finally:
        stopped = platform.script("stop")
        assert "4 service(s) stopped" in stopped.stdout, stopped.stdout + stopped.stderr


@pytest.fixture
def page(platform: OfflinePlatform) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, timezone_id="UTC")
        page = context.new_page()
        page.set_default_timeout(30_000)
        platform.api_errors.clear()
        page.on(
            "response",
            lambda r: (
                r.status >= 500
                and platform.api_errors.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )
        page.on(
            "requestfailed",
            lambda r: platform.api_errors.append(f"{r.failure} {r.method} {r.url}"),
        )
        yield page
        context.close()


def test_offline_takes_only_0_or_1(tmp_path: Path) -> None:
    platform = OfflinePlatform(tmp_path)
    platform.env["OFFLINE"] = "yes"
    refused = platform.script("start")
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: OFFLINE must be 0 or 1, not 'yes': OFFLINE=1 runs against the RAWG sandbox\n"
    )
    assert not (tmp_path / "run").exists()


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def open_deployment(page: Any, platform: OfflinePlatform, name: str) -> None:
    """Deployments, then the deployment's link, as a person finds it."""
    page.goto(f"{platform.ui}/deployments", wait_until="networkidle")
    # The deployment's own link: `dbt-build` is also its flow's name, linked in the same row.
    page.locator(f'a.deployment-list__name[title="{name}"]').click()
    page.wait_for_url("**/deployments/deployment/**")
    page.wait_for_load_state("networkidle")


def run_menu(page: Any, item: str) -> None:
    page.locator(".run-menu__run-button").click()
    page.get_by_role("button", name=item, exact=True).click()


def view_created_run(page: Any, platform: OfflinePlatform, submit: Any = None) -> UUID:
    """The toast a new run raises ("<name> scheduled to start now"), then its View run.

    ``submit``, the form's button, is clicked once more only if every API call that failed
    got a 503: the server's answer when its SQLite database was locked, which Prefect's own
    clients retry and the UI asks the user to ("Oops. Something went wrong.")."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    toast = page.locator(".toast-flow-run-create").last  # rendered twice, the last on top
    try:
        toast.get_by_role("button", name="View run").click()
    except PlaywrightTimeout as error:
        failed = [e for e in platform.api_errors if "ERR_ABORTED" not in e]  # left pages
        locked = failed and all(e.startswith("503 ") for e in failed)
        if submit is None or not locked:
            raise AssertionError(platform.no_toast(page)) from error
        print(f"the server answered 503 (SQLite locked), submitted again: {platform.api_errors}")
        platform.api_errors.clear()
        submit.click()
        try:
            toast.get_by_role("button", name="View run").click()
        except PlaywrightTimeout as again:
            raise AssertionError(platform.no_toast(page)) from again
    page.wait_for_url(re.compile(r"/flow-run/[0-9a-f-]{36}"))
    return UUID(re.search(r"/flow-run/([0-9a-f-]{36})", page.url).group(1))


def pick_date(page: Any, parameter: str, day: dt.date) -> None:
    """A date parameter set through its calendar: the `date` type, the day, Apply."""
    field = page.locator(".schema-form-property").filter(has_text=parameter)
    field.get_by_role("button", name="date", exact=True).click()
    field.get_by_text("Select date").click()
    calendar = page.locator(".p-date-picker")
    month, year = calendar.locator(".p-calendar-header__title").inner_text().split()
    shown = dt.datetime.strptime(f"{month} {year}", "%B %Y").date()
    months = (day.year - shown.year) * 12 + day.month - shown.month
    arrow = ".p-calendar-header__after" if months > 0 else ".p-calendar-header__before"
    for _ in range(abs(months)):
        calendar.locator(f"{arrow} button").click()
    calendar.locator(".p-calendar-date-picker__date--in-month").get_by_text(
        str(day.day), exact=True
    ).click()
    page.get_by_role("button", name="Apply").click()
    shown_value = field.locator(".p-date-button__value").inner_text()
    assert shown_value == f"{day:%b} {ordinal(day.day)}, {day.year}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def screenshot_with_artifacts(page: Any, flow_run_id: UUID, name: str) -> Path:
    """The completed run's page on its Artifacts tab, both artifacts shown."""
    page.reload(wait_until="networkidle")
    page.get_by_text("Artifacts", exact=True).click()
    page.wait_for_url("**tab=Artifacts**")
    for key in ("ingest-all-", "market-summary-"):
        page.get_by_text(re.compile(f"^{key}")).first.wait_for()
    assert page.locator(".state-badge, .p-tag").filter(has_text="Completed").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    return shot


def test_quick_run_of_the_daily_deployment_collects_yesterday(
    platform: OfflinePlatform, page: Any
) -> None:
    open_deployment(page, platform, "daily")
    run_menu(page, "Quick run")
    flow_run_id = view_created_run(page, platform)
    run = platform.run(flow_run_id)
    assert run.state.type.value == "COMPLETED", run.state.message
    assert run.deployment_id is not None
    # Yesterday as the run saw it: the UTC day before its start, which was just now (a run
    # started before midnight and checked after it collects the day before this one's).
    started = run.expected_start_time.astimezone(dt.UTC)
    assert dt.datetime.now(dt.UTC) - started < dt.timedelta(minutes=15), started
    yesterday = (started.date() - dt.timedelta(days=1)).isoformat()
    assert platform.artifact_keys(flow_run_id) >= {
        f"ingest-all-{yesterday}",
        f"market-summary-{yesterday}",
    }
    assert yesterday in platform.partitions("games")
    screenshot_with_artifacts(page, flow_run_id, "ui-daily-quick-run.png")

    # The market summary in the UI: every chart the artifact holds drawn as an image.
    markdown = platform.artifact_markdown(flow_run_id, f"market-summary-{yesterday}")
    charts = markdown.count("](data:image/svg+xml;base64,")
    assert charts >= 2, markdown[:500]
    page.get_by_text(f"market-summary-{yesterday}", exact=True).click()
    page.wait_for_url("**/artifacts/artifact/**")
    images = page.locator('img[src^="data:image/svg+xml"]')
    images.nth(charts - 1).wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img[src^=\"data:image/svg+xml\"]')]"
        ".every(img => img.complete)"
    )
    assert images.count() == charts
    for image in images.all():
        assert image.evaluate("img => img.naturalWidth") > 100
        assert image.bounding_box()["width"] > 100
    images.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "ui-market-summary-artifact.png"))


def test_custom_run_with_a_date_collects_that_day(platform: OfflinePlatform, page: Any) -> None:
    day = utc_today() - dt.timedelta(days=4)
    open_deployment(page, platform, "daily")
    run_menu(page, "Custom run")
    page.wait_for_url("**/run**")
    page.wait_for_load_state("networkidle")
    pick_date(page, "date (Optional)", day)
    submit = page.get_by_role("button", name="Submit")
    platform.api_errors.clear()
    submit.click()
    flow_run_id = view_created_run(page, platform, submit)
    run = platform.run(flow_run_id)
    assert run.parameters["date"] == day.isoformat()
    assert run.state.type.value == "COMPLETED", run.state.message
    assert {f"ingest-all-{day}", f"market-summary-{day}"} <= platform.artifact_keys(flow_run_id)
    assert day.isoformat() in platform.partitions("games")
    screenshot_with_artifacts(page, flow_run_id, "ui-daily-custom-run.png")


def test_the_backfill_without_its_dates_is_refused_before_any_run(
    platform: OfflinePlatform, page: Any
) -> None:
    """Quick run opens a form for the two required dates and will not run without them; so
    does Custom run's Submit. No run of the backfill exists afterwards."""
    open_deployment(page, platform, "backfill")
    run_menu(page, "Quick run")
    dialog = page.locator("#p-modal-teleport-target")
    dialog.get_by_role("button", name="Run", exact=True).click()
    for parameter in ("start_date", "end_date"):
        dialog.get_by_text(f"'{parameter}' is a required property").wait_for()
    dialog.get_by_role("button", name="Close").click()

    run_menu(page, "Custom run")
    page.wait_for_url("**/run**")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Submit").click()
    for parameter in ("start_date", "end_date"):
        page.get_by_text(f"'{parameter}' is a required property").wait_for()
    assert page.url.split("?")[0].endswith("/run")
    assert platform.runs_of("game-market-backfill/backfill") == []


def built_warehouse(platform: OfflinePlatform) -> None:
    """The warehouse a partial build builds on: a completed daily run's, else one now."""
    with SyncPrefectClient(api=platform.api) as client:
        daily = client.read_deployment_by_name("daily-game-market-update/daily")
        if any(
            run.deployment_id == daily.id and run.state and run.state.is_completed()
            for run in client.read_flow_runs()
        ):
            return
        day = utc_today() - dt.timedelta(days=6)
        run = client.create_flow_run_from_deployment(daily.id, parameters={"date": str(day)})
    assert platform.run(run.id).state.type.value == "COMPLETED"


def built_nodes(markdown: str) -> dict[str, set[str]]:
    """The dbt-build artifact's table: node names by resource (model, test, ...)."""
    nodes: dict[str, set[str]] = {}
    for row in markdown.splitlines():
        # Markdown escapes (`dim\_genres`) undone: the names as dbt gives them.
        cells = [re.sub(r"\\(.)", r"\1", cell.strip()) for cell in row.strip("|").split("|")]
        if (
            row.startswith("|")
            and len(cells) == 5
            and cells[0] not in ("node", "")
            and (not set(cells[0]) <= set("-:"))
        ):
            nodes.setdefault(cells[0], set()).add(cells[1])
    return nodes


def test_dbt_build_of_one_mart_and_its_children_from_the_ui(
    platform: OfflinePlatform, page: Any
) -> None:
    """The seed's "select specific assets": Custom run of the dbt-build deployment, its
    parameters described in the form, `select: dim_genres+`; only those nodes are built."""
    built_warehouse(platform)
    open_deployment(page, platform, "dbt-build")
    run_menu(page, "Custom run")
    page.wait_for_url("**/run**")
    page.wait_for_load_state("networkidle")
    page.get_by_text("dbt's node selection, to rebuild chosen assets").wait_for()
    page.get_by_text("Rebuild incremental models from scratch").wait_for()
    field = page.locator(".schema-form-property").filter(has_text="select (Optional)")
    field.get_by_role("button", name="str", exact=True).click()  # `str | None`: the str
    field.locator("textarea").fill("dim_genres+")
    submit = page.get_by_role("button", name="Submit")
    platform.api_errors.clear()
    submit.click()
    flow_run_id = view_created_run(page, platform, submit)
    run = platform.run(flow_run_id)
    assert run.parameters["select"] == "dim_genres+"
    assert run.state.type.value == "COMPLETED", run.state.message
    nodes = built_nodes(platform.artifact_markdown(flow_run_id, "dbt-build-duckdb"))
    # dim_genres and the two report marts built from it (the release chart through its
    # steps), then the tests on them; no staging, no other dimension.
    assert nodes["model"] == {
        "dim_genres",
        "mart_report_genres",
        "int_chart_genres_ranked",
        "int_chart_days_segmented",
        "int_chart_other_releases_counted",
        "mart_report_releases",
    }
    assert nodes.get("test"), nodes
