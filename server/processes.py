"""Which server processes are running, and how each is doing: heartbeat rows in the shared database.

Why in the database: it is the one thing every process shares for sure (Redis
may be down), and ``/api/stats`` answered by any process then lists them all.
A process that stopped heartbeating for STALE_AFTER_S is left out of the sums.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson

from kiosk.protocol import iso
from server.database import Connection

log = logging.getLogger("server.cluster")

HEARTBEAT_S = 2.0
STALE_AFTER_S = 15.0


def process_id() -> str:
    """host:pid:random, readable in the stats and unique even when a pid is reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class ProcessRegistry:
    def __init__(self, conn: Connection, me: str, started: datetime) -> None:
        self._conn = conn
        self.me = me
        self._started = iso(started)

    def beat(self, now: datetime, state: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO server_processes (id, started_at, seen_at, state) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, state = excluded.state",
            (self.me, self._started, iso(now), orjson.dumps(state).decode()),
        )
        # The rows of processes gone for an hour are of no more use to anyone.
        self._conn.execute("DELETE FROM server_processes WHERE seen_at < ?", (iso(now - timedelta(hours=1)),))

    def others(self, now: datetime) -> list[dict[str, Any]]:
        """Every other process seen within STALE_AFTER_S, with its last reported state."""
        rows = self._conn.execute(
            "SELECT id, started_at, seen_at, state FROM server_processes WHERE seen_at >= ? AND id <> ? ORDER BY id",
            (iso(now - timedelta(seconds=STALE_AFTER_S)), self.me),
        ).fetchall()
        return [
            {"id": row[0], "started_at": row[1], "seen_at": row[2], **orjson.loads(row[3])} for row in rows
        ]

    def leave(self) -> None:
        self._conn.execute("DELETE FROM server_processes WHERE id = ?", (self.me,))
