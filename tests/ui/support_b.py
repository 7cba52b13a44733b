"""Builders shared by part B's GUI tests (cashier, tenant, printing)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

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


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop serviced by Qt's event processing, torn down WITHOUT ``loop.stop()``.

    qasync's ``stop()`` calls ``QApplication.exit()``, which sets Qt's per-thread
    ``quitNow`` flag: from then on every nested ``QEventLoop.exec()`` (what
    ``qtbot.waitUntil`` runs) returns at once and timers never fire, so every
    later test in the process times out.  Imported by part B's test modules to
    override the conftest fixture of the same name.
    """
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = loop.time() + 5
        while any(not task.done() for task in pending) and loop.time() < deadline:
            qapp.processEvents()
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]  # what stop() does, minus app.exit()
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)
