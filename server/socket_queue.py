"""A byte cap on what waits for each socket: one that does not read is dropped, not buffered forever.

engine.io gives every socket an unbounded queue of outgoing packets.  A socket
that never reads but answers pings (a broken or hostile client), or a screen
that reads slower than events arrive, made the server hold every event for
it: +29 MB a minute at 40 events/s, without end.  Each socket's queue now
counts the bytes waiting in it; a packet that would take it past
``max_socket_queue_bytes`` drops the socket instead.  The screen reconnects
and catches up by seq (``GET /api/events``), which is what catch-up is for,
and nothing is lost.  Drops are counted for ``GET /api/stats`` and each is one
log line naming the socket, its device and address (the disconnect line,
``server/sockets.py``).

What it bounds: the queue holds at most the cap; engine.io's writer may also
hold the batch it last took from the queue (itself under the cap), so a socket
costs at most about twice the cap.  Every transport queues here: websocket
(including broadcast frames, ``server/broadcast.py``) and long-polling.

A websocket's TCP connection is cut at once (reset, not a polite close: the
peer is not reading, and a close frame would wait behind what it did not read),
which also frees engine.io's writer if it is stuck in a send to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("server.sockets")

SLOW_SOCKET = "dropped: it did not take the events sent to it (reads too slowly or not at all)"
CATCH_UP = "it catches up by seq when it reconnects"


def packet_bytes(item: object) -> int:
    """About what the packet takes on the wire: its data, or the frame for a framed broadcast."""
    frame = getattr(item, "frame", None)
    if isinstance(frame, bytes):
        return len(frame)
    data = getattr(item, "data", None)
    if isinstance(data, str | bytes | bytearray):
        return len(data) + 1  # + the packet type
    return 1


def counting_queue(base: type, cap: int, overflowed: Callable[[Any], None]) -> type:
    """``base`` (engine.io's queue class of the async mode) that counts bytes and refuses past ``cap``.

    ``_put``/``_get`` run for every item in and out (gevent's compiled queue
    and the standard library's alike), so the count stays exact whichever way
    engine.io takes packets.  ``None`` is engine.io's "closed" sentinel: never
    counted, never refused.
    """

    class ByteCountingQueue(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.queued_bytes = 0
            self.over_cap = False

        def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
            if item is not None:
                if self.over_cap:
                    return  # being dropped: the screen catches up by seq
                if cap and self.queued_bytes + packet_bytes(item) > cap:
                    self.over_cap = True
                    overflowed(self)
                    return
            super().put(item, block, timeout)

        def _put(self, item: Any) -> None:
            super()._put(item)
            if item is not None:
                self.queued_bytes += packet_bytes(item)

        def _get(self) -> Any:
            item = super()._get()
            if item is not None:
                self.queued_bytes -= packet_bytes(item)
            return item

    return ByteCountingQueue


class SlowSocketGuard:
    """Installs the counting queue on an engine.io server and drops the sockets that overflow it."""

    def __init__(self, sio_server: Any, cap: int, websocket_of: Callable[[str], Any]) -> None:
        self._sio = sio_server
        self._eio = sio_server.eio
        self.cap = cap
        self._websocket_of = websocket_of  # engine.io sid -> its websocket wrapper, or None
        self.dropped = 0

    def install(self) -> bool:
        eio = self._eio
        base = eio._async.get("queue")
        if base is None or not (hasattr(base, "_put") and hasattr(base, "_get")):
            log.warning("sockets that do not read are not capped: this async mode's queue cannot count")
            return False
        # A copy: engineio shares one driver table between every server of the async mode.
        eio._async = {**eio._async, "queue": counting_queue(base, self.cap, self._overflowed)}
        return True

    def _overflowed(self, queue: Any) -> None:
        # Called inside a put (an emit under the hub's lock, an ack, a ping): drop it elsewhere.
        self._eio.start_background_task(self._drop, queue)

    def _drop(self, queue: Any) -> None:
        found = next(
            ((sid, sock) for sid, sock in list(self._eio.sockets.items()) if sock.queue is queue), None
        )
        if found is None or found[1].closed:
            return  # it went away by itself meanwhile
        eio_sid, engine_socket = found
        self.dropped += 1
        # The disconnect handler logs the one line, with the device's name and address.
        engine_socket.close(wait=False, abort=True, reason=drop_reason(self.cap))
        websocket = self._websocket_of(eio_sid)
        if websocket is not None:
            websocket.abort()


def drop_reason(cap: int) -> str:
    return f"{SLOW_SOCKET}: more than {cap} bytes waited for it (--max-socket-queue-bytes); {CATCH_UP}"
