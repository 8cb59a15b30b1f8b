"""The RAWG sandbox as the tests use it: one fixed "today", one key shaped like a real one."""

from __future__ import annotations

from datetime import date

import httpx

SANDBOX_TODAY = date(2026, 1, 20)
SECRET_KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"  # shaped like a real RAWG key


def _admin_url(base_url: str, path: str) -> str:
    return base_url.removesuffix("/api") + path


def reset_sandbox(base_url: str) -> None:
    httpx.post(_admin_url(base_url, "/_sandbox/reset")).raise_for_status()


def sandbox_stats(base_url: str) -> dict:
    response = httpx.get(_admin_url(base_url, "/_sandbox/stats"))
    response.raise_for_status()
    return response.json()
