"""Keep the RAWG key out of everything a person can read.

RAWG takes the key as the ``key`` query parameter, so every request URL carries it. Our own
messages never build such a URL (the client shows ``key=***``); this module covers the rest:
free text from exceptions, and the log lines of the HTTP libraries, which print request URLs.

The log filter is installed by :func:`install_log_redaction`, which ``RawgClient`` calls when
it is constructed, so no request can be logged before it is in place, and importing the
package changes no logging configuration.
"""

from __future__ import annotations

import logging
import re

_KEY_IN_TEXT = re.compile(r"(?i)(key=)[^&\s\"'#]+")
# The libraries whose log lines may carry a request URL. A filter on a logger does not apply
# to its children, and httpx imports httpcore only when it first builds a pool, so the
# loggers the libraries emit on are named here and created now, with the filter, before the
# libraries ask for them; any other child that already exists is filtered too.
HTTP_LOGGERS = ("httpx", "httpcore", "aiohttp")
_KNOWN_CHILDREN = (
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
)


def redact(text: str) -> str:
    """Replace every ``key=...`` value in a text with ``key=***``."""
    return _KEY_IN_TEXT.sub(r"\1***", text)


class _RedactKeyFilter(logging.Filter):
    """Rewrites a record whose message holds ``key=...`` so the value reads ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


_FILTER = _RedactKeyFilter()


def install_log_redaction() -> None:
    """Filter the HTTP libraries' loggers (and their children) once; later calls are no-ops."""
    existing = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name.split(".", 1)[0] in HTTP_LOGGERS
    ]
    for name in {*HTTP_LOGGERS, *_KNOWN_CHILDREN, *existing}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
