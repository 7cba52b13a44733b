"""Undecodable packets from a client: the connection is dropped, and the log gets one line a minute.

Anyone on the LAN can open a websocket without a token and send frames that
are not engine.io or Socket.IO packets.  engine.io's decoder raised inside
gevent (a traceback per connection) and Socket.IO's inside engine.io's
message handler ("message handler error" and a traceback per frame, two per
frame with the JSON error): 18 MB of log in 1.5 s from 60 KB of traffic.  Now
such a client is disconnected at its first bad packet, and the log says so
once, then at most once a minute with a count.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger("server.sockets")

DECODE_ERRORS = (ValueError, KeyError, IndexError, TypeError)


class BadPacketLog:
    """One line for the first bad packet of its kind, then at most one summary a minute."""

    INTERVAL_S = 60.0

    def __init__(self, what: str) -> None:
        self._what = what
        self._held_back = 0
        self._last = float("-inf")

    def seen(self, address: object, detail: object) -> None:
        now = time.monotonic()
        if now - self._last < self.INTERVAL_S:
            self._held_back += 1
            return
        if isinstance(detail, BaseException):
            detail = f"{type(detail).__name__}: {detail}"
        more = f"; {self._held_back} more since the last such line" if self._held_back else ""
        log.warning("dropped a connection from %s: %s (%.120s)%s", address, self._what, detail, more)
        self._last, self._held_back = now, 0


bad_packets = BadPacketLog("not an engine.io/Socket.IO packet")
# pywsgi's complaints about requests that are not HTTP (scanners, a websocket's leftover frames)
malformed_requests = BadPacketLog("not an HTTP request")


def guard_packets(sio_server: Any) -> None:
    """Decode each text message first; a client whose packet does not decode is disconnected.

    Only the decoding is guarded: an error in one of our own event handlers
    still reaches the log with its traceback, as a bug should.
    """
    dispatch = sio_server._handle_eio_message
    binary_pending = sio_server._binary_packet

    def decode_then_dispatch(eio_sid: str, data: Any) -> None:
        if eio_sid not in binary_pending:
            try:
                sio_server.packet_class(encoded_packet=data)
            except DECODE_ERRORS as exc:
                environ = sio_server.environ.get(eio_sid) or {}
                bad_packets.seen(environ.get("REMOTE_ADDR"), exc)
                sio_server.eio.disconnect(eio_sid)
                return
        dispatch(eio_sid, data)

    sio_server.eio.on("message", decode_then_dispatch)
