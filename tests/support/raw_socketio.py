"""A Socket.IO screen spoken by hand over wsproto, so a test can stop reading.

python-socketio clients always drain their socket; to see what the server does
when a screen's kernel buffers are full (a kitchen tablet on bad Wi-Fi), the
test needs a client that holds still and then checks every frame it gets:
wsproto refuses a frame cut short or interleaved with another.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

ENGINE_OPEN, ENGINE_PING, ENGINE_PONG, ENGINE_MESSAGE = "0", "2", "3", "4"
SOCKET_CONNECT, SOCKET_EVENT, SOCKET_ACK = "0", "2", "3"


class RawScreen:
    """One websocket connection with a small receive buffer; reads only when asked."""

    def __init__(self, port: int, token: str, *, receive_buffer: int = 4096, deflate: bool = False) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer
        )  # before connect: fixes the window
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._pending: list[str] = []
        self._partial = ""  # a text message may arrive in several pieces
        self._accepted = False
        self.extensions: list[str] = []  # what the server accepted
        self._next_ack = 0
        target = "/socket.io/?EIO=4&transport=websocket"
        extensions = [PerMessageDeflate()] if deflate else []  # as browsers offer it
        self._write(Request(host=f"127.0.0.1:{port}", target=target, extensions=extensions))
        self._read_until(lambda: self._accepted, timeout=10)
        self._expect(ENGINE_OPEN)
        self._send(ENGINE_MESSAGE + SOCKET_CONNECT + json.dumps({"token": token}))
        self._expect(ENGINE_MESSAGE + SOCKET_CONNECT)

    def call(self, event: str, argument: Any, timeout: float = 10) -> Any:
        """Emit with an ack id and return the server's answer (events that arrive meanwhile are kept)."""
        ack_id = self._next_ack
        self._next_ack += 1
        self._send(ENGINE_MESSAGE + SOCKET_EVENT + str(ack_id) + json.dumps([event, argument]))
        prefix = ENGINE_MESSAGE + SOCKET_ACK + str(ack_id)
        text = self._expect(prefix, timeout)
        return json.loads(text[len(prefix) :])[0]

    def read_events(
        self, count: int, timeout: float = 20, chunk: int = 65536
    ) -> list[tuple[str, dict[str, Any]]]:
        """Read until ``count`` events have arrived in all; answers engine.io pings on the way.

        A small ``chunk`` makes a slow reader, which keeps the server's writer busy for longer.
        """
        self._read_until(lambda: len(self.events) >= count, timeout, chunk)
        return self.events

    def close(self) -> None:
        self.sock.close()

    # -- wire ------------------------------------------------------------
    def _write(self, event: Any) -> None:
        self.sock.sendall(self.ws.send(event))

    def _send(self, text: str) -> None:
        self._write(TextMessage(data=text))

    def _expect(self, prefix: str, timeout: float = 10) -> str:
        def found() -> bool:
            return any(text.startswith(prefix) for text in self._pending)

        self._read_until(found, timeout)
        match = next(text for text in self._pending if text.startswith(prefix))
        self._pending.remove(match)
        return match

    def _read_until(self, done: Any, timeout: float, chunk: int = 65536) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"raw screen: condition not met within {timeout} s ({len(self.events)} events)"
                )
            self.sock.settimeout(remaining)
            data = self.sock.recv(chunk)
            if not data:
                raise ConnectionError("server closed the connection")
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self._accepted = True
                    self.extensions = [extension.name for extension in event.extensions]
                elif isinstance(event, TextMessage):
                    self._partial += event.data
                    if event.message_finished:
                        self._handle(self._partial)
                        self._partial = ""
                elif isinstance(event, Ping):
                    self._write(event.response())
                elif isinstance(event, CloseConnection):
                    raise ConnectionError(f"server closed the websocket: {event.code} {event.reason}")

    def _handle(self, text: str) -> None:
        if text == ENGINE_PING:
            self._send(ENGINE_PONG)
        elif text.startswith(ENGINE_MESSAGE + SOCKET_EVENT):
            name, envelope = json.loads(text[2:])
            self.events.append((name, envelope))
        else:
            self._pending.append(text)
