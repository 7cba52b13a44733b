"""Room broadcasts framed once: the same websocket bytes written to every screen.

Why: python-engineio sends a broadcast socket by socket: a queue put, a writer
greenlet woken, the message framed again by wsproto, then one ``send``.  At
200 screens that was 37 µs of server CPU per delivered message against Node
socket.io's 15 µs, and p99 latency 1.5× Node's (docs/benchmarks.md).  A
server→client websocket frame carries no mask, so without permessage-deflate
it is the same bytes for every recipient: this module builds it once and, when
the socket is idle, writes it straight to the kernel.

Rules that keep it correct (gevent only: greenlets switch only where code
blocks, and nothing here blocks):

- **Order.** A socket gets the direct write only when its engine.io queue is
  empty and its writer greenlet is not inside a send; everything queued before
  has then been handed to the kernel whole.  Otherwise the frame goes through
  the queue like any packet, still framed once.
- **Back-pressure.** The direct write is non-blocking.  What the kernel does
  not take is queued as the socket's next packet and written by its own writer
  greenlet, so one slow screen never holds up the others.
- **Scope.** Websocket sockets on plain TCP without compression only; a socket
  on long-polling, mid-upgrade, with permessage-deflate or behind TLS gets the
  ordinary per-socket path.  python-socketio's in-memory manager, or the
  cluster's (server/redis_manager.py), whose fan-out is local too; with any
  other message-queue manager the ordinary ``emit`` is used.
- **Not covered.** simple-websocket's reader answers a client's websocket-level
  ping with a pong written on its own; a pong landing inside a frame that the
  kernel took only part of would corrupt it.  Socket.IO clients (browsers,
  python-socketio, the kiosk) never send those pings: engine.io pings at its
  own level, through the queue.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import socketio
from engineio import packet as eio_packet
from flask_socketio import SocketIO
from socketio import packet as sio_packet

from kiosk.protocol import is_valid_room
from server.config import MAX_SOCKET_QUEUE_BYTES
from server.socket_queue import SlowSocketGuard
from server.ws_frames import Framed, ws_frame

if TYPE_CHECKING:
    from server.direct_websocket import DirectWebSocket

log = logging.getLogger("server.sockets")

NAMESPACE = "/"


class FramedPacket(eio_packet.Packet):  # type: ignore[misc]
    """An engine.io MESSAGE whose wire form is fixed: the writer sends it as is."""

    def __init__(self, frame: Framed) -> None:
        super().__init__(eio_packet.MESSAGE, data="<framed broadcast>")
        self.frame = frame

    def encode(self, b64: bool = False) -> Any:
        return self.frame


@dataclass
class FanoutCounts:
    """Per delivered message, which path it took; shown in ``GET /api/stats`` for support."""

    direct: int = 0  # written whole to the kernel at once
    partial: int = 0  # the kernel took part; the rest went to the socket's writer
    queued: int = 0  # the socket was busy; the pre-framed bytes waited in its queue
    ordinary: int = 0  # not eligible (polling, compression, TLS, other async mode)


class Broadcaster:
    """Emits events to rooms; installs the websocket class that makes the fast path possible."""

    def __init__(self, socket_io: SocketIO, max_queue_bytes: int = MAX_SOCKET_QUEUE_BYTES) -> None:
        self._socketio = socket_io
        self._server: socketio.Server = socket_io.server
        self._websockets: dict[str, DirectWebSocket] = {}  # engine.io sid -> its websocket, if direct
        self._every_websocket: dict[str, DirectWebSocket] = {}  # engine.io sid -> its websocket
        self.counts = FanoutCounts()
        # Every async mode: a socket that does not take what is sent to it is dropped past the cap.
        self.slow_sockets = SlowSocketGuard(self._server, max_queue_bytes, self._every_websocket.get)
        self.slow_sockets.install()

    def serve_websockets(self) -> bool:
        """Under gevent: accept websockets with the class that registers itself for direct writes.

        It builds on python-engineio internals (its simple-websocket driver, the
        per-socket queue); if a future release moves them, broadcasts go socket
        by socket as before, and the log says so.
        """
        try:
            from server.direct_websocket import DirectWebSocket  # noqa: PLC0415 (gevent mode only)
        except ImportError as exc:
            log.warning(
                "broadcasts go socket by socket: this python-engineio has no driver to build on (%s)", exc
            )
            return False
        eio = self._server.eio
        registry, every = self._websockets, self._every_websocket

        class RegisteredWebSocket(DirectWebSocket):
            websockets = registry
            every_websocket = every

        # A copy: engineio shares one driver table between every server of the async mode.
        eio._async = {**eio._async, "websocket": RegisteredWebSocket}
        log.info("broadcasts: framed once, written straight to idle websockets")
        return True

    def local_rooms(self) -> dict[str, int]:
        """Sockets per screen room on this process (python-socketio's managers keep rooms per process).

        Only the contract's rooms: None is "all sockets", every sid has a room of its own, and each
        device's sockets share one the console's commands use (server/screen_commands.py).
        """
        rooms: dict[str, int] = {}
        for room, members in list(self._server.manager.rooms.get(NAMESPACE, {}).items()):
            if not isinstance(room, str) or not is_valid_room(room):
                continue
            rooms[room] = len(members)
        return dict(sorted(rooms.items()))

    def counts_body(self) -> dict[str, int]:
        return asdict(self.counts)

    def emit(self, event: str, data: Any, rooms: list[str] | None) -> None:
        """Send ``[event, data]`` to everyone in ``rooms`` (all sockets when None), each socket once."""
        server = self._server
        if not getattr(server.manager, "local_fanout", type(server.manager) is socketio.Manager):
            self._socketio.emit(event, data, to=rooms)
            return
        encoded = server.packet_class(sio_packet.EVENT, namespace=NAMESPACE, data=[event, data]).encode()
        if not isinstance(encoded, str):  # binary attachments: not framed here
            self._socketio.emit(event, data, to=rooms)
            return
        ordinary = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = Framed(ws_frame((str(eio_packet.MESSAGE) + encoded).encode()))
        eio = server.eio
        counts = self.counts
        for _sid, eio_sid in server.manager.get_participants(NAMESPACE, rooms):
            engine_socket = eio.sockets.get(eio_sid)
            if engine_socket is None or engine_socket.closed:
                continue
            websocket = self._websockets.get(eio_sid)
            if websocket is None or not engine_socket.upgraded:
                counts.ordinary += 1
                eio.send_packet(eio_sid, ordinary)
                continue
            if websocket.sending or engine_socket.queue.qsize():
                counts.queued += 1
                engine_socket.send(FramedPacket(frame))
                continue
            sent = websocket.write_now(frame)
            if sent == len(frame):
                counts.direct += 1
            else:
                counts.partial += 1
                engine_socket.send(FramedPacket(Framed(frame[sent:])))
