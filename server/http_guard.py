"""pywsgi connections that cannot pile up: header and keep-alive deadlines, a cap per address.

gevent's pywsgi waits for a request line and headers for as long as the client
likes and accepts every connection.  ~1 000 half-sent requests from one LAN
host kept the server unreachable until they closed (one was still open after
219 s): each held a file descriptor, and at the open-file limit the server
stopped accepting anyone.  So, per connection:

- **Header deadline.** The request line and headers must be complete
  ``header_timeout_s`` after the connection opened (on a kept-alive
  connection: after the next request's first byte).  Otherwise it is closed.
- **Keep-alive idle.** A kept-alive connection with no next request for
  ``keepalive_timeout_s`` is closed, quietly: that is ordinary HTTP.
- **Per-address cap.** One address may hold ``max_connections_per_address``
  connections.  At the cap, the oldest of that address's connections that is
  still *waiting* for a request (half-sent, or idle keep-alive) is closed to
  make room, so a flood of half-sent requests never locks out a normal request
  from the same host (a screen behind the same NAT address).  Only when every
  connection of the address is busy (websockets, requests being answered) is
  the newcomer refused with a 503 that says why.

The deadlines apply to reading the request only: once the headers are in, the
application runs without one (websockets and long-polls are long by design).
Refusals and timeouts are logged as one line, then at most one a minute with a
count (``server/packet_guard.py``), never one per connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import gevent
from gevent import pywsgi

from server.config import HttpLimits
from server.packet_guard import BadPacketLog, malformed_requests

TOO_MANY_CONNECTIONS = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json\r\n"
    b"Retry-After: 5\r\n"
    b"Connection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s"
)
_REFUSAL_BODY = (
    b'{"error": {"code": "too_many_connections", "message": "this address holds as many connections as '
    b'the server allows (--max-connections-per-address); close some or retry in a few seconds"}}'
)
REFUSAL = TOO_MANY_CONNECTIONS % (len(_REFUSAL_BODY), _REFUSAL_BODY)
REFUSAL_LINGER_S = 1.0  # how long a refused client may take to read the 503 and hang up

timed_out = BadPacketLog("no complete request line and headers in time (--header-timeout)")
refused = BadPacketLog("too many connections from this address (--max-connections-per-address)")
evicted = BadPacketLog(
    "this address reached --max-connections-per-address; closed its oldest connection still waiting "
    "for a request"
)


class AddressSlots:
    """Open connections per remote address, and which of them are waiting for a request.

    ``admit`` is called from each connection's own greenlet; the lock only
    matters if a thread ever calls in (pywsgi itself is one thread).
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._lock = threading.Lock()
        self._open: dict[str, dict[GuardedConnection, None]] = {}
        self._waiting: dict[str, dict[GuardedConnection, None]] = {}  # insertion order = oldest first

    def admit(self, address: str, connection: GuardedConnection) -> bool:
        """Take a slot for ``connection``; at the cap, make room by closing the oldest waiting one."""
        with self._lock:
            held = self._open.setdefault(address, {})
            if self.cap and len(held) >= self.cap:
                waiting = self._waiting.get(address)
                if not waiting:
                    return False
                oldest = next(iter(waiting))
                self._forget(address, oldest)
                oldest.evict()
            held[connection] = None
            return True

    def waiting(self, address: str, connection: GuardedConnection, waiting: bool) -> None:
        with self._lock:
            if connection not in self._open.get(address, {}):
                return  # already evicted
            if waiting:
                self._waiting.setdefault(address, {})[connection] = None
            else:
                self._drop_waiting(address, connection)

    def release(self, address: str, connection: GuardedConnection) -> None:
        with self._lock:
            self._forget(address, connection)

    def open_count(self, address: str) -> int:
        with self._lock:
            return len(self._open.get(address, {}))

    def _forget(self, address: str, connection: GuardedConnection) -> None:
        held = self._open.get(address)
        if held is not None:
            held.pop(connection, None)
            if not held:
                del self._open[address]
        self._drop_waiting(address, connection)

    def _drop_waiting(self, address: str, connection: GuardedConnection) -> None:
        waiting = self._waiting.get(address)
        if waiting is not None:
            waiting.pop(connection, None)
            if not waiting:
                del self._waiting[address]


