"""The README's screenshots are committed, and each is one the browser tests produce."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_every_image_the_readme_shows_is_a_committed_png_a_browser_test_saves() -> None:
    images = re.findall(r"\]\((docs/screenshots/[^)]+)\)", README)
    assert set(images) == {
        "docs/screenshots/market-report-trending-1280.png",
        "docs/screenshots/market-report-1280.png",
        "docs/screenshots/ui-daily-custom-run.png",
        "docs/screenshots/ui-market-summary-artifact.png",
    }
    assert {p.name for p in (REPO / "docs/screenshots").iterdir()} == {
        Path(image).name for image in images
    }
    saved_by_tests = "\n".join(p.read_text() for p in (REPO / "tests").rglob("test_*.py"))
    for image in images:
        path = REPO / image
        assert image.startswith("docs/screenshots/") and path.suffix == ".png", image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert f'"{path.name}"' in saved_by_tests or f"{path.stem.rsplit('-', 1)[0]}-" in (
            saved_by_tests
        ), image
