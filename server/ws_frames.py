"""Server→client websocket frames, built once (RFC 6455 §5.2): the bytes every screen gets.

Its own module so that the Broadcaster (server/broadcast.py) and the websocket
that takes its frames directly (server/direct_websocket.py) both import it and
neither imports the other at import time: ``Broadcaster.serve_websockets``
reads a failing import of server.direct_websocket as "this python-engineio has
no driver to build on" and falls back to engine.io's own path, so a circular
import there would switch the fast path off without an error.  An
import-linter contract in pyproject.toml keeps the order broadcast ->
direct_websocket -> ws_frames, never back.
"""

from __future__ import annotations

import struct

TEXT, BINARY = 0x1, 0x2  # websocket opcodes


def ws_frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """One final, unmasked frame (RFC 6455 §5.2), as a server sends it."""
    first = 0x80 | opcode
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", first, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", first, 126, size)
    else:
        header = struct.pack("!BBQ", first, 127, size)
    return header + payload


class Framed(bytes):
    """Bytes that are already a whole websocket frame (or the unsent tail of one)."""
