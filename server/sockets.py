"""Socket.IO: authenticate on connect, join rooms the token allows, ack every join.

A handler never raises into the server: a malformed argument is answered
with ``{"ok": false, "error": {...}}``.  Joining a room happens before the
seq in the ack is read, so every event after that seq reaches the socket and
everything up to it is available through catch-up.  A device's screen also
reports its state (``screen:status``, server/fleet.py) for the fleet view.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room, leave_room

from kiosk.protocol import JoinEvent, ProtocolError, Room, error_body, iso, parse_room
from kiosk.protocol.api import ErrorDetail, JoinAck
from kiosk.protocol.live_panel import Refusal
from kiosk.protocol.rooms import room_from_join_argument
from server.auth import Principal, authenticate
from server.auth_throttle import FailedAuthLimiter
from server.hub import Hub
from server.live_panel import RecentRefusals
from server.screen_commands import device_room
from server.screen_reports import register_screen_reports
from server.socket_queue import SLOW_SOCKET

log = logging.getLogger("server.sockets")


class Connections:
    """The principal of each connected socket (sid → principal)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, Principal] = {}

    def add(self, sid: str, who: Principal) -> None:
        with self._lock:
            self._by_sid[sid] = who

    def remove(self, sid: str) -> Principal | None:
        with self._lock:
            return self._by_sid.pop(sid, None)

    def get(self, sid: str) -> Principal | None:
        with self._lock:
            return self._by_sid.get(sid)

    def count(self) -> int:
        with self._lock:
            return len(self._by_sid)

    def device_names(self) -> set[str]:
        with self._lock:
            return {who.name for who in self._by_sid.values() if not who.is_admin}

    def devices(self) -> dict[str, Principal]:
        """Connected sockets of device tokens (not the admin)."""
        with self._lock:
            return {sid: who for sid, who in self._by_sid.items() if not who.is_admin}


def _admit(hub: Hub, limiter: FailedAuthLimiter, auth: object, sid: str, address: str | None) -> Principal:
    """The connecting token's principal; ConnectionRefusedError (with a code) for anything else."""
    wait = limiter.retry_after(address)
    if wait is not None:  # not logged one by one: the block was logged when it began
        reason = f"too many unknown tokens from this address; try again in {wait:.0f} s"
        raise ConnectionRefusedError(reason, error_body("too_many_failed_logins", reason)["error"])
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is None:
        reason = 'no token: connect with auth={"token": "<device token>"}'
    else:
        with hub.read() as conn:
            who = authenticate(conn, token)
        if who is not None:
            return who
        reason = "unknown or revoked token; ask the admin for a device token"
        if limiter.failed(address):
            log.warning("%s sent too many unknown tokens: refusing it for a while", address)
    log.warning("connection %s from %s refused: %s", sid, address, reason)
    raise ConnectionRefusedError(reason, error_body("unauthorized", reason)["error"])


def register_socket_handlers(
    socketio: SocketIO,
    hub: Hub,
    connections: Connections,
    limiter: FailedAuthLimiter,
    refusals: RecentRefusals,
) -> None:
    def refused(who: str, what: str, code: str, message: str) -> None:
        status = {"forbidden": 403, "unauthorized": 401, "too_many_failed_logins": 429}.get(code, 422)
        refusals.add(
            Refusal(at=iso(hub.clock.now()), who=who, what=what, status=status, code=code, message=message)
        )

    def on_connect(auth: object = None) -> None:
        sid: str = request.sid  # type: ignore[attr-defined]
        try:
            who = _admit(hub, limiter, auth, sid, request.remote_addr)
        except ConnectionRefusedError as exc:
            detail = exc.error_args.get("data") if isinstance(exc.error_args, dict) else None
            if isinstance(detail, dict) and detail.get("code") != "too_many_failed_logins":
                refused(
                    str(request.remote_addr), "connect", str(detail.get("code")), str(detail.get("message"))
                )
            raise
        connections.add(sid, who)
        if not who.is_admin:
            join_room(device_room(who.name))  # the console's commands reach it from any process
        log.info("%s connected as %s", sid, who.name)

    def on_disconnect(*args: object) -> None:
        sid: str = request.sid  # type: ignore[attr-defined]
        who = connections.remove(sid)
        reports.left(sid, who)
        # python-socketio passes the reason (client left, ping timeout, transport error...)
        reason = f": {args[0]}" if args else ""
        name = who.name if who else "unknown"
        if args and isinstance(args[0], str) and args[0].startswith(SLOW_SOCKET):
            # the one line about a slow socket (server/socket_queue.py): who, where, why
            log.warning("%s (%s from %s) %s", sid, name, request.remote_addr, args[0])
            return
        log.info("%s (%s) disconnected%s", sid, name, reason)

    reports = register_screen_reports(socketio, hub, connections)
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)

    def make_join(event: JoinEvent) -> None:
        def handler(argument: object = None, *_: object) -> dict[str, Any]:
            return _join(socketio, hub, connections, refused, event=event, argument=argument)

        socketio.on_event(event.value, handler)

    for event in JoinEvent:
        make_join(event)


def _join(
    socketio: SocketIO,
    hub: Hub,
    connections: Connections,
    refused: Callable[[str, str, str, str], None],
    *,
    event: JoinEvent,
    argument: object,
) -> dict[str, Any]:
    """One join or leave: checked against the device's rooms (and revocation), answered in the ack."""
    sid: str = request.sid  # type: ignore[attr-defined]
    who = connections.get(sid)
    try:
        if who is None:
            raise ProtocolError(
                "unauthorized", "this connection is not authenticated; reconnect with a token"
            )
        if not who.is_admin and _revoked(hub, who.name):
            # Revoked by another process (`devices revoke`) since it connected: not one more room,
            # and the socket goes now rather than at the next sweep (after this answer).
            socketio.start_background_task(socketio.server.disconnect, sid, namespace="/")
            raise ProtocolError(
                "unauthorized", f"device {who.name!r} was revoked; ask the admin for a new token"
            )
        room = _room(event, argument)
        if event is JoinEvent.LEAVE:
            leave_room(str(room))
        else:
            if not who.may_join(room):
                allowed = ", ".join(sorted(str(r) for r in who.rooms)) or "none"
                raise ProtocolError(
                    "forbidden", f"{who.describe()} may not join {room}; it may join: {allowed}", "room"
                )
            join_room(str(room))
        log.info("%s (%s) %s %s", sid, who.name, "left" if event is JoinEvent.LEAVE else "joined", room)
        return JoinAck(ok=True, room=str(room), seq=hub.seq).to_wire()
    except ProtocolError as exc:
        log.warning("%s (%s) %s refused: %s", sid, who.name if who else "?", event.value, exc.message)
        refused(who.name if who else "?", event.value, exc.code, exc.message)
        return JoinAck(ok=False, error=ErrorDetail.model_validate(exc.to_body()["error"])).to_wire()
    except Exception:
        log.exception("%s: %s failed", sid, event.value)
        return JoinAck(
            ok=False, error=ErrorDetail(code="internal_error", message="the server failed on this join")
        ).to_wire()


def _revoked(hub: Hub, name: str) -> bool:
    with hub.read() as conn:
        row = conn.execute("SELECT revoked_at FROM devices WHERE name = ?", (name,)).fetchone()
    return row is None or row[0] is not None


def _room(event: JoinEvent, argument: object) -> Room:
    kind = event.room_kind
    if kind is not None:
        return parse_room(room_from_join_argument(kind, argument))
    name = argument.get("room") if isinstance(argument, dict) else argument
    return parse_room(name)
