"""Orders: numbering, the status machine, cancel and QR pick-up, each with its event.

Functions take an open write (``Tx``) so the change and its event commit
together; they raise ApiError for refusals, before anything is written.
Every status keeps its time (``preparing_at`` … ``cancelled_at``), and the
first move to ready keeps ``ready_s``, the seconds from order to ready that
the prep-time report sums (server/prep_report.py).  Lines, add-ons and
priority are in server/order_items.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kiosk.protocol import (
    Event,
    Order,
    OrderStatus,
    PaymentStatus,
    can_transition,
    describe_allowed,
    iso,
    rooms_for,
)
from kiosk.protocol.requests import MAX_SCHEDULE_AHEAD_DAYS, CancelOrder, CreateOrder
from server.errors import ApiError, unknown_qr
from server.hub import Tx
from server.order_events import publish_order
from server.order_rows import dump, insert_items, load

DEFAULT_PREP_MINUTES = 15  # a scheduled order sent without prep_minutes is held until fire_at minus this


def create(tx: Tx, request: CreateOrder) -> Order:
    moment = tx.clock.now()
    now = iso(moment)
    fire_at, prep_minutes = _schedule(request, moment)
    conn = tx.conn
    row = conn.execute(
        "INSERT INTO tenant_numbers (tenant_id, last_number) VALUES (?, 1) "
        "ON CONFLICT (tenant_id) DO UPDATE SET last_number = tenant_numbers.last_number + 1 RETURNING last_number",
        (request.tenant_id,),
    ).fetchone()
    number = f"T{request.tenant_id}-{row[0]:03d}"
    total = sum(item.qty * item.price for item in request.items)
    count = sum(item.qty for item in request.items)
    cursor = conn.execute(
        "INSERT INTO orders (order_number, tenant_id, customer_name, type, table_label, total_amount, "
        "items_count, status, version, qr_token, payment_status, priority, fire_at, prep_minutes, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            number,
            request.tenant_id,
            request.customer_name,
            request.type.value,
            request.table,
            total,
            count,
            OrderStatus.PENDING.value,
            "q_" + secrets.token_urlsafe(16),
            PaymentStatus.UNPAID.value,
            request.priority.value,
            fire_at,
            prep_minutes,
            now,
            now,
        ),
    )
    order_id = int(cursor.fetchone()[0])
    insert_items(conn, order_id, request.items, first_position=0, first_id=1, added_at=None)
    return publish_order(tx, Event.ORDER_CREATED, None, {}, order_id)


def _schedule(request: CreateOrder, now: datetime) -> tuple[str | None, int | None]:
    """``fire_at`` and the prep time it is held by, refused in the past or more than a week ahead."""
    if request.fire_at is None:
        return None, None
    if request.fire_at <= now:
        raise ApiError(
            422,
            "invalid_field",
            f"fire_at {iso(request.fire_at)} is not in the future (the server's time is {iso(now)})",
            "fire_at",
        )
    if request.fire_at > now + timedelta(days=MAX_SCHEDULE_AHEAD_DAYS):
        raise ApiError(
            422,
            "invalid_field",
            f"fire_at may be at most {MAX_SCHEDULE_AHEAD_DAYS} days ahead",
            "fire_at",
        )
    return iso(request.fire_at), request.prep_minutes or DEFAULT_PREP_MINUTES


def order_rooms(order: Order) -> list[str]:
    return rooms_for(Event.ORDER_CREATED, tenant_id=order.tenant_id)


Authorize = Callable[[Order], None]


def change_status(
    tx: Tx, order_id: int, target: OrderStatus, recall_window_s: float, authorize: Authorize
) -> Order:
    """Move along the status machine; cancelling goes through ``cancel`` (it needs a reason)."""
    order, row = load(tx.conn, order_id)
    authorize(order)
    if target is OrderStatus.CANCELLED:
        raise ApiError(
            409,
            "use_cancel",
            f"cancel order {order.order_number} with DELETE /api/orders/{order_id} and a reason",
            "status",
        )
    _check_transition(order, target)
    now = tx.clock.now()
    if order.status is OrderStatus.COMPLETED and target is OrderStatus.READY:
        completed_at = datetime.fromisoformat(row["completed_at"])
        elapsed = (now - completed_at).total_seconds()
        if elapsed > recall_window_s:
            raise ApiError(
                409,
                "recall_window_passed",
                f"order {order.order_number} was completed {int(elapsed)} s ago; it can be recalled "
                f"to ready only within {int(recall_window_s)} s of completion",
                "status",
            )
    set_status(tx, order_id, target, now)
    return publish_order(tx, Event.ORDER_STATUS_CHANGED, order, {}, order_id)


# The time column each status stamps when an order enters it.
_STAMPED = {
    OrderStatus.PREPARING: "preparing_at",
    OrderStatus.READY: "ready_at",
    OrderStatus.COMPLETED: "completed_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def set_status(tx: Tx, order_id: int, target: OrderStatus, now: datetime, **columns: Any) -> None:
    """Write a status with its time, bump the version; the first ready keeps ``ready_s``.

    A recalled order (completed → ready) is back on the pass: it has not been picked up after all,
    and its ready time restarts (the expo's pick-up timer), while ``ready_s`` keeps the first one.
    """
    stamp = iso(now)
    values: dict[str, Any] = {"status": target.value, _STAMPED[target]: stamp, "updated_at": stamp, **columns}
    if target is OrderStatus.READY:
        values["picked_up_at"] = None
    if target is OrderStatus.READY:
        ready_s = _first_ready_s(tx, order_id, now)
        if ready_s is not None:
            values["ready_s"] = ready_s
    assignments = ", ".join(f"{column} = ?" for column in values)
    tx.conn.execute(
        f"UPDATE orders SET {assignments}, version = version + 1 WHERE id = ?",  # noqa: S608 (our names)
        [*values.values(), order_id],
    )


def _first_ready_s(tx: Tx, order_id: int, now: datetime) -> float | None:
    """Seconds from the order (or, for a scheduled one, from its release to the kitchen) to its first
    ready; None when it was ready before (a recalled order keeps its first time)."""
    row = tx.conn.execute(
        "SELECT created_at, fire_at, prep_minutes, ready_s FROM orders WHERE id = ?", (order_id,)
    ).fetchone()
    if row is None or row["ready_s"] is not None:
        return None
    start = datetime.fromisoformat(row["created_at"])
    if row["fire_at"] is not None and row["prep_minutes"] is not None:
        released = datetime.fromisoformat(row["fire_at"]) - timedelta(minutes=row["prep_minutes"])
        start = max(start, released)
    return (now - start).total_seconds()


def cancel(tx: Tx, order_id: int, request: CancelOrder, authorize: Authorize) -> Order:
    order, _ = load(tx.conn, order_id)
    authorize(order)
    _check_transition(order, OrderStatus.CANCELLED)
    return close(tx, order, request.reason)


def close(tx: Tx, order: Order, reason: str) -> Order:
    """Cancel with a reason: a person's (``cancel``) or the end-of-day sweep's ``auto_closed``."""
    set_status(tx, int(order.id), OrderStatus.CANCELLED, tx.clock.now(), cancel_reason=reason)
    return publish_order(tx, Event.ORDER_CANCELLED, order, {"reason": reason}, int(order.id))


def scan_qr(tx: Tx, token: str, authorize: Authorize) -> dict[str, Any]:
    """A pick-up: a ``ready`` order becomes ``completed`` and the scan is published."""
    row = tx.conn.execute("SELECT id FROM orders WHERE qr_token = ?", (token,)).fetchone()
    if row is None:
        raise unknown_qr()
    order, _ = load(tx.conn, int(row[0]))
    authorize(order)
    if order.status is not OrderStatus.READY:
        raise ApiError(
            409,
            "not_ready",
            f"order {order.order_number} is {order.status}; a pick-up needs the order to be ready",
            "token",
        )
    moment = tx.clock.now()
    now = iso(moment)
    set_status(tx, int(order.id), OrderStatus.COMPLETED, moment, picked_up_at=now)
    after = publish_order(tx, Event.QR_SCANNED, order, {"scanned_at": now, "token": token}, int(order.id))
    return {**dump(after), "scanned_at": now, "token": token}


def _check_transition(order: Order, target: OrderStatus) -> None:
    if order.status is target or not can_transition(order.status, target):
        raise ApiError(
            409,
            "invalid_transition",
            f"order {order.order_number} cannot go from {order.status} to {target}; "
            + describe_allowed(order.status),
            "status",
        )
