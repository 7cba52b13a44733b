"""engineio's simple-websocket wrapper, made able to take a broadcast frame directly.

It registers each eligible websocket with the Broadcaster (server/broadcast.py),
frames its own messages, and says when its writer greenlet is in the middle of
a send, which is what lets a broadcast write straight to the socket without
overtaking or cutting into anything.  Built on python-engineio's driver for
simple-websocket, a private module: ``Broadcaster.serve_websockets`` falls back
to engine.io's own path if it ever moves.

It frames with server/ws_frames.py and never imports server/broadcast.py: that
imports this module lazily and takes any ImportError for a moved driver, so a
circular import would switch the fast path off quietly (import-linter contract
in pyproject.toml; tests/server/test_broadcast.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
from typing import Any

import simple_websocket
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

from server.packet_guard import DECODE_ERRORS, bad_packets
from server.ws_frames import BINARY, Framed, ws_frame

log = logging.getLogger("server.sockets")


class DirectWebSocket(SimpleWebSocketWSGI):  # type: ignore[misc]
    """engineio's simple-websocket wrapper that frames its own messages and says when it is busy.

    On an eligible socket every message is framed here and written with
    ``sendall``: simple-websocket writes with a single ``send``, which can leave
    a large frame cut short when the kernel buffer is nearly full.
    """

    websockets: dict[str, DirectWebSocket]  # set by Broadcaster.serve_websockets: direct writes
    every_websocket: dict[str, DirectWebSocket]  # every websocket, so a slow one can be cut

    def __init__(self, handler: Any, server: Any, **kwargs: Any) -> None:
        # engineio calls us with the engine.io socket's bound _websocket_handler; run it registered.
        super().__init__(self._run_registered, server, **kwargs)
        self._handler = handler
        self.sending = False
        self._direct = False

    def _run_registered(self, ws: Any) -> Any:
        sid: str = self._handler.__self__.sid
        self._direct = self._can_write_directly()
        if self._direct:
            self.websockets[sid] = self
        self.every_websocket[sid] = self
        try:
            return self._handler(ws)
        except DECODE_ERRORS as exc:
            # engine.io's packet decoder raises on garbage; gevent then printed a traceback per
            # connection, and anyone could fill the log without a token.  Drop it, log a line.
            bad_packets.seen(self.ws.environ.get("REMOTE_ADDR"), exc)
            self._handler.__self__.close(wait=False, abort=True)
            # Close the websocket and its TCP connection: left open, pywsgi read the client's
            # next frame as an HTTP request and logged "Invalid HTTP method" for each.
            with contextlib.suppress(Exception):
                self.ws.close(reason=1002, message="not an engine.io packet")
            return []
        finally:
            self.websockets.pop(sid, None)
            self.every_websocket.pop(sid, None)

    def _can_write_directly(self) -> bool:
        from gevent import socket as gevent_socket  # noqa: PLC0415 (gevent mode only)

        sock = self.ws.sock
        extensions = self.ws.environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS", "").lower()
        return (
            "permessage-deflate" not in extensions
            and type(sock) is gevent_socket.socket  # not TLS: those bytes must go through the SSL layer
            and not os.get_blocking(sock.fileno())
        )

    def abort(self) -> None:
        """Cut the TCP connection of a socket that does not read (server/socket_queue.py).

        A reset, not a websocket close: a close frame would wait behind what the
        peer did not read, and so would the kernel's FIN.  Shutting the socket
        down wakes this socket's reader and a writer stuck in ``sendall`` (they
        end the usual way); the reset goes out when the socket is closed.
        """
        sock = self.ws.sock
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        # engine.io's writer closes the websocket when it ends; after abort() that send fails.
        with contextlib.suppress(OSError, simple_websocket.ConnectionClosed):
            super().close()

    def write_now(self, frame: bytes) -> int:
        """Write what the kernel takes without waiting; the caller queues the rest.

        A dead connection counts as nothing written: the queued rest then fails
        in the writer, which closes the socket the usual way.
        """
        try:
            return os.write(self.ws.sock.fileno(), frame)
        except BlockingIOError:
            return 0
        except OSError as exc:
            log.debug("direct write to a closing websocket failed: %s", exc)
            return 0

    def send(self, message: Any) -> Any:
        if not self._direct:
            return super().send(message)
        if not self.ws.connected:
            raise OSError("websocket closed")  # what the writer greenlet stops on
        if isinstance(message, Framed):
            frame: bytes = message
        elif isinstance(message, str):
            frame = ws_frame(message.encode())
        else:
            frame = ws_frame(bytes(message), BINARY)
        self.sending = True
        try:
            self.ws.sock.sendall(frame)
        finally:
            self.sending = False
        return None
