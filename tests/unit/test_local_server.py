"""The local Prefect server's bookkeeping, without starting one."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import prefect
import pytest

from gmp.commands import server_prepare
from gmp.server import (
    REGISTERED_BLOCKS_ENV,
    LocalServer,
    database_template,
    holds_template_blocks,
    registered_blocks_env,
    seed_database,
    sqlite_file,
)
from rawg_simulator import free_port


def make_template(cache: Path) -> Path:
    """A stand-in for the migrated template: one table, as a migration would leave."""
    template = cache / "game-market" / database_template().name
    template.parent.mkdir(parents=True)
    with closing(sqlite3.connect(template)) as db:
        db.execute("create table alembic_version (version_num text)")
        db.execute("insert into alembic_version values ('head')")
        db.commit()
    return template


def table_names(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as db:
        return {row[0] for row in db.execute("select name from sqlite_master where type='table'")}


def test_nothing_listening_is_not_running(tmp_path: Path) -> None:
    server = LocalServer(home=tmp_path, port=free_port())
    assert server.answers() is False
    assert server.pid() is None and server.stop() is None


def test_a_command_works_while_the_server_it_needs_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    imported = threading.Event()

    def spawn(self: LocalServer) -> None:
        # Seeding and spawning run alongside the command's imports, not before them.
        assert imported.wait(timeout=10), "the server started before the command's work"
        events.append("spawned")

    monkeypatch.setattr(LocalServer, "answers", lambda self: "ready" in events)
    monkeypatch.setattr(LocalServer, "_spawn", spawn)
    monkeypatch.setattr(
        LocalServer, "_wait_until_it_answers", lambda self, process: events.append("ready")
    )
    server = LocalServer(home=tmp_path, port=free_port(), database=tmp_path / "prefect.db")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make_template(tmp_path / "cache")
    with server.answering_after(events.append):
        events.append("imports")
        imported.set()
    assert events[1:] == ["imports", "spawned", "ready"]
    assert events[0].startswith("Starting a local Prefect server")
    assert table_names(tmp_path / "prefect.db") == {"alembic_version"}

    events.clear()
    events.append("ready")
    with server.answering_after(events.append):
        events.append("imports")
    assert events == ["ready", "imports"]  # one answers: nothing started, nothing awaited


def test_a_new_database_is_a_copy_of_the_template_and_an_old_one_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert database_template() == tmp_path / "cache" / "game-market" / database_template().name
    make_template(tmp_path / "cache")
    new = tmp_path / "home" / "prefect.db"
    assert seed_database(new) is True
    assert table_names(new) == {"alembic_version"}
    assert sorted(p.name for p in new.parent.iterdir()) == ["prefect.db"]  # no partial left

    with closing(sqlite3.connect(new)) as db:
        db.execute("create table flow_run (id text)")
        db.commit()
    assert seed_database(new) is False
    assert table_names(new) == {"alembic_version", "flow_run"}

    # A database with only its write-ahead log left is not new either: it is not replaced.
    orphan = tmp_path / "orphan" / "prefect.db"
    orphan.parent.mkdir()
    Path(f"{orphan}-wal").write_bytes(b"")
    assert seed_database(orphan) is False and not orphan.exists()


def test_a_template_that_cannot_be_read_seeds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make_template(tmp_path / "cache").write_bytes(b"not a database")
    new = tmp_path / "home" / "prefect.db"
    assert seed_database(new) is False
    assert list(new.parent.iterdir()) == []  # the server migrates a database of its own


def with_blocks(database: Path, *schemas: tuple[str, str]) -> Path:
    """Prefect's two block tables, holding a (block type, schema checksum) per ``schemas``."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(database)) as db:
        db.execute(
            "create table block_type (id text, slug text, description text, logo_url text, "
            "documentation_url text, code_example text)"
        )
        db.execute(
            "create table block_schema (id text, block_type_id text, checksum text, version text)"
        )
        for n, (slug, checksum) in enumerate(schemas):
            db.execute(
                "insert into block_type values (?, ?, 'd', null, null, null)", [str(n), slug]
            )
            db.execute("insert into block_schema values (?, ?, ?, '1')", [n, str(n), checksum])
        db.commit()
    return database


