"""A raw-socket TCP server on a loopback port: an accept loop that hands each connection to a thread.

For the test servers that must do what no HTTP framework lets a handler do
(a reply that never ends, a byte a second, a proxy that cuts connections): they
own the bytes on the wire, so they work on plain sockets.  This is what they
share: the listener on an ephemeral port, the accept loop in a daemon thread
(one more daemon thread per connection, so a stalled client holds only its
own), and ``close()``, which ends the loop by closing the listener.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


def read_until(client: socket.socket, marker: bytes, limit: int) -> bytes:
    """What the client sends until ``marker`` (or ``limit`` bytes, EOF or an error): the request's head."""
    head = b""
    with suppress(OSError):
        while marker not in head and len(head) < limit:
            chunk = client.recv(4096)
            if not chunk:
                break
            head += chunk
    return head


class RawTcpServer:
    """Subclasses set their own state first, then call ``super().__init__``: it starts accepting."""

    def __init__(self, thread_name: str) -> None:
        self._closing = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name=thread_name, daemon=True)
        self._thread.start()

    def _serve(self, client: socket.socket) -> None:
        """One connection, in a thread of its own; it owns (and closes) ``client``."""
        raise NotImplementedError

    def close(self) -> None:
        self._closing.set()
        with suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()
