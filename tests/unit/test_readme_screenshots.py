"""The docs' screenshots are committed, and each is one the browser tests produce."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"


def shown_images() -> set[Path]:
    """Every screenshot README.md or a docs page shows, as a path in the repository."""
    images = {
        REPO / image
        for image in re.findall(r"\]\((docs/screenshots/[^)]+)\)", (REPO / "README.md").read_text())
    }
    for page in (REPO / "docs").rglob("*.md"):
        for image in re.findall(r"\]\(((?:\.\./)*screenshots/[^)]+)\)", page.read_text()):
            images.add((page.parent / image).resolve())
    return images


def test_the_readme_opens_with_the_report() -> None:
    readme = (REPO / "README.md").read_text()
    assert re.findall(r"\]\((docs/screenshots/[^)]+)\)", readme) == [
        "docs/screenshots/market-report-1280.png"
    ]


def test_every_image_the_docs_show_is_a_committed_png_a_browser_test_saves() -> None:
    images = shown_images()
    assert {p.name for p in images} == {
        "market-report-trending-1280.png",
        "market-report-1280.png",
        "ui-daily-custom-run.png",
        "ui-market-summary-artifact.png",
    }
    assert {p.name for p in SCREENSHOTS.iterdir()} == {p.name for p in images}
    saved_by_tests = "\n".join(p.read_text() for p in (REPO / "tests").rglob("test_*.py"))
    for path in images:
        assert path.parent == SCREENSHOTS and path.suffix == ".png", path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        assert f'"{path.name}"' in saved_by_tests or f"{path.stem.rsplit('-', 1)[0]}-" in (
            saved_by_tests
        ), path
