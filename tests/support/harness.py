"""Prefect's test harness, on a new database copied from the migrated template."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

import prefect.testing.utilities
from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
from prefect.testing.utilities import prefect_test_harness

from gmp.server import registered_blocks_env, seed_database, sqlite_file

# The file name prefect_test_harness gives its database inside the directory it makes.
HARNESS_DATABASE = "prefect-test.db"
# The harness counts only its sleeps towards this; at the suite's end two workers' builds,
# browsers and servers share the 2 cores, and a start has taken over 60 s there.
STARTUP_TIMEOUT_S = 180


@contextmanager
def seeded_test_harness() -> Iterator[None]:
    """prefect_test_harness whose server starts on a copy of the migrated template, told not
    to register the block types it holds, as gmp's local server is (``gmp.server``)."""
    directory = tempfile.mkdtemp(prefix="gmp-harness-")
    database = Path(directory) / HARNESS_DATABASE
    seeded = seed_database(database)
    with ExitStack() as harness:
        # The harness's server takes this process's environment as it starts (the settings
        # the harness copies keep the variables too; only a server reads them). The
        # environment is given back at once: a server a test starts later, on a database of
        # its own, may need to register the block types.
        with (
            mock.patch.object(prefect.testing.utilities, "mkdtemp", lambda: directory),
            mock.patch.dict(os.environ, registered_blocks_env(database)),
        ):
            harness.enter_context(prefect_test_harness(server_startup_timeout=STARTUP_TIMEOUT_S))
        used = sqlite_file(PREFECT_SERVER_DATABASE_CONNECTION_URL.value())
        assert seeded and used == database, (
            f"the test harness runs on {used}, not on a copy of the template in {database}: "
            f"see how prefect_test_harness names its database"
        )
        yield