def test_the_server_skips_block_registration_only_on_a_database_holding_the_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    home = tmp_path / "home" / "prefect.db"
    with_blocks(home, ("s3-bucket", "sha256:a"), ("secret", "sha256:b"))
    assert holds_template_blocks(home) is False  # no template yet: Prefect registers them

    with_blocks(database_template(), ("s3-bucket", "sha256:a"))
    assert holds_template_blocks(home) is True
    assert registered_blocks_env(home) == REGISTERED_BLOCKS_ENV
    # A collection upgraded since: a schema the database lacks, so the server registers it.
    with closing(sqlite3.connect(database_template())) as db:
        db.execute("update block_schema set checksum = 'sha256:new'")
        db.commit()
    assert holds_template_blocks(home) is False
    # A database Prefect reset, and one that is not SQLite: registered as Prefect does.
    assert holds_template_blocks(with_blocks(tmp_path / "reset" / "prefect.db")) is False
    (tmp_path / "junk.db").write_bytes(b"not a database")
    assert holds_template_blocks(tmp_path / "junk.db") is False
    assert registered_blocks_env(tmp_path / "junk.db") == registered_blocks_env(None) == {}
    assert holds_template_blocks(tmp_path / "missing.db") is False


def test_the_template_is_one_per_set_of_collection_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gmp.server

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    installed = database_template()
    real = gmp.server.entry_points
    monkeypatch.setattr(gmp.server, "entry_points", lambda group: list(real(group=group))[:-1])
    assert database_template() != installed
    assert database_template().name.startswith(f"prefect-{prefect.__version__}-")


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("sqlite+aiosqlite:////home/me/.prefect/prefect.db", "/home/me/.prefect/prefect.db"),
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite+aiosqlite:///file::memory:?cache=shared", None),
        ("postgresql+asyncpg://prefect:secret@db:5432/prefect", None),
        ("", None),
    ],
)
def test_only_a_sqlite_file_is_seeded(url: str, file: str | None) -> None:
    assert sqlite_file(url) == (Path(file) if file else None)


def test_server_prepare_says_what_it_did_to_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = make_template(tmp_path / "cache")
    server = LocalServer(home=tmp_path, port=free_port(), database=tmp_path / "prefect.db")
    assert server_prepare(server) == 0
    assert server_prepare(server) == 0
    said = capsys.readouterr().out.split("\n")
    assert said[0] == f"{tmp_path / 'prefect.db'}: a copy of the migrated {template}."
    assert said[1] == f"{tmp_path / 'prefect.db'} exists: left as it is."

    template.write_bytes(b"not a database")
    assert server_prepare(LocalServer(home=tmp_path, port=1, database=tmp_path / "new.db")) == 0
    assert server_prepare(LocalServer(home=tmp_path, port=1)) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert said == (
        f"No migrated template could be made in {template.parent}: the Prefect server "
        f"migrates its new database itself, which takes it longer to start. "
        f"The Prefect database is not a SQLite file: nothing to prepare."
    )


def test_server_prepare_names_the_variables_when_the_database_holds_the_block_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # scripts/platform_native.sh starts its server with what this line names.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = with_blocks(database_template(), ("s3-bucket", "sha256:a"))
    server = LocalServer(home=tmp_path, port=free_port(), database=tmp_path / "prefect.db")
    assert server_prepare(server) == 0
    variables = " ".join(f"{name}={value}" for name, value in REGISTERED_BLOCKS_ENV.items())
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'prefect.db'}: a copy of the migrated {template}.",
        f"Start its server with {variables}: it holds the installed collections' block types "
        f"already.",
    ]
