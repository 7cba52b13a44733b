"""Renaming a device and changing its rooms (``PATCH /api/devices/{name}``), checked like a new one.

The token stays the same: the screen keeps working under its new name or
rooms after it reconnects (the route drops its sockets so it does so at once).
A room it no longer has is refused at that rejoin, with the rooms it has.
"""

from __future__ import annotations

import logging

import orjson

from kiosk.protocol import ProtocolError
from kiosk.protocol.rooms import parse_room
from kiosk.protocol.screen_commands import ChangeDevice
from server.auth import ADMIN_NAME, DeviceInfo
from server.database import Connection
from server.errors import ApiError

log = logging.getLogger("server.auth")


def active_device(conn: Connection, name: str) -> DeviceInfo:
    """Device ``name``, or the refusal a route gives for it: 404 unknown, 409 revoked."""
    row = conn.execute(
        "SELECT name, rooms, created_at, revoked_at FROM devices WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"no device named {name!r}; see `kiosk-server devices list`")
    if row[3] is not None:
        raise ApiError(409, "already_revoked", f"device {name!r} was revoked at {row[3]}; pair it anew")
    return DeviceInfo(row[0], orjson.loads(row[1]), row[2], row[3])


def change_device(conn: Connection, name: str, change: ChangeDevice) -> DeviceInfo:
    """Apply ``change`` to device ``name`` in this transaction; the device as it is now."""
    before = active_device(conn, name)
    if change.rooms is not None:
        try:
            rooms = sorted({str(parse_room(room)) for room in change.rooms})
        except ProtocolError as exc:
            raise ApiError(422, exc.code, exc.message, "rooms") from None
        conn.execute("UPDATE devices SET rooms = ? WHERE name = ?", (orjson.dumps(rooms).decode(), name))
        log.info("device %r now has rooms %s (was %s)", name, ", ".join(rooms), ", ".join(before.rooms))
    new_name = change.name
    if new_name is not None and new_name != name:
        if new_name == ADMIN_NAME:
            raise ApiError(422, "invalid_name", f"{ADMIN_NAME!r} is the admin's name; pick another", "name")
        if conn.execute("SELECT 1 FROM devices WHERE name = ?", (new_name,)).fetchone() is not None:
            raise ApiError(409, "duplicate_device", f"a device named {new_name!r} already exists", "name")
        conn.execute("UPDATE devices SET name = ? WHERE name = ?", (new_name, name))
        conn.execute("UPDATE device_status SET name = ? WHERE name = ?", (new_name, name))
        log.info("device %r renamed %r", name, new_name)
        name = new_name
    return active_device(conn, name)
