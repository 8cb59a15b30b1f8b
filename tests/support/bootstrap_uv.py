"""scripts/bootstrap_uv.py imported as a module (scripts/ is not a package); starts nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bootstrap_uv.py"

_spec = importlib.util.spec_from_file_location("bootstrap_uv", SCRIPT)
assert _spec is not None and _spec.loader is not None
bootstrap_uv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bootstrap_uv)
