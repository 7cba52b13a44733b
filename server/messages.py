"""Targeted notifications and system-wide alerts (admin only)."""

from __future__ import annotations

from typing import Any

import orjson

from kiosk.protocol import Alert, Event, Notification, iso, rooms_for
from kiosk.protocol.requests import CreateAlert, CreateNotification
from server.hub import Tx


def notify(tx: Tx, request: CreateNotification) -> dict[str, Any]:
    now = tx.clock.now()
    cursor = tx.conn.execute(
        "INSERT INTO notifications (user_id, type, data, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        (request.user_id, request.type, orjson.dumps(request.data).decode(), iso(now)),
    )
    body = Notification(
        id=int(cursor.fetchone()[0]),
        user_id=request.user_id,
        type=request.type,
        data=request.data,
        created_at=now,
    ).model_dump(mode="json")
    tx.publish(Event.NOTIFICATION, rooms_for(Event.NOTIFICATION, user_id=request.user_id), body)
    return body


def alert(tx: Tx, request: CreateAlert) -> dict[str, Any]:
    now = tx.clock.now()
    cursor = tx.conn.execute(
        "INSERT INTO alerts (severity, message, created_at) VALUES (?, ?, ?) RETURNING id",
        (request.severity.value, request.message, iso(now)),
    )
    body = Alert(
        id=int(cursor.fetchone()[0]), severity=request.severity, message=request.message, created_at=now
    ).model_dump(mode="json")
    tx.publish(Event.ALERT, rooms_for(Event.ALERT), body)
    return body
