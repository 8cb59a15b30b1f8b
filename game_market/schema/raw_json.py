"""``_raw``: each API item as JSON bytes, whatever the item holds.

orjson refuses ints beyond 64 bits, nesting deeper than 254 and lone surrogates; such items
take a slower path that still round-trips the exact value through ``json.loads``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson


def dump_items(items: Sequence[Any]) -> list[bytes]:
    try:
        return list(map(orjson.dumps, items))
    except orjson.JSONEncodeError:
        return [_dumps(item) for item in items]


def _dumps(item: Any) -> bytes:
    try:
        return orjson.dumps(item)
    except orjson.JSONEncodeError:
        return _dumps_fallback(item).encode()


def _dumps_fallback(value: Any) -> str:
    """JSON for what orjson refuses, iteratively so no nesting depth can overflow the stack.

    orjson refuses ints beyond 64 bits, nesting deeper than 254 and lone surrogates. The output
    is ASCII-escaped, so ``json.loads`` round-trips the exact value.
    """
    parts: list[str] = []
    # Entries are (True, literal text) or (False, a value still to encode).
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack:
        is_text, v = stack.pop()
        if is_text:
            parts.append(v)
        elif isinstance(v, dict):
            todo: list[tuple[bool, Any]] = [(True, "{")]
            for i, (key, element) in enumerate(v.items()):
                todo.append((True, ("," if i else "") + json.dumps(key) + ":"))
                todo.append((False, element))
            todo.append((True, "}"))
            stack.extend(reversed(todo))
        elif isinstance(v, list):
            todo = [(True, "[")]
            for i, element in enumerate(v):
                if i:
                    todo.append((True, ","))
                todo.append((False, element))
            todo.append((True, "]"))
            stack.extend(reversed(todo))
        else:
            parts.append(json.dumps(v))
    return "".join(parts)
