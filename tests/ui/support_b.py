"""Builders shared by part B's GUI tests (cashier, tenant, printing)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kiosk.protocol import Order, OrderItem, Payment

PAID_AT = datetime(2026, 11, 26, 7, 5, tzinfo=UTC)


def sample_order(number: str = "T1-004", tenant_id: int = 1, **changes: Any) -> Order:
    values: dict[str, Any] = {
        "id": 41,
        "order_number": number,
        "tenant_id": tenant_id,
        "customer_name": "Budi",
        "items": (
            OrderItem(name="Nasi Goreng", qty=2, price=25_000, notes="pedas", modifiers=("telur",)),
            OrderItem(name="Es Teh", qty=1, price=8_000),
        ),
        "total_amount": 58_000,
        "created_at": PAID_AT,
    }
    values.update(changes)
    return Order(**values)


def sample_payment(**changes: Any) -> Payment:
    order = changes.pop("order", None) or sample_order()
    values: dict[str, Any] = {
        "id": 7,
        "order_id": order.id,
        "order_number": order.order_number,
        "tenant_id": order.tenant_id,
        "counter_id": 1,
        "amount": 58_000,
        "amount_paid": 100_000,
        "change": 42_000,
        "payment_method": "cash",
        "reference": "TRX-0007",
        "created_at": PAID_AT,
        "order": order,
    }
    values.update(changes)
    return Payment(**values)
