"""Prefect's test harness, on a new database copied from the migrated template."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import prefect.testing.utilities
from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
from prefect.testing.utilities import prefect_test_harness

from gmp.server import seed_database, sqlite_file

# The file name prefect_test_harness gives its database inside the directory it makes.
HARNESS_DATABASE = "prefect-test.db"
# The harness counts only its sleeps towards this; at the suite's end two workers' builds,
# browsers and servers share the 2 cores, and a start has taken over 60 s there.
STARTUP_TIMEOUT_S = 180


@contextmanager
def seeded_test_harness() -> Iterator[None]:
    """prefect_test_harness whose server starts on a copy of the migrated empty database
    (~10 s of CPU) instead of running every migration itself (~20 s)."""
    seeded: list[Path] = []

    def seeded_directory() -> str:
        directory = tempfile.mkdtemp(prefix="gmp-harness-")
        database = Path(directory) / HARNESS_DATABASE
        if seed_database(database):
            seeded.append(database)
        return directory

    with (
        mock.patch.object(prefect.testing.utilities, "mkdtemp", seeded_directory),
        prefect_test_harness(server_startup_timeout=STARTUP_TIMEOUT_S),
    ):
        used = sqlite_file(PREFECT_SERVER_DATABASE_CONNECTION_URL.value())
        assert seeded and used == seeded[0], (
            f"the test harness runs on {used}, not on a copy of the template "
            f"({seeded or 'none made'}): see how prefect_test_harness names its database"
        )
        yield
