"""The Prefect server the flows ``gmp`` starts report to, so that no command boots one.

Without ``PREFECT_API_URL``, Prefect gives every process a temporary server (a subprocess it
drops at exit). Measured on the 2-core development machine, that cost each command 15-20 s to
boot it (more with a new database) and 3-4 s to import it, against under a second of fetching
for a small day. So a command uses, in this order:

1. the server ``PREFECT_API_URL`` names (environment or Prefect profile), as Prefect would;
2. the Prefect server answering on ``127.0.0.1:PREFECT_SERVER_API_PORT`` (4200 unless set),
   whoever started it: the platform's (``make start``), or an earlier ``gmp`` command's;
3. else a local server it starts there: ``prefect server start`` (API, UI and services, on
   the SQLite database in ``PREFECT_HOME``), detached, left running for later commands until
   ``gmp server stop``. Its pid file and log are in ``PREFECT_HOME``.

A new SQLite database starts as a copy of an empty one already migrated and holding the block
types of the installed Prefect collections (prefect-aws, prefect-dbt, prefect-snowflake), made
once per set of their versions in ``$XDG_CACHE_HOME/game-market`` (``~/.cache``). A server
whose database holds the template's block types is told not to register them again: Prefect
would import every collection to do so (dbt and the Snowflake SDK among them), the larger part
of its start. Start-up times are in the benchmarks (``benchmarks/demo.py``).
"""

from __future__ import annotations

import fcntl
import hashlib
import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import prefect
from prefect.settings import get_current_settings

from game_market.errors import PipelineError

HOST = "127.0.0.1"  # never exposed: a server for this machine's own commands
START_TIMEOUT_S = 180  # a new database's migrations take ~30 s on a busy 2-core machine
STOP_TIMEOUT_S = 20
PROBE_TIMEOUT_S = 5
SQLITE_URL_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")
# Registration is Prefect's to skip twice over: the memo of it would still import every
# collection to compute its hash.
REGISTERED_BLOCKS_ENV = {
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
}
BLOCK_ROWS = """
    select block_type.slug, block_type.description, block_type.logo_url,
        block_type.documentation_url, block_type.code_example, block_schema.checksum,
        block_schema.version
    from block_schema inner join block_type on block_schema.block_type_id = block_type.id
"""


class PrefectServerError(PipelineError):
    """No Prefect server to run the flows against; the message names the fix."""


@dataclass(frozen=True)
class LocalServer:
    """The local Prefect server of one ``PREFECT_HOME``, on ``127.0.0.1:port``."""

    home: Path
    port: int
    database: Path | None = None  # its SQLite file; None for another database
    # The variables it starts with (None: this process's); kept out of the repr, as they may
    # hold secrets.
    environment: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_prefect_settings(cls) -> LocalServer:
        settings = get_current_settings()
        url = settings.server.database.connection_url
        return cls(
            home=settings.home,
            port=settings.server.api.port,
            database=sqlite_file(url.get_secret_value() if url else ""),
        )

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"

    @property
    def pid_file(self) -> Path:
        return self.home / "gmp-server.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "gmp-server.log"

    def answers(self) -> bool:
        """A Prefect server answers on the port; something else there is an error."""
        # The standard library's client: plain HTTP on loopback needs none of the TLS set-up
        # an httpx client makes at creation (~40 ms on 2 cores).
        connection = http.client.HTTPConnection(HOST, self.port, timeout=PROBE_TIMEOUT_S)
        try:
            connection.request("GET", "/api/health")
            response = connection.getresponse()
            healthy = response.status == 200 and response.read().strip() == b"true"
        except ConnectionRefusedError:
            return False
        except (OSError, http.client.HTTPException):
            healthy = False
        finally:
            connection.close()
        if healthy:
            return True
        raise PrefectServerError(
            f"Port {self.port} answers, but not as a Prefect server: stop what listens there "
            f"or set PREFECT_SERVER_API_PORT to a free port for gmp's local Prefect server."
        )

    def pid(self) -> int | None:
        """The pid of the server ``gmp`` started here, if it is still that server."""
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        # After a reboot the pid file outlives its process, and the pid may be another's.
        command = _command_line(pid)
        if command is None or "prefect" not in command or "server" not in command:
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def ensure_running(self, notice: Callable[[str], None]) -> None:
        """Start the server unless one answers; concurrent commands start one, not two."""
        with self.answering_after(notice):
            pass

    @contextmanager
    def answering_after(self, notice: Callable[[str], None]) -> Iterator[None]:
        """The server answers once the block is done: unless one answers, it is started as
        the block begins, so the block's work (a command's imports) overlaps its start-up.
        Concurrent commands start one server, not two: the others wait for it."""
        if self.answers():
            yield
            return
        with self._lock():
            if self.answers():
                yield
                return
            notice(
                f"Starting a local Prefect server on {self.ui_url} (its UI) for this and later "
                f"gmp commands; `gmp server stop` stops it."
            )
            # In a thread: a template made on first use overlaps the command's imports too.
            with ThreadPoolExecutor(max_workers=1) as starting:
                spawned = starting.submit(self._seed_then_spawn)
                yield
                process = spawned.result()
            self._wait_until_it_answers(process)

    def stop(self) -> int | None:
        """Stop the server ``gmp`` started here; its pid, or None when there was none."""
        pid = self.pid()
        if pid is None:
            return None
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _command_line(pid) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        if _command_line(pid) is not None:
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return pid

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / "gmp-server.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _seed_then_spawn(self) -> subprocess.Popen[bytes]:
        if self.database is not None:
            seed_database(self.database)
        return self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", HOST, "--port", str(self.port)]
        env = dict(os.environ if self.environment is None else self.environment)
        env |= registered_blocks_env(self.database)
        # Its own session: the terminal's Ctrl-C and hang-up are for the command, not for it;
        # its output goes to a file, as a pipe nobody reads would block it.
        with self.log_file.open("wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        return process

    def _wait_until_it_answers(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.answers():
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise PrefectServerError(
                    f"The local Prefect server stopped while starting (exit code "
                    f"{process.returncode}): see {self.log_file} for why."
                )
            if time.monotonic() > deadline:
                self.stop()
                raise PrefectServerError(
                    f"The local Prefect server did not answer within {START_TIMEOUT_S} s, so "
                    f"it was stopped: see {self.log_file}, then run the command again."
                )
            time.sleep(0.2)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (Prefect's default); None for any other."""
    for prefix in SQLITE_URL_PREFIXES:
        if url.startswith(prefix) and "?" not in url and ":memory:" not in url:
            return Path(url.removeprefix(prefix))
    return None


def database_template() -> Path:
    """The migrated empty database with the installed collections' block types, in the
    user's cache: one per version of Prefect and of each collection."""
    collections = sorted(
        f"{point.dist.name}=={point.dist.version}"
        for point in entry_points(group="prefect.collections")
        if point.dist is not None
    )
    key = hashlib.sha256("\n".join(collections).encode()).hexdigest()[:12]
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "game-market" / f"prefect-{prefect.__version__}-{key}.db"


def holds_template_blocks(database: Path) -> bool:
    """The database holds every block type and schema of the current template (then the
    server need not register them); False when either cannot be read."""
    template = database_template()
    if not (template.exists() and database.exists()):
        return False
    try:
        with (
            closing(sqlite3.connect(f"file:{template}?mode=ro", uri=True)) as wanted,
            closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as held,
        ):
            needed = set(wanted.execute(BLOCK_ROWS))
            return bool(needed) and needed <= set(held.execute(BLOCK_ROWS))
    except sqlite3.Error:
        return False


def registered_blocks_env(database: Path | None) -> dict[str, str]:
    """The variables that tell a server on ``database`` not to register the block types:
    ``REGISTERED_BLOCKS_ENV`` when it holds the template's, else none."""
    if database is not None and holds_template_blocks(database):
        return dict(REGISTERED_BLOCKS_ENV)
    return {}


def seed_database(database: Path) -> bool:
    """Make a database that does not exist yet a copy of the migrated template (made first
    if missing); True if it was seeded. A template that cannot be made or copied seeds
    nothing: the server then migrates its new database itself, as Prefect does."""
    if any(Path(f"{database}{suffix}").exists() for suffix in ("", "-wal", "-journal")):
        return False
    template = database_template()
    partial = database.with_name(f".{database.name}.{os.getpid()}.seed")
    try:
        if not template.exists():
            _make_template(template)
        database.parent.mkdir(parents=True, exist_ok=True)
        # SQLite's backup, not a file copy: a consistent database whatever its journal.
        with (
            closing(sqlite3.connect(template)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        os.replace(partial, database)
    except (OSError, sqlite3.Error, subprocess.SubprocessError):
        partial.unlink(missing_ok=True)
        return False
    return True


def _make_template(template: Path) -> None:
    template.parent.mkdir(parents=True, exist_ok=True)
    with (template.parent / "template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent first starts make it once
        if template.exists():
            return
        partial = template.with_name(f".{template.name}.{os.getpid()}.partial")
        env = {k: v for k, v in os.environ.items() if "DATABASE_CONNECTION_URL" not in k}
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"{SQLITE_URL_PREFIXES[0]}{partial}"
        fill = [sys.executable, "-c", "import gmp.server as s; s.fill_template()"]
        try:
            subprocess.run(fill, env=env, capture_output=True, check=True, timeout=300)
            os.replace(partial, template)
        finally:
            for leftover in partial.parent.glob(f"{partial.name}*"):
                leftover.unlink()


def fill_template() -> None:
    """Migrate the database Prefect's settings name and register the block types, as a
    server's start does (run in a process of its own by ``_make_template``)."""
    import asyncio

    from prefect.server.database import provide_database_interface
    from prefect.server.models.block_registration import run_block_auto_registration

    async def fill() -> None:
        db = provide_database_interface()
        await db.create_db()
        async with await db.session() as session:
            await run_block_auto_registration(session=session)

    asyncio.run(fill())


def configured_api_url() -> str | None:
    """PREFECT_API_URL, from the environment or the active Prefect profile."""
    return get_current_settings().api.url


@contextmanager
def api_url_after(notice: Callable[[str], None]) -> Iterator[str]:
    """The API the flows of this command report to, answering once the block is done: a
    local server this command has to start starts as the block begins."""
    if configured := configured_api_url():
        check_configured(configured)
        yield configured
        return
    server = LocalServer.from_prefect_settings()
    with server.answering_after(notice):
        yield server.api_url


def check_configured(url: str) -> None:
    """The server PREFECT_API_URL names answers (Prefect's client: Cloud needs its key)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise PrefectServerError(
            f"No Prefect server answers at PREFECT_API_URL={url} ({type(problem).__name__}): "
            f"start it (make start, or make start-native), or unset PREFECT_API_URL so gmp "
            f"runs its flows on its own local Prefect server."
        )


def _command_line(pid: int) -> str | None:
    """The command line of a live process; None if there is none (or only its zombie)."""
    proc = Path("/proc")
    if proc.is_dir():
        try:
            command = (proc / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
    else:
        listed = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True)
        command = listed.stdout
    return command.replace(b"\0", b" ").decode().strip() or None
