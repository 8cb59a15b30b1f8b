"""``python -m rawg_simulator``: serve the RAWG sandbox in the foreground."""

from __future__ import annotations

import argparse

from rawg_simulator.config import add_arguments, config_from_args
from rawg_simulator.launcher import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m rawg_simulator",
        description="Serve a deterministic RAWG-like API on loopback (data shapes: RAWG).",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    serve(config_from_args(args), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
