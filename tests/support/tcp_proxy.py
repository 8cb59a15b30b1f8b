"""A TCP proxy a test can cut, slow down and watch: the way to make a live server unreachable
mid-run without stopping it (moto keeps its buckets in memory, so stopping it would lose what
landed), or to catch a client in the middle of an upload."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TcpProxy:
    def __init__(self, target_port: int, upload_bytes_per_s: float | None = None) -> None:
        self.target_port = target_port
        self.upload_bytes_per_s = upload_bytes_per_s
        self._watched: list[tuple[re.Pattern[bytes], threading.Event]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def watch(self, pattern: bytes) -> threading.Event:
        """An event set once a client sends bytes matching ``pattern`` (e.g. a request line)."""
        seen = threading.Event()
        self._watched.append((re.compile(pattern), seen))
        return seen

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        self._cut.set()
        self._listener.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue
                sock.close()

    def _accept(self) -> None:
        while not self._cut.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, upload: bool) -> None:
        size = 16384 if upload and self.upload_bytes_per_s else 65536
        try:
            while chunk := source.recv(size):
                if upload:
                    for pattern, seen in self._watched:
                        if pattern.search(chunk):
                            seen.set()
                    if self.upload_bytes_per_s:
                        time.sleep(len(chunk) / self.upload_bytes_per_s)
                sink.sendall(chunk)
        except OSError:
            return
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue


@contextmanager
def tcp_proxy(target_port: int, upload_bytes_per_s: float | None = None) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_port, upload_bytes_per_s)
    try:
        yield proxy
    finally:
        if not proxy._cut.is_set():
            proxy.cut()
