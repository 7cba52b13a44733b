"""A real TCP proxy in front of the server that can refuse Socket.IO while REST passes.

It models a site firewall that blocks websockets / long-polling to
``/socket.io/`` but lets plain HTTPS-style API calls through.  Each client
connection is judged by its first request line; the kiosk's REST client and its
Socket.IO client never share a connection, so this is faithful.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.support.raw_tcp import RawTcpServer, read_until


class BlockingProxy(RawTcpServer):
    def __init__(self, upstream_port: int, *, block_socketio: bool = True) -> None:
        self.upstream_port = upstream_port
        self.block_socketio = block_socketio
        self.block_all = False  # a cable pulled: every connection is cut at once
        self.blocked = 0
        self._sockets: list[socket.socket] = []
        super().__init__("blocking-proxy")

    def _serve(self, client: socket.socket) -> None:
        self._sockets.append(client)
        if self.block_all:
            self.blocked += 1
            client.close()
            return
        head = read_until(client, b"\r\n", 8192)
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        parts = request_line.split(" ")
        path = parts[1] if len(parts) > 1 else ""
        if self.block_socketio and path.startswith("/socket.io"):
            self.blocked += 1
            with suppress(OSError):
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        self._sockets.append(upstream)
        with suppress(OSError):
            upstream.sendall(head)
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        for sock in (source, target):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Block everything and drop the connections that are open now."""
        self.block_all = True
        for sock in list(self._sockets):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()
        self._sockets.clear()

    def close(self) -> None:
        super().close()
        for sock in self._sockets:
            with suppress(OSError):
                sock.close()
