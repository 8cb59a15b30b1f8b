"""Runs started from the Prefect UI the way a person starts them: headless Chromium clicks
through the UI of the platform `make start-native OFFLINE=1` starts (a Prefect server on
SQLite, the deployments of prefect.yaml, a process worker, the S3 stand-in as the lake and the
RAWG sandbox: the session's ``native_platform``, shared with test_platform.py), then the
Prefect API and the lake say what the clicks did."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.support.browser import chromium
from tests.support.platform import BACKFILL, DAILY, REPO, NativePlatform

SCREENSHOTS = REPO / "data" / "screenshots"


@dataclass
class Ui:
    """The shared platform seen from the browser, with what the browser's API calls got."""

    platform: NativePlatform
    api_errors: list[str] = field(default_factory=list)  # 5xx answers, calls with none

    def no_toast(self, page: Any) -> str:
        """What the page and the server said when a submitted run raised no toast."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "ui-no-run-toast.png"))
        server_log = self.platform.run_dir / "server.log"
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


@pytest.fixture(scope="module")
def ui(native_platform: NativePlatform) -> Ui:
    return Ui(native_platform)


@pytest.fixture
def page(ui: Ui) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, timezone_id="UTC")
        page = context.new_page()
        page.set_default_timeout(30_000)
        ui.api_errors.clear()
        page.on(
            "response",
            lambda r: (
                r.status >= 500 and ui.api_errors.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )
        page.on(
            "requestfailed",
            lambda r: ui.api_errors.append(f"{r.failure} {r.method} {r.url}"),
        )
        yield page
        context.close()


def open_deployment(page: Any, ui: Ui, name: str) -> None:
    """Deployments, then the deployment's link, as a person finds it."""
    page.goto(f"{ui.platform.ui}/deployments", wait_until="networkidle")
    # The deployment's own link: `dbt-build` is also its flow's name, linked in the same row.
    page.locator(f'a.deployment-list__name[title="{name}"]').click()
    page.wait_for_url("**/deployments/deployment/**")
    page.wait_for_load_state("networkidle")


def run_menu(page: Any, item: str) -> None:
    page.locator(".run-menu__run-button").click()
    page.get_by_role("button", name=item, exact=True).click()


