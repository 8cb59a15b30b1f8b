"""The offline RAWG: a local HTTP server that answers like the RAWG API (the sandbox), and
generated lakes for the transform benchmark (``rawg_simulator.lake``), from one set of
reference data.

Games are synthetic but deterministic for a seed; item shapes follow real RAWG responses.
Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

from rawg_simulator.config import SandboxConfig, add_arguments, config_from_args
from rawg_simulator.launcher import base_url, free_port, running_sandbox, serve
from rawg_simulator.server import build_app

__all__ = [
    "SandboxConfig",
    "add_arguments",
    "base_url",
    "build_app",
    "config_from_args",
    "free_port",
    "running_sandbox",
    "serve",
]
