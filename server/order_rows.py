"""Orders and their lines as rows: read one order whole, write lines, turn rows into the wire model.

Shared by the order changes (server/orders.py, server/order_items.py), the
payments (which carry their order) and the end-of-day sweep.  Lists of many
orders are built by SQLite itself (server/order_lists.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from kiosk.protocol import Order, OrderItem, OrderStatus
from kiosk.protocol.requests import OrderItemIn
from kiosk.protocol.status import ItemStatus, Priority
from server.database import Connection, Row
from server.db import MAX_ROW_ID
from server.errors import ApiError

_COLUMNS = (
    "id, order_number, tenant_id, customer_name, type, table_label, total_amount, items_count, status, "
    "version, qr_token, payment_status, cancel_reason, priority, fire_at, prep_minutes, preparing_at, "
    "ready_at, completed_at, cancelled_at, picked_up_at, created_at, updated_at, ready_s"
)
_ITEM_COLUMNS = (
    "order_id, id, position, name, qty, price, notes, modifiers, station, category, allergens, status, void_reason, "
    "added_at, started_at, done_at"
)


def _items(conn: Connection, order_ids: list[int]) -> dict[int, list[OrderItem]]:
    found: dict[int, list[OrderItem]] = {order_id: [] for order_id in order_ids}
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM order_items "  # noqa: S608 (marks only)
            f"WHERE order_id IN ({marks}) ORDER BY order_id, position",
            chunk,
        ):
            found[row["order_id"]].append(
                OrderItem(
                    id=row["id"],
                    name=row["name"],
                    qty=row["qty"],
                    price=row["price"],
                    notes=row["notes"],
                    modifiers=tuple(orjson.loads(row["modifiers"])),
                    station=row["station"],
                    category=row["category"],
                    allergens=tuple(orjson.loads(row["allergens"])),
                    status=ItemStatus(row["status"]),
                    void_reason=row["void_reason"],
                    added_at=row["added_at"],
                    started_at=row["started_at"],
                    done_at=row["done_at"],
                )
            )
    return found


def _to_model(row: Row, items: list[OrderItem]) -> Order:
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
        priority=Priority(row["priority"]),
        fire_at=row["fire_at"],
        prep_minutes=row["prep_minutes"],
        preparing_at=row["preparing_at"],
        ready_at=row["ready_at"],
        completed_at=row["completed_at"],
        cancelled_at=row["cancelled_at"],
        picked_up_at=row["picked_up_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def load(conn: Connection, order_id: int) -> tuple[Order, Row]:
    if not 0 < order_id <= MAX_ROW_ID:  # a URL id past 64 bits: SQLite cannot even compare it
        raise ApiError(404, "not_found", f"no order with id {order_id}", "id")
    row = conn.execute(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,)).fetchone()  # noqa: S608
    if row is None:
        raise ApiError(404, "not_found", f"no order with id {order_id}", "id")
    return _to_model(row, _items(conn, [order_id])[order_id]), row


def load_many(conn: Connection, order_ids: list[int]) -> list[Order]:
    """Several orders whole, in the order of ``order_ids`` (ids that do not exist are left out)."""
    rows: dict[int, Row] = {}
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_COLUMNS} FROM orders WHERE id IN ({marks})", chunk):  # noqa: S608
            rows[row["id"]] = row
    items = _items(conn, list(rows))
    return [_to_model(rows[order_id], items[order_id]) for order_id in order_ids if order_id in rows]


def dump(order: Order) -> dict[str, Any]:
    return order.model_dump(mode="json")


def insert_items(
    conn: Connection,
    order_id: int,
    items: Sequence[OrderItemIn],
    *,
    first_position: int,
    first_id: int,
    added_at: str | None,
) -> list[int]:
    """Write ``items`` as the order's next lines; returns their ids (1, 2, … within the order)."""
    ids = [first_id + offset for offset in range(len(items))]
    conn.executemany(
        "INSERT INTO order_items (order_id, position, id, name, qty, price, notes, modifiers, station, "
        "category, allergens, status, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                order_id,
                first_position + offset,
                ids[offset],
                item.name,
                item.qty,
                item.price,
                item.notes,
                orjson.dumps(item.modifiers).decode(),
                item.station,
                item.category,
                orjson.dumps(item.allergens).decode(),
                ItemStatus.PENDING.value,
                added_at,
            )
            for offset, item in enumerate(items)
        ],
    )
    return ids