class GuardedConnection(pywsgi.WSGIHandler):  # type: ignore[misc]
    """pywsgi's handler with read deadlines, a slot per address, Nagle off and quiet error lines.

    ``limits`` and ``slots`` are set on the subclass ``guarded_handler`` makes.
    TCP_NODELAY: pywsgi sends the headers and the body in two writes; with
    Nagle on, the body then waits for the client's delayed ACK: 40 ms added to
    every keep-alive REST call (measured: 44 ms → 1 ms per request).
    """

    limits: HttpLimits
    slots: AddressSlots

    def __init__(self, sock: Any, address: Any, server: Any) -> None:
        super().__init__(sock, address, server)
        self._address = str(address[0]) if isinstance(address, tuple) and address else "local"
        self._deadline: gevent.Timeout | None = None  # armed only while reading a request
        self._greenlet: Any = None
        self._served = False
        self._evicted = False

    def handle(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self.slots.admit(self._address, self):
            open_now = self.slots.open_count(self._address)
            refused.seen(self._address, f"{open_now} open, all busy")
            self._refuse()
            return  # the server closes the socket
        self._greenlet = gevent.getcurrent()
        try:
            super().handle()
        finally:
            self.slots.release(self._address, self)

    def _refuse(self) -> None:
        """The 503, then a short lingering close so the client reads it.

        Closing with its unread request still in our receive buffer would send a
        reset, and the client might see that instead of the answer.
        """
        sock = self.socket
        with contextlib.suppress(OSError), gevent.Timeout(REFUSAL_LINGER_S, False):  # False: no raise
            sock.sendall(REFUSAL)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass

    def handle_one_request(self) -> Any:
        self.slots.waiting(self._address, self, True)
        try:
            if self._served and not self._next_request_arrives():
                return None  # idle keep-alive: closed quietly, the client opens a new one
            deadline = self._arm(self.limits.header_timeout_s)
            try:
                return super().handle_one_request()
            except gevent.Timeout as exc:
                if exc is not deadline:
                    raise
                if not self._evicted:
                    timed_out.seen(self._address, f"{self.limits.header_timeout_s:g} s")
                return None
            finally:
                self._disarm()
        finally:
            self.slots.waiting(self._address, self, False)

    def read_request(self, raw_requestline: str) -> Any:
        try:
            return super().read_request(raw_requestline)
        finally:
            # The headers are in (or refused): the application runs without a deadline.
            self._disarm()
            self.slots.waiting(self._address, self, False)
            self._served = True

    def evict(self) -> None:
        """Close this connection because its address is at the cap; only while it waits for a request.

        Runs in the newcomer's greenlet, so the deadline cannot simply be restarted
        here (a Timeout throws into whoever starts it).  Instead the hub throws this
        connection's own deadline into it, if it is still armed by then: a
        connection that has meanwhile finished its headers is left alone.
        """
        self._evicted = True
        evicted.seen(self._address, f"cap {self.slots.cap}")
        gevent.get_hub().loop.run_callback(self._throw_deadline)

    def _throw_deadline(self) -> None:
        deadline, target = self._deadline, self._greenlet
        if deadline is not None and deadline.pending and target is not None and not target.dead:
            deadline.cancel()
            target.throw(deadline)

    def _next_request_arrives(self) -> bool:
        """Wait at most the keep-alive timeout for the next request's first byte."""
        deadline = self._arm(self.limits.keepalive_timeout_s)
        try:
            return bool(self.rfile.peek(1))
        except gevent.Timeout as exc:
            if exc is not deadline:
                raise
            return False
        except OSError:
            return False
        finally:
            self._disarm()

    def _arm(self, seconds: float) -> gevent.Timeout:
        self._disarm()
        deadline = gevent.Timeout(seconds)
        deadline.start()
        self._deadline = deadline
        return deadline

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.close()
            self._deadline = None

    def get_environ(self) -> dict[str, Any]:
        """pywsgi's environ plus ``RAW_URI``, the request target as sent (gunicorn's and werkzeug's name).

        PATH_INFO is percent-decoded, so ``/api%2Forders`` reads as ``/api/orders``; the raw
        target is what server/app.py checks for encoded slashes (``refuse_encoded_slashes``).
        """
        environ: dict[str, Any] = super().get_environ()
        environ["RAW_URI"] = self.path
        return environ

    def log_error(self, msg: str, *args: object) -> None:
        # "Invalid HTTP method" and friends: anyone can send them, so rate-limited, one line
        text = msg % args if args else msg
        malformed_requests.seen(self._address, text)


def guarded_handler(limits: HttpLimits) -> type[GuardedConnection]:
    """The handler class for one server: its limits and its own table of addresses."""
    return type(
        "GuardedHandler",
        (GuardedConnection,),
        {"limits": limits, "slots": AddressSlots(limits.max_connections_per_address)},
    )
