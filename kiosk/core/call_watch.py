"""A total deadline for one blocking ``requests`` call, and a way to cut it short from another thread.

``requests``' ``timeout`` bounds each socket read, not the call: a server that
trickles one byte a second never trips it, and kept a screen "connecting"
forever (and its REST worker thread busy, which also held the process open at
exit).  Closing a response from another thread does not wake a thread blocked
in ``recv``; ``socket.shutdown`` does.  So every connection this client opens
reports its socket to the call it is serving (``WatchedAdapter``), and
``CallWatch.abort`` - fired by a timer at the deadline, or by the loop when the
awaiting task is cancelled at stop - shuts that socket down.  The worker then
gets an error (or an early end of the body) at once and says why.

The timer is wall time on purpose: it has to interrupt a socket read that no
injected clock can advance.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager
from urllib3.response import HTTPResponse

_current = threading.local()  # the CallWatch of the call this worker thread is making


class CallWatch:
    """One call in flight: the socket it reads from, and why it was cut (None while it is not)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._finished = False
        self._timer: threading.Timer | None = None
        self._aborted: str | None = None

    def why_cut(self) -> str | None:
        """Why the call was cut (the first reason given), or None while it is not."""
        return self._aborted

    def start(self, deadline_s: float, why: str) -> None:
        """Arm the deadline and make this the call of the current thread."""
        self._timer = threading.Timer(deadline_s, self.abort, (why,))
        self._timer.daemon = True
        self._timer.start()
        _current.watch = self

    def finish(self) -> None:
        """The call is over: disarm, and never touch its socket again (it goes back to the pool)."""
        with self._lock:
            self._finished = True
            self._socket = None
        if self._timer is not None:
            self._timer.cancel()
        if getattr(_current, "watch", None) is self:
            _current.watch = None

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            if self._finished:
                return
            self._socket = sock
            if self._aborted is not None:
                _shutdown(sock)

    def abort(self, why: str) -> None:
        """Cut the call (any thread); the first reason given is the one reported."""
        with self._lock:
            if self._finished:
                return
            if self._aborted is None:
                self._aborted = why
            if self._socket is not None:
                _shutdown(self._socket)


def _shutdown(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed by the peer or by urllib3
        sock.shutdown(socket.SHUT_RDWR)


def _report_socket(connection: HTTPConnection) -> None:
    watch: CallWatch | None = getattr(_current, "watch", None)
    if watch is not None and connection.sock is not None:
        watch.attach(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        # Connected and the request sent: from here on the server decides how long it takes.
        _report_socket(self)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _report_socket(self)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """``HTTPAdapter`` whose connections report their socket to the thread's ``CallWatch``."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager
