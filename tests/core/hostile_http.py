"""A real HTTP server on loopback that answers the way a broken or hostile server would.

Raw sockets in threads, so it can do what no framework lets a handler do:
stream a JSON reply that never ends, trickle a reply one byte at a time (the
headers or the body), or declare a body of ten gigabytes.  The ``POLL_*``
modes do that only to engine.io's long-polling requests (``/socket.io/``) and
answer the REST catch-up like an empty server, so the screen's poll works
while its socket cannot connect.  It records every
request line and, per connection, how many bytes it sent and when the client
went away - which is what the tests assert on (a client that gives up closes
its connection; one that does not keeps it open and keeps reading).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from dataclasses import dataclass, field

from tests.support.raw_tcp import RawTcpServer, read_until

ENDLESS = "endless"  # 200 OK, chunked JSON that never ends
TRICKLE_BODY = "trickle-body"  # headers at once, then the body one byte per `interval`
TRICKLE_HEADERS = "trickle-headers"  # the status line and headers one byte per `interval`
HUGE_LENGTH = "huge-length"  # headers declaring a 10 GB body, then the body as a trickle
POLL_ENDLESS = "poll-endless"  # /socket.io/: ENDLESS; /api/: an empty server's answers
POLL_TRICKLE = "poll-trickle"  # /socket.io/: an OPEN packet one byte per `interval`; /api/: as above

_OPEN = b'0{"sid":"hostile","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'
_API = {
    "/api/orders": b'{"orders": [], "seq": 0}',
    "/api/events": b'{"events": [], "seq": 0, "more": false}',
    "/api/health": b'{"ok": true, "seq": 0}',
}
_FILLER = b'{"event_id":"x","seq":1,"type":"order:created","data":{"id":1,"notes":"' + b"x" * 4000 + b'"}},'


@dataclass
class Exchange:
    """One client connection: what it asked, what it got, when it left (None: still there)."""

    request_line: str = ""
    opened_at: float = field(default_factory=time.monotonic)
    sent: int = 0
    closed_at: float | None = None


class HostileServer(RawTcpServer):
    def __init__(self, mode: str, *, interval: float = 0.2, give_up_after: float = 60.0) -> None:
        """``give_up_after``: the server itself stops after this long, so a client that never
        gives up (the bug) makes a test fail on its assertions instead of hanging it."""
        self.mode = mode
        self.interval = interval
        self.give_up_after = give_up_after
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        super().__init__("hostile-http")

    def api_exchanges(self) -> list[Exchange]:
        """The REST requests (not the Socket.IO ones)."""
        with self._lock:
            return [e for e in self.exchanges if " /api/" in e.request_line]

    def socketio_exchanges(self) -> list[Exchange]:
        """engine.io's requests: the polling handshake and any polls after it."""
        with self._lock:
            return [e for e in self.exchanges if " /socket.io/" in e.request_line]

    def _serve(self, client: socket.socket) -> None:
        exchange = Exchange()
        with client:
            head = read_until(client, b"\r\n\r\n", 65536)
            exchange.request_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
            with self._lock:
                self.exchanges.append(exchange)
            try:
                if self.mode in (POLL_ENDLESS, POLL_TRICKLE) and " /socket.io/" not in exchange.request_line:
                    self._answer_api(client, exchange)
                elif self.mode == POLL_TRICKLE:
                    self._send(client, exchange, _headers(b"Content-Length: %d\r\n" % len(_OPEN)))
                    self._trickle(client, exchange, _OPEN)
                elif self.mode in (ENDLESS, POLL_ENDLESS):
                    self._endless(client, exchange)
                elif self.mode == TRICKLE_HEADERS:
                    self._trickle(client, exchange, _headers(b"") + b"{}")
                elif self.mode == HUGE_LENGTH:
                    self._send(client, exchange, _headers(b"Content-Length: 10000000000\r\n"))
                    self._trickle(client, exchange, b"[" * 1000)
                else:
                    self._send(client, exchange, _headers(b"Content-Length: 1000000\r\n"))
                    self._trickle(client, exchange, b'{"events": [' + b" " * 1_000_000)
            except OSError:
                pass  # the client went away: that is what we are waiting for
            exchange.closed_at = time.monotonic()

    def _over(self, exchange: Exchange) -> bool:
        return self._closing.is_set() or time.monotonic() - exchange.opened_at > self.give_up_after

    def _send(self, client: socket.socket, exchange: Exchange, data: bytes) -> None:
        client.sendall(data)
        exchange.sent += len(data)

    def _answer_api(self, client: socket.socket, exchange: Exchange) -> None:
        path = exchange.request_line.split(" ")[1].split("?")[0] if " " in exchange.request_line else ""
        body = _API.get(path)
        status = b"200 OK" if body is not None else b"404 Not Found"
        body = body if body is not None else b'{"error": {"code": "not_found", "message": "no such path"}}'
        extra = b"Content-Length: %d\r\nConnection: close\r\n" % len(body)
        self._send(client, exchange, _headers(extra, status) + body)

    def _endless(self, client: socket.socket, exchange: Exchange) -> None:
        self._send(client, exchange, _headers(b"Transfer-Encoding: chunked\r\n"))
        first = b'{"seq": 1, "more": false, "events": ['
        self._send(client, exchange, b"%x\r\n%s\r\n" % (len(first), first))
        chunk = b"%x\r\n%s\r\n" % (len(_FILLER) * 16, _FILLER * 16)
        while not self._over(exchange):
            self._send(client, exchange, chunk)

    def _trickle(self, client: socket.socket, exchange: Exchange, data: bytes) -> None:
        for index in range(len(data)):
            if self._over(exchange):
                return
            readable, _, _ = select.select([client], [], [], self.interval)
            if readable and not client.recv(4096):
                return  # the client closed its end
            self._send(client, exchange, data[index : index + 1])


def _headers(extra: bytes, status: bytes = b"200 OK") -> bytes:
    return b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n" + extra + b"\r\n"
