"""A tiny real HTTP server that plays a script of answers, for exact retry scenarios.

The sandbox injects faults at random (by seed); these tests need "429 once, then 200".
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


def page(count: int, ids: list[int]) -> Answer:
    return Answer(
        body={
            "count": count,
            "next": None,
            "previous": None,
            "results": [{"id": i, "name": f"Game {i}"} for i in ids],
        }
    )


@dataclass
class Script:
    """Answers per page number; the last answer for a page repeats forever."""

    pages: dict[int, list[Answer]]
    seen: list[dict[str, list[str]]] = field(default_factory=list)

    def answer(self, query: dict[str, list[str]]) -> Answer:
        self.seen.append(query)
        number = int(query.get("page", ["1"])[0])
        queue = self.pages.get(number) or [Answer(404, {"detail": "Invalid page."})]
        return queue.pop(0) if len(queue) > 1 else queue[0]


@contextmanager
def scripted_rawg(script: Script) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = script.answer(parse_qs(urlparse(self.path).query))
            time.sleep(answer.delay_s)
            body = (
                answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            )
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
