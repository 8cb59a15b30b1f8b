"""``python -m gmp``."""

from __future__ import annotations

from gmp.main import run

run()