def view_created_run(page: Any, ui: Ui, submit: Any = None) -> UUID:
    """The toast a new run raises ("<name> scheduled to start now"), then its View run.

    ``submit``, the form's button, is clicked once more only if every API call that failed
    got a 503: the server's answer when its SQLite database was locked, which Prefect's own
    clients retry and the UI asks the user to ("Oops. Something went wrong.")."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    toast = page.locator(".toast-flow-run-create").last  # rendered twice, the last on top

    def view_run() -> None:
        # A custom run's form raises the toast, then goes back to the deployment, whose page
        # writes its tab into the URL as it mounts: a View run clicked before that write is
        # undone by it, so the click waits for the deployment page to settle.
        page.wait_for_url(re.compile(r"/deployments/deployment/[0-9a-f-]{36}\?(.*&)?tab="))
        toast.get_by_role("button", name="View run").click()

    try:
        view_run()
    except PlaywrightTimeout as error:
        failed = [e for e in ui.api_errors if "ERR_ABORTED" not in e]  # left pages
        locked = failed and all(e.startswith("503 ") for e in failed)
        if submit is None or not locked:
            raise AssertionError(ui.no_toast(page)) from error
        print(f"the server answered 503 (SQLite locked), submitted again: {ui.api_errors}")
        ui.api_errors.clear()
        submit.click()
        try:
            view_run()
        except PlaywrightTimeout as again:
            raise AssertionError(ui.no_toast(page)) from again
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


def test_quick_run_of_the_daily_deployment_collects_yesterday(ui: Ui, page: Any) -> None:
    open_deployment(page, ui, "daily")
    run_menu(page, "Quick run")
    flow_run_id = view_created_run(page, ui)
    run = ui.platform.final_run(flow_run_id)
    assert run.state.type.value == "COMPLETED", run.state.message
    assert run.deployment_id is not None
    # Yesterday as the run saw it: the UTC day before its start, which was just now (a run
    # started before midnight and checked after it collects the day before this one's).
    started = run.expected_start_time.astimezone(dt.UTC)
    assert dt.datetime.now(dt.UTC) - started < dt.timedelta(minutes=15), started
    yesterday = (started.date() - dt.timedelta(days=1)).isoformat()
    assert set(ui.platform.artifacts(flow_run_id)) >= {
        f"ingest-all-{yesterday}",
        f"market-summary-{yesterday}",
    }
    assert yesterday in ui.platform.partitions("games")
    screenshot_with_artifacts(page, flow_run_id, "ui-daily-quick-run.png")

    # The market summary in the UI: every chart the artifact holds drawn as an image.
    markdown = ui.platform.artifacts(flow_run_id)[f"market-summary-{yesterday}"]
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


def test_custom_run_with_a_date_collects_that_day(ui: Ui, page: Any) -> None:
    day = ui.platform.day(4)
    open_deployment(page, ui, "daily")
    run_menu(page, "Custom run")
    page.wait_for_url("**/run**")
    page.wait_for_load_state("networkidle")
    pick_date(page, "date (Optional)", day)
    submit = page.get_by_role("button", name="Submit")
    ui.api_errors.clear()
    submit.click()
    flow_run_id = view_created_run(page, ui, submit)
    run = ui.platform.final_run(flow_run_id)
    assert run.parameters["date"] == day.isoformat()
    assert run.state.type.value == "COMPLETED", run.state.message
    assert {f"ingest-all-{day}", f"market-summary-{day}"} <= set(ui.platform.artifacts(flow_run_id))
    assert day.isoformat() in ui.platform.partitions("games")
    screenshot_with_artifacts(page, flow_run_id, "ui-daily-custom-run.png")


def test_the_backfill_without_its_dates_is_refused_before_any_run(ui: Ui, page: Any) -> None:
    """Quick run opens a form for the two required dates and will not run without them; so
    does Custom run's Submit. No run of the backfill is created."""
    before = {run.id for run in ui.platform.runs_of(BACKFILL)}
    open_deployment(page, ui, "backfill")
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
    assert {run.id for run in ui.platform.runs_of(BACKFILL)} == before


def built_warehouse(platform: NativePlatform) -> None:
    """The warehouse a partial build builds on: a completed daily run's, else one now."""
    if any(run.state and run.state.is_completed() for run in platform.runs_of(DAILY)):
        return
    run = platform.create_run(DAILY, {"date": str(platform.day(6))})
    assert platform.final_run(run).state.type.value == "COMPLETED"


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


def test_dbt_build_of_one_mart_and_its_children_from_the_ui(ui: Ui, page: Any) -> None:
    """The seed's "select specific assets": Custom run of the dbt-build deployment, its
    parameters described in the form, `select: dim_genres+`; only those nodes are built."""
    built_warehouse(ui.platform)
    open_deployment(page, ui, "dbt-build")
    run_menu(page, "Custom run")
    page.wait_for_url("**/run**")
    page.wait_for_load_state("networkidle")
    page.get_by_text("dbt's node selection, to rebuild chosen assets").wait_for()
    page.get_by_text("Rebuild incremental models from scratch").wait_for()
    field = page.locator(".schema-form-property").filter(has_text="select (Optional)")
    field.get_by_role("button", name="str", exact=True).click()  # `str | None`: the str
    field.locator("textarea").fill("dim_genres+")
    submit = page.get_by_role("button", name="Submit")
    ui.api_errors.clear()
    submit.click()
    flow_run_id = view_created_run(page, ui, submit)
    run = ui.platform.final_run(flow_run_id)
    assert run.parameters["select"] == "dim_genres+"
    assert run.state.type.value == "COMPLETED", run.state.message
    nodes = built_nodes(ui.platform.artifacts(flow_run_id)["dbt-build-duckdb"])
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
