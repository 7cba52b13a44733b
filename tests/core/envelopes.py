"""Envelope builders for core tests, shaped like the real server's (full entities)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.protocol import Event, iso

_ids = itertools.count(1)
BASE = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def order_data(order_id: int, status: str = "pending", version: int = 1, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": order_id,
        "order_number": f"A{order_id:03d}",
        "tenant_id": 1,
        "customer_name": f"Customer {order_id}",
        "items": [{"name": "Nasi goreng", "qty": 2, "price": 25000}],
        "total_amount": 50000,
        "items_count": 2,
        "status": status,
        "version": version,
        "created_at": iso(BASE),
        "updated_at": iso(BASE + timedelta(seconds=version)),
    }
    data.update(extra)
    return data


def envelope(
    event: Event, data: dict[str, Any], *, seq: int | None = None, event_id: str | None = "auto"
) -> dict[str, Any]:
    n = next(_ids)
    out: dict[str, Any] = {"type": event.type, "timestamp": iso(BASE + timedelta(seconds=n)), "data": data}
    if event_id is not None:
        out["event_id"] = f"ev-{n}" if event_id == "auto" else event_id
    if seq is not None:
        out["seq"] = seq
    return out


def created(order_id: int, **kw: Any) -> dict[str, Any]:
    return envelope(Event.ORDER_CREATED, order_data(order_id), **kw)


def status_changed(order_id: int, status: str, version: int, **kw: Any) -> dict[str, Any]:
    return envelope(
        Event.ORDER_STATUS_CHANGED, order_data(order_id, status, version, new_status=status), **kw
    )


def payment(
    payment_id: int, order_id: int, status: str = "paid", version: int = 1, **kw: Any
) -> dict[str, Any]:
    data = {
        "id": payment_id,
        "order_id": order_id,
        "amount": 50000,
        "amount_paid": 100000,
        "change": 50000,
        "payment_method": "cash",
        "status": status,
        "version": version,
        "counter_id": 1,
        "order": order_data(order_id, payment_status=status),
    }
    event = Event.PAYMENT_PROCESSED if status == "paid" else Event.PAYMENT_REFUNDED
    return envelope(event, data, **kw)
