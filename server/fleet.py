"""The fleet: each device's last report and whether it is online (``screen:status``, ``GET /api/devices``).

Kept in the database (``device_status``), not in a process's memory: with
several server processes the admin's request may reach another process than
the screen's socket.  Online means a socket of the device was connected at its
last report and the report is under OFFLINE_AFTER_S old (a process that died
cannot say its screens left).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import orjson

from kiosk.protocol import iso
from kiosk.protocol.fleet import OFFLINE_AFTER_S, DeviceState, ScreenStatus
from server.auth import list_devices
from server.database import Connection

log = logging.getLogger("server.sockets")


def reported(conn: Connection, name: str, address: str | None, status: ScreenStatus, now: datetime) -> None:
    """A screen's report: kept, and the device online (since now, if it was not)."""
    conn.execute(
        "INSERT INTO device_status (name, online, since, seen_at, address, state) VALUES (?, 1, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET since = CASE WHEN device_status.online = 1 THEN device_status.since "
        "ELSE excluded.since END, online = 1, seen_at = excluded.seen_at, address = excluded.address, "
        "state = excluded.state",
        (name, iso(now), iso(now), address, status.model_dump_json()),
    )


def went_offline(conn: Connection, name: str, now: datetime) -> None:
    """Its last socket closed (on this process): offline since now."""
    conn.execute(
        "UPDATE device_status SET online = 0, since = ? WHERE name = ? AND online = 1", (iso(now), name)
    )


def fleet(conn: Connection, now: datetime, head_seq: int) -> list[DeviceState]:
    """Every device with its status; the lag is measured against ``head_seq``."""
    fresh = iso(now - timedelta(seconds=OFFLINE_AFTER_S))
    rows = {
        row[0]: row
        for row in conn.execute("SELECT name, online, since, seen_at, address, state FROM device_status")
    }
    found = []
    for device in list_devices(conn):
        state = DeviceState(
            name=device.name, rooms=device.rooms, created_at=device.created_at, revoked_at=device.revoked_at
        )
        row = rows.get(device.name)
        if row is not None:
            report = ScreenStatus.model_validate(orjson.loads(row[5]), strict=False)
            online = bool(row[1]) and row[3] >= fresh and device.revoked_at is None
            state = state.model_copy(
                update={
                    "online": online,
                    "since": row[2] if online or not row[1] else row[3],
                    "seen_at": row[3],
                    "address": row[4],
                    "app_version": report.app_version,
                    "applied_seq": report.applied_seq,
                    "lag": max(0, head_seq - report.applied_seq),
                    "orders_on_screen": report.orders_on_screen,
                    "sound_muted": report.sound_muted,
                    "last_error": report.last_error,
                }
            )
        found.append(state)
    return found
