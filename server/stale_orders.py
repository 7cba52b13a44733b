"""End of day: orders nobody will ever bump are closed, so the screens and counts stay true.

In the field the demo feed left 124 orders open after 16 minutes, and a real
food court leaves the ones nobody picked up.  An open order older than the
configured age (``--auto-close-after``, counted from when the kitchen got it:
a scheduled order from its release), or every open order at the configured
closing time (``--closing-time``), is cancelled with the reason
``auto_closed``: one ``order:cancelled`` event each, so every screen drops it
as it drops any cancel, and one log line per sweep.  An admin closes them by
hand with ``POST /api/orders/close-stale`` (``kiosk-server orders close-stale``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from flask_socketio import SocketIO

from kiosk.protocol import ACTIVE_STATUSES, Order
from kiosk.protocol.status import AUTO_CLOSED
from server.hub import Hub
from server.order_rows import load_many
from server.orders import close
from server.storage_guard import StorageRefusedError

log = logging.getLogger("server.api")

SWEEP_EVERY_S = 60.0
_NAMES_LOGGED = 20  # a sweep of hundreds is one line, not a wall


def released_at(order: Order) -> datetime | None:
    """When the kitchen got the order: its creation, or a scheduled order's release."""
    created = order.created_at
    if order.fire_at is None or order.prep_minutes is None:
        return created
    release = order.fire_at - timedelta(minutes=order.prep_minutes)
    return release if created is None or release > created else created


def close_stale(hub: Hub, *, older_than_s: float | None, closing: datetime | None = None) -> list[Order]:
    """Close the open orders released more than ``older_than_s`` ago (None: no age rule), or, with
    ``closing``, every open order released before it; returns those closed, in one write."""
    with hub.write() as tx:
        now = tx.clock.now()
        marks = ",".join("?" * len(ACTIVE_STATUSES))
        ids = [
            row[0]
            for row in tx.conn.execute(
                f"SELECT id FROM orders WHERE status IN ({marks}) ORDER BY id",  # noqa: S608 (marks only)
                sorted(ACTIVE_STATUSES),
            )
        ]
        closed: list[Order] = []
        for order in load_many(tx.conn, ids):
            since = released_at(order)
            if since is None:
                continue
            too_old = older_than_s is not None and (now - since).total_seconds() > older_than_s
            past_closing = closing is not None and since < closing
            if too_old or past_closing:
                closed.append(close(tx, order, AUTO_CLOSED))
    if closed:
        names = ", ".join(order.order_number for order in closed[:_NAMES_LOGGED])
        more = f" and {len(closed) - _NAMES_LOGGED} more" if len(closed) > _NAMES_LOGGED else ""
        rule = "at closing time" if closing is not None else f"open longer than {older_than_s:.0f} s"
        log.info("auto-closed %d order(s) %s: %s%s", len(closed), rule, names, more)
    return closed


@dataclass
class ClosingTime:
    """Which local day's closing has run: the sweep closes once per day, at or after the time."""

    at: clock_time
    done_for: date | None = field(default=None)

    def due(self, now_local: datetime) -> datetime | None:
        """The closing moment to apply now, or None (not yet today, or already done today)."""
        if now_local.time() < self.at or self.done_for == now_local.date():
            return None
        self.done_for = now_local.date()
        return now_local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)


def sweep_once(hub: Hub, older_than_s: float | None, closing: ClosingTime | None) -> int:
    """One sweep: the closing time if it is due, else the age rule; returns how many were closed."""
    now_local = hub.clock.now().astimezone()
    moment = closing.due(now_local) if closing is not None else None
    if moment is not None:
        return len(close_stale(hub, older_than_s=older_than_s, closing=moment))
    if older_than_s is None:
        return 0
    return len(close_stale(hub, older_than_s=older_than_s))


def start_stale_sweeper(
    socketio: SocketIO, hub: Hub, older_than_s: float | None, closing: ClosingTime | None
) -> None:
    if older_than_s is None and closing is None:
        log.info("open orders are never closed by themselves (no --auto-close-after, no --closing-time)")
        return

    def loop() -> None:
        while True:
            socketio.sleep(SWEEP_EVERY_S)
            try:
                sweep_once(hub, older_than_s, closing)
            except StorageRefusedError as exc:  # stopping, or the disk is gone: said once per write anyway
                log.warning("closing stale orders skipped: %s", exc.message)
            except Exception:
                log.exception("closing stale orders failed; retrying in %s s", SWEEP_EVERY_S)

    socketio.start_background_task(loop)
