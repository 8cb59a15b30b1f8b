"""The docs site, built as `make site` builds it, read from the file system in headless Chromium:
the navigation leads to its pages, the search finds a word, and nothing is fetched from the
network (no web font, no script from a CDN), so the site works offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.browser import chromium

REPO = Path(__file__).resolve().parents[2]


def build_site(site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (site / "index.html").is_file() and (site / "search" / "search_index.js").is_file()


def follow_nav(page: Any, title: str, html: str) -> None:
    page.locator("nav.md-nav--primary").get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/{html}"), page.url
    assert page.locator("article h1").first.inner_text().rstrip("¶ \n") == title  # ¶: permalink


def search(page: Any, word: str) -> list[str]:
    """Type ``word`` into the site's search box; the titles of the results it lists."""
    page.locator("input.md-search__input").click()
    page.keyboard.type(word)
    results = page.locator("li.md-search-result__item")
    results.first.wait_for(state="visible", timeout=15_000)
    return [results.nth(n).inner_text() for n in range(results.count())]


def test_the_site_reads_offline_from_the_file_system(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(site)
    left: list[str] = []
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # Anything that is not a file of the site is refused and noted.
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else (left.append(route.request.url), route.abort())
            ),
        )
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "index.html").as_uri(), wait_until="load")
        assert "Game Market Pipeline" in page.title()

        follow_nav(page, "With your RAWG key", "rawg-key.html")
        assert "gmp doctor" in page.locator("article").inner_text()
        follow_nav(page, "Operations", "operations.html")

        results = search(page, "quarantine")
        assert any("quarantine" in result.lower() for result in results), results
        shot = tmp_path / "docs-site-search.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
    assert left == [], left
    assert errors == [], errors
