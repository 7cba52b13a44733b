"""Orders: numbering, the status machine, cancel and QR pick-up, each with its event.

Functions take an open write (``Tx``) so the change and its event commit
together; they raise ApiError for refusals, before anything is written.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from kiosk.protocol import (
    Event,
    Order,
    OrderItem,
    OrderStatus,
    PaymentStatus,
    can_transition,
    describe_allowed,
    iso,
    rooms_for,
)
from kiosk.protocol.requests import CancelOrder, CreateOrder
from server.db import MAX_ROW_ID
from server.errors import ApiError, unknown_qr
from server.hub import Tx

_COLUMNS = (
    "id, order_number, tenant_id, customer_name, type, table_label, total_amount, items_count, status, "
    "version, qr_token, payment_status, cancel_reason, picked_up_at, completed_at, created_at, updated_at"
)


def _items(conn: sqlite3.Connection, order_ids: list[int]) -> dict[int, list[OrderItem]]:
    found: dict[int, list[OrderItem]] = {order_id: [] for order_id in order_ids}
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT order_id, name, qty, price, notes, modifiers FROM order_items "  # noqa: S608 (marks only)
            f"WHERE order_id IN ({marks}) ORDER BY order_id, position",
            chunk,
        ):
            found[row[0]].append(
                OrderItem(
                    name=row[1], qty=row[2], price=row[3], notes=row[4], modifiers=tuple(orjson.loads(row[5]))
                )
            )
    return found


def _to_model(row: sqlite3.Row, items: list[OrderItem]) -> Order:
    return Order(
        id=row["id"],
        order_number=row["order_number"],
        tenant_id=row["tenant_id"],
        customer_name=row["customer_name"],
        type=row["type"],
        table=row["table_label"],
        items=tuple(items),
        total_amount=row["total_amount"],
        items_count=row["items_count"],
        status=OrderStatus(row["status"]),
        version=row["version"],
        qr_token=row["qr_token"],
        payment_status=row["payment_status"],
        cancel_reason=row["cancel_reason"],
        picked_up_at=row["picked_up_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def load(conn: sqlite3.Connection, order_id: int) -> tuple[Order, sqlite3.Row]:
    if not 0 < order_id <= MAX_ROW_ID:  # a URL id past 64 bits: SQLite cannot even compare it
        raise ApiError(404, "not_found", f"no order with id {order_id}", "id")
    row = conn.execute(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,)).fetchone()  # noqa: S608
    if row is None:
        raise ApiError(404, "not_found", f"no order with id {order_id}", "id")
    return _to_model(row, _items(conn, [order_id])[order_id]), row


def dump(order: Order) -> dict[str, Any]:
    return order.model_dump(mode="json")


def create(tx: Tx, request: CreateOrder) -> Order:
    now = iso(tx.clock.now())
    conn = tx.conn
    row = conn.execute(
        "INSERT INTO tenant_numbers (tenant_id, last_number) VALUES (?, 1) "
        "ON CONFLICT (tenant_id) DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
        (request.tenant_id,),
    ).fetchone()
    number = f"T{request.tenant_id}-{row[0]:03d}"
    total = sum(item.qty * item.price for item in request.items)
    count = sum(item.qty for item in request.items)
    cursor = conn.execute(
        "INSERT INTO orders (order_number, tenant_id, customer_name, type, table_label, total_amount, "
        "items_count, status, version, qr_token, payment_status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
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
            now,
            now,
        ),
    )
    order_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT INTO order_items (order_id, position, name, qty, price, notes, modifiers) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                order_id,
                position,
                item.name,
                item.qty,
                item.price,
                item.notes,
                orjson.dumps(item.modifiers).decode(),
            )
            for position, item in enumerate(request.items)
        ],
    )
    order, _ = load(conn, order_id)
    tx.publish(Event.ORDER_CREATED, order_rooms(order), dump(order))
    return order


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
    completed_at_value = iso(now) if target is OrderStatus.COMPLETED else row["completed_at"]
    # A recalled order is back on the pass: it has not been picked up after all.
    picked_up_at = None if target is OrderStatus.READY else row["picked_up_at"]
    tx.conn.execute(
        "UPDATE orders SET status = ?, version = version + 1, completed_at = ?, picked_up_at = ?, "
        "updated_at = ? WHERE id = ?",
        (target.value, completed_at_value, picked_up_at, iso(now), order_id),
    )
    return _publish_change(tx, Event.ORDER_STATUS_CHANGED, order, {})


def cancel(tx: Tx, order_id: int, request: CancelOrder, authorize: Authorize) -> Order:
    order, _ = load(tx.conn, order_id)
    authorize(order)
    _check_transition(order, OrderStatus.CANCELLED)
    tx.conn.execute(
        "UPDATE orders SET status = ?, cancel_reason = ?, version = version + 1, updated_at = ? WHERE id = ?",
        (OrderStatus.CANCELLED.value, request.reason, iso(tx.clock.now()), order_id),
    )
    return _publish_change(tx, Event.ORDER_CANCELLED, order, {"reason": request.reason})


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
    now = iso(tx.clock.now())
    tx.conn.execute(
        "UPDATE orders SET status = ?, picked_up_at = ?, completed_at = ?, version = version + 1, "
        "updated_at = ? WHERE id = ?",
        (OrderStatus.COMPLETED.value, now, now, now, order.id),
    )
    after, _ = load(tx.conn, int(order.id))
    data = {**dump(after), "scanned_at": now, "token": token}
    tx.publish(Event.QR_SCANNED, rooms_for(Event.QR_SCANNED, tenant_id=after.tenant_id), data)
    return data


def _check_transition(order: Order, target: OrderStatus) -> None:
    if order.status is target or not can_transition(order.status, target):
        raise ApiError(
            409,
            "invalid_transition",
            f"order {order.order_number} cannot go from {order.status} to {target}; "
            + describe_allowed(order.status),
            "status",
        )


def _publish_change(tx: Tx, event: Event, before: Order, extra: dict[str, Any]) -> Order:
    after, _ = load(tx.conn, int(before.id))
    data = {**dump(after), "previous_status": before.status.value, "new_status": after.status.value, **extra}
    tx.publish(event, rooms_for(event, tenant_id=after.tenant_id), data)
    return after
