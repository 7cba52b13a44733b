"""What the expo shows of an order, computed once per change: stations' progress, allergens, rush.

Plain Python (no Qt) so the rules are tested and read in one place:

- a line counts at its station (``item.station``; None is the "other" station),
  done when its status is ``done``; a voided line is not counted anywhere (it
  was taken off the ticket, nobody will cook it);
- an order is "all done" when it has at least one counted line and every
  counted line is done.  An order with no counted line (every line voided, or
  an older backend that sends no lines) is never "all done": the expo has
  nothing to check, so a bump of it takes the deliberate, confirmed path;
- allergens are those of the counted lines, each named once, in the order the
  lines list them (a voided line's allergen is not on the plate any more).

A row is frozen and compared by value, so an event that changed nothing the
expo shows (a payment, a version bump) repaints nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.board import board_name
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import ItemStatus, Priority

OPEN = frozenset({OrderStatus.PENDING, OrderStatus.PREPARING})


@dataclass(frozen=True, slots=True)
class StationProgress:
    """One station's share of an order: ``done`` of ``total`` counted lines (station None: "other")."""

    station: str | None
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass(frozen=True, slots=True)
class ExpoRow:
    """One order as the expo sees it; times are POSIX seconds (None when the wire left them out)."""

    key: EntityId
    number: str
    name: str  # the customer's first name
    table: str
    rush: bool
    status: OrderStatus
    created: float | None
    ready: float | None
    stations: tuple[StationProgress, ...]
    allergens: tuple[str, ...]

    @property
    def lines_total(self) -> int:
        return sum(station.total for station in self.stations)

    @property
    def all_done(self) -> bool:
        return self.lines_total > 0 and all(station.complete for station in self.stations)

    @property
    def waiting(self) -> bool:
        """In the "Waiting for pick-up" area (ready), not the open one."""
        return self.status is OrderStatus.READY


def _stamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def station_progress(order: Order) -> tuple[StationProgress, ...]:
    """Per station, in the order the stations first appear on the ticket; voided lines not counted."""
    done: dict[str | None, int] = {}
    total: dict[str | None, int] = {}
    for item in order.items:
        if item.status is ItemStatus.VOIDED:
            continue
        station = (item.station or "").strip() or None
        total[station] = total.get(station, 0) + 1
        done[station] = done.get(station, 0) + (1 if item.status is ItemStatus.DONE else 0)
    return tuple(StationProgress(station, done[station], count) for station, count in total.items())


def order_allergens(order: Order) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in order.items:
        if item.status is ItemStatus.VOIDED:
            continue
        for allergen in item.allergens:
            name = allergen.strip()
            if name and name.casefold() not in {known.casefold() for known in seen}:
                seen[name] = None
    return tuple(seen)


def expo_row(order: Order) -> ExpoRow | None:
    """The row for an open or ready order; None for one that has left the pass (completed, cancelled)."""
    if order.status not in OPEN and order.status is not OrderStatus.READY:
        return None
    return ExpoRow(
        key=order.id,
        number=order.order_number or str(order.id),
        name=board_name(order.customer_name),
        table=(order.table or "").strip(),
        rush=order.priority is Priority.RUSH,
        status=order.status,
        created=_stamp(order.created_at or order.updated_at),
        ready=_stamp(order.ready_at or order.updated_at) if order.status is OrderStatus.READY else None,
        stations=station_progress(order),
        allergens=order_allergens(order),
    )


def _id_rank(key: EntityId) -> tuple[int, str]:
    return (int(key), "") if isinstance(key, int) else (0, str(key))


def open_sort_key(row: ExpoRow) -> tuple[bool, float, tuple[int, str]]:
    """Rush first, then the oldest first: the order that has waited longest is checked next."""
    return (not row.rush, row.created if row.created is not None else float("inf"), _id_rank(row.key))


def waiting_sort_key(row: ExpoRow) -> tuple[float, tuple[int, str]]:
    """Longest waiting for pick-up first: the one to call out again."""
    return (row.ready if row.ready is not None else float("inf"), _id_rank(row.key))
