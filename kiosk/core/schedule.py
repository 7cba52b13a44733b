"""Scheduled orders: held off the rail until ``fire_at - prep_minutes``, then fired once, on the screen's clock.

The server stores when a booked order is wanted (``fire_at``) and how long it
takes (``prep_minutes``); it does not push a second event at the release
time, because a screen that was off at that moment would miss it, and the
screens' clocks already run the timers.  So each screen decides from its own
(injected) clock: a held order sits in the "Later" strip with its fire time,
and when its release comes the screen announces it (chime, toast) once.  An
order that is already released when the screen first sees it (a restart at
lunch) just shows on the rail: nothing fires twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import EntityId


def release_at(order: Order) -> datetime | None:
    """When the kitchen should start a scheduled order; None for an order cooked at once."""
    if order.fire_at is None:
        return None
    return order.fire_at - timedelta(minutes=order.prep_minutes or 0)


def is_held(order: Order, now: datetime) -> bool:
    """Waiting for its release: scheduled, not started by anyone, and its time not come."""
    start = release_at(order)
    return start is not None and order.status is OrderStatus.PENDING and now < start


@dataclass(frozen=True)
class Releases:
    held: list[Order]  # still waiting, soonest first
    fired: list[Order]  # held at the last look and released now: announce these once
    next_at: datetime | None  # when the next held order is released (for the screen's timer)


class Schedule:
    """Which orders are held, and which were released since the last look."""

    def __init__(self) -> None:
        self._held: set[EntityId] = set()

    def look(self, orders: Iterable[Order], now: datetime) -> Releases:
        held: list[Order] = []
        fired: list[Order] = []
        for order in orders:
            if is_held(order, now):
                held.append(order)
            elif order.id in self._held and order.status is OrderStatus.PENDING:
                fired.append(order)
        held.sort(key=lambda order: (release_at(order) or now, str(order.id)))
        self._held = {order.id for order in held}
        next_at = release_at(held[0]) if held else None
        return Releases(held, fired, next_at)
