"""The local Prefect server's pid file and database, against real processes."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from gmp.server import LocalServer, database_template, seed_database
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
    assert seed_database(first) is True  # made the template: Prefect's own migrations
    template = database_template()
    with closing(sqlite3.connect(template)) as db:
        (head,) = db.execute("select version_num from alembic_version").fetchone()
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
    finally:
        server.stop()
    with closing(sqlite3.connect(home / "prefect.db")) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
        assert db.execute("select version_num from alembic_version").fetchone() == (head,)
    assert {"seeded_from_the_template", "flow_run"} <= tables
