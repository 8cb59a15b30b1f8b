"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright for
Python through ``executable_path`` (Playwright cannot download its own browser here).

Where no Chromium is installed the tests skip, saying how to get one; under CI (``CI`` set,
as `.ci/run` does) they fail instead, so CI never passes by skipping them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# Without the networking flags Chromium reaches out to Google's services on start.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    reason = "no Chromium to drive: `sudo apt install chromium` (Debian) runs the browser tests"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but there is {reason[3:]}")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, closed after."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
