"""A local HTTP server that answers like the RAWG API, for tests and benchmarks.

Games are synthetic but deterministic for a seed; item shapes follow real RAWG
responses. Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

from game_market.sandbox.catalog import SandboxConfig
from game_market.sandbox.server import (
    add_arguments,
    build_app,
    config_from_args,
    free_port,
    running_sandbox,
    serve,
)

__all__ = [
    "SandboxConfig",
    "add_arguments",
    "build_app",
    "config_from_args",
    "free_port",
    "running_sandbox",
    "serve",
]
