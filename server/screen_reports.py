"""``screen:status``: a device's screen reports its state; its last socket closing marks it offline.

What is kept and how it is shown is server/fleet.py; this is the socket side:
validation (answered in the ack, never raised), and a pace of one kept report
per socket every REPORT_MIN_S, so a screen reporting in a loop costs no writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from flask import request
from flask_socketio import SocketIO
from pydantic import ValidationError

from kiosk.protocol.fleet import SCREEN_STATUS, ScreenStatus
from server import fleet
from server.auth import Principal
from server.hub import Hub


class Connections(Protocol):
    """What this needs of server/sockets.py's registry (not imported: sockets imports this module)."""

    def get(self, sid: str) -> Principal | None: ...

    def device_names(self) -> set[str]: ...


log = logging.getLogger("server.sockets")

REPORT_MIN_S = 5.0  # a screen reports every 30 s; more often than this is not written


class ScreenReports:
    def __init__(self, hub: Hub, connections: Connections, monotonic: Callable[[], float]) -> None:
        self._hub = hub
        self._connections = connections
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def report(self, sid: str, address: str | None, argument: object) -> dict[str, Any]:
        who = self._connections.get(sid)
        if who is None or who.is_admin:
            return _refused("forbidden", "only a device's screen reports its status")
        try:
            status = ScreenStatus.model_validate(argument)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "status"
            return _refused("invalid_body", f"{where}: {problem['msg']}")
        if self._too_soon(sid):
            return {"ok": True, "kept": False}
        with self._hub.write() as tx:
            fleet.reported(tx.conn, who.name, address, status, tx.clock.now())
        return {"ok": True, "kept": True}

    def left(self, sid: str, who: Principal | None) -> None:
        """A socket closed; its device's last one here: offline from now."""
        with self._lock:
            self._last.pop(sid, None)
        if who is None or who.is_admin or who.name in self._connections.device_names():
            return
        try:
            with self._hub.write() as tx:
                fleet.went_offline(tx.conn, who.name, tx.clock.now())
        except Exception as exc:  # a stopping server, a full disk: the report's age says offline anyway
            log.info("could not note %s offline: %s", who.name, exc)

    def _too_soon(self, sid: str) -> bool:
        now = self._monotonic()
        with self._lock:
            last = self._last.get(sid)
            if last is not None and now - last < REPORT_MIN_S:
                return True
            self._last[sid] = now
            return False


def register_screen_reports(socketio: SocketIO, hub: Hub, connections: Connections) -> ScreenReports:
    reports = ScreenReports(hub, connections, hub.clock.monotonic)

    def on_screen_status(argument: object = None, *_: object) -> dict[str, Any]:
        return reports.report(request.sid, request.remote_addr, argument)  # type: ignore[attr-defined]

    socketio.on_event(SCREEN_STATUS, on_screen_status)
    return reports


def _refused(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}
