"""A real python-socketio client that records every event, with deadline-bounded waits."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import socketio

from kiosk.protocol import Event


class RecordingClient:
    """Connects with a token over websocket and keeps ``(event name, envelope)`` in arrival order."""

    def __init__(self, url: str, token: str | None, *, events: Iterable[Event] = tuple(Event)) -> None:
        self.url = url
        self.token = token
        self.sio = socketio.Client(reconnection=False)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.connect_error: Any = None
        self._cond = threading.Condition()
        for event in events:
            self.sio.on(event.value, self._recorder(event.value))
        self.sio.on("connect_error", self._on_connect_error)

    def _recorder(self, name: str) -> Callable[[dict[str, Any]], None]:
        def record(envelope: dict[str, Any]) -> None:
            with self._cond:
                self.received.append((name, envelope))
                self._cond.notify_all()

        return record

    def _on_connect_error(self, data: Any) -> None:
        with self._cond:
            self.connect_error = data
            self._cond.notify_all()

    def connect(self, timeout: float = 10) -> None:
        auth = None if self.token is None else {"token": self.token}
        self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=timeout)

    def emit(self, event: str, argument: Any = None, timeout: float = 10) -> Any:
        """Emit and return the server's acknowledgement."""
        if argument is None:
            return self.sio.call(event, timeout=timeout)
        return self.sio.call(event, argument, timeout=timeout)

    def join(self, room: str) -> dict[str, Any]:
        ack = self.emit("join", {"room": room})
        assert isinstance(ack, dict)
        return ack

    def disconnect(self) -> None:
        """Disconnect without the sync client's 3 s stall.

        python-engineio's sync client closes its websocket-client socket with
        ``close(timeout=3)``, which waits for a close frame that its own read
        loop thread has usually consumed already; it then sits out the whole
        timeout.  On loopback 0.2 s is ample.  (The kiosk's asyncio client
        has no such wait: Session.stop() takes milliseconds.)
        """
        if not self.sio.connected:
            return
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            ws.close = functools.partial(ws.close, timeout=0.2)
        self.sio.disconnect()

    def wait_for(
        self, predicate: Callable[[list[tuple[str, dict[str, Any]]]], bool], timeout: float = 10
    ) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.received):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"condition not met within {timeout} s; received {self.summary()}")
                self._cond.wait(remaining)

    def wait_count(self, count: int, timeout: float = 10) -> list[tuple[str, dict[str, Any]]]:
        self.wait_for(lambda got: len(got) >= count, timeout)
        return self.snapshot()

    def wait_seq(self, seq: int, timeout: float = 10) -> list[tuple[str, dict[str, Any]]]:
        """Wait until an event with this seq (or later) arrived."""
        self.wait_for(lambda got: any(env["seq"] >= seq for _, env in got), timeout)
        return self.snapshot()

    def snapshot(self) -> list[tuple[str, dict[str, Any]]]:
        with self._cond:
            return list(self.received)

    def seqs(self) -> list[int]:
        return [env["seq"] for _, env in self.snapshot()]

    def summary(self) -> str:
        return ", ".join(f"{name}#{env.get('seq')}" for name, env in self.snapshot()) or "nothing"
