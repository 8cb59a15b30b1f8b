"""One publisher at a time per lake partition, across processes and machines.

Two runs landing the same partition at once (two daily runs of one date, a daily run during a
backfill) would otherwise interleave their data file and manifest: data from one, manifest from
the other. Under this lock each publish replaces both, so the last writer wins whole.

On a local disk the lock is ``flock`` on a file under ``_locks/``, which the kernel releases
when its process dies, however it dies. On S3 it is an object created only if absent
(``If-None-Match: *``), naming its holder: a lock whose holder is a dead process on this machine,
or which is older than ``STALE_AFTER_S``, is taken over, so a killed run never blocks the next.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import orjson

from game_market.errors import LakeUnavailable

logger = logging.getLogger(__name__)

WAIT_S = 600.0  # a publish takes seconds; this much waiting means something is stuck
STALE_AFTER_S = 900.0
POLL_S = 0.2


class LockableLake(Protocol):
    """What a lock needs of the lake it guards (``game_market.lake.Lake`` is one)."""

    @property
    def root(self) -> str: ...

    @property
    def is_local(self) -> bool: ...

    @property
    def fs(self) -> Any: ...

    def uri(self, path: str) -> str: ...


def lock_path(lake: LockableLake, endpoint: str, dt: str) -> str:
    return f"{lake.root}/_locks/{endpoint}/dt={dt}.lock"


@contextmanager
def partition_lock(
    lake: LockableLake, endpoint: str, dt: str, run_id: str, wait_s: float = WAIT_S
) -> Iterator[None]:
    path = lock_path(lake, endpoint, dt)
    locked = _local_lock if lake.is_local else _object_lock
    with locked(lake, path, run_id, wait_s):
        yield


@contextmanager
def _local_lock(lake: LockableLake, path: str, run_id: str, wait_s: float) -> Iterator[None]:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    def take() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        _until_taken(take, lake, path, wait_s)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _object_lock(lake: LockableLake, path: str, run_id: str, wait_s: float) -> Iterator[None]:
    mine = orjson.dumps(
        {"run_id": run_id, "host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}
    )

    def take() -> bool:
        # A stale lock (its holder is gone) is taken over at once, without a wait.
        for _ in range(2):
            try:
                lake.fs.pipe_file(path, mine, mode="create")
            except FileExistsError:
                if not _stale(lake, path):
                    return False
                _remove(lake, path)
            else:
                return True
        return False

    _until_taken(take, lake, path, wait_s)
    try:
        yield
    finally:
        _give_back(lake, path, mine)


def _until_taken(take: Callable[[], bool], lake: LockableLake, path: str, wait_s: float) -> None:
    """Try ``take`` every POLL_S until it takes the lock; past ``wait_s``, say who holds it."""
    deadline = time.monotonic() + wait_s
    while not take():
        if time.monotonic() > deadline:
            raise _stuck(lake, path, wait_s)
        time.sleep(POLL_S)


def _give_back(lake: LockableLake, path: str, mine: bytes) -> None:
    """Remove our lock. Failing to (the lake just went away) must not undo a publish that
    landed: the lock is left stale, and the next run on this machine takes it over at once."""
    try:
        if _holder(lake, path) == mine:
            _remove(lake, path)
    except Exception as error:  # whatever the backend raised, the publish stands
        logger.warning("Could not remove the lock %s (%s)", lake.uri(path), error)


def _holder(lake: LockableLake, path: str) -> bytes | None:
    try:
        return bytes(lake.fs.cat_file(path))
    except FileNotFoundError:
        return None


def _stale(lake: LockableLake, path: str) -> bool:
    """The holder died on this machine, or has held the lock far longer than a publish takes."""
    held = _holder(lake, path)
    if held is None:
        return False
    try:
        holder = orjson.loads(held)
        host, pid, at = holder["host"], int(holder["pid"]), float(holder["at"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return True
    if time.time() - at > STALE_AFTER_S:
        return True
    return host == socket.gethostname() and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(lake: LockableLake, path: str) -> None:
    try:
        lake.fs.rm_file(path)
    except FileNotFoundError:
        return


def _stuck(lake: LockableLake, path: str, wait_s: float) -> LakeUnavailable:
    return LakeUnavailable(
        f"Another run has been publishing this partition for over {wait_s:g} s (lock "
        f"{lake.uri(path)}): let it finish, or if no run is publishing, delete the lock and rerun."
    )
