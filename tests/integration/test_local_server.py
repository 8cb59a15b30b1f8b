"""The local Prefect server's pid file and database, against real processes."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from gmp.server import (
    REGISTERED_BLOCKS_ENV,
    LocalServer,
    database_template,
    holds_template_blocks,
    seed_database,
)
from rawg_simulator import free_port


def test_a_stale_pid_file_never_signals_another_process(tmp_path: Path) -> None:
    # After a reboot the pid in the file may belong to anything: here, a sleeping process.
    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        server = LocalServer(home=tmp_path, port=free_port())
        server.pid_file.write_text(str(other.pid))
        assert server.pid() is None
        assert not server.pid_file.exists()
        server.pid_file.write_text(str(other.pid))
        assert server.stop() is None
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_a_new_home_starts_on_a_copy_of_the_migrated_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = tmp_path / "first" / "prefect.db"
    assert seed_database(first) is True  # made the template: Prefect's migrations and blocks
    template = database_template()
    with closing(sqlite3.connect(template)) as db:
        (head,) = db.execute("select version_num from alembic_version").fetchone()
        slugs = {row[0] for row in db.execute("select slug from block_type")}
        assert {"s3-bucket", "snowflake-credentials", "custom-webhook", "secret"} <= slugs
        db.execute("create table seeded_from_the_template (yes integer)")
        db.commit()
    with closing(sqlite3.connect(first)) as db:
        assert db.execute("select version_num from alembic_version").fetchone() == (head,)

    home = tmp_path / "second"
    monkeypatch.setenv("PREFECT_HOME", str(home))  # where the server started below looks
    server = LocalServer(home=home, port=free_port(), database=home / "prefect.db")
    try:
        server.ensure_running(lambda notice: None)
        assert server.answers()
        # It holds the template's blocks, so the server was told not to register them again.
        assert holds_template_blocks(home / "prefect.db")
        environ = Path(f"/proc/{server.pid()}/environ").read_bytes().split(b"\0")
        assert {f"{k}={v}".encode() for k, v in REGISTERED_BLOCKS_ENV.items()} <= set(environ)
    finally:
        server.stop()
    with closing(sqlite3.connect(home / "prefect.db")) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
        assert db.execute("select version_num from alembic_version").fetchone() == (head,)
    assert {"seeded_from_the_template", "flow_run"} <= tables
