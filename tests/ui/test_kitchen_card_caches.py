"""The kitchen's card caches hold the orders on screen, not every order of the day.

A 30-minute soak with live traffic grew the screen by 70 MiB: the delegate
kept every order's card layout (and the order with it) until 10 000 orders,
and a card pixmap for every look an order ever had (age colours, statuses)
until QPixmapCache's 48 MiB were full.  A busy stall sees that many orders in
a day.  These cycle orders through a real grid, painting each, as a shift does.
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta

from PySide6.QtGui import QPixmap, QPixmapCache
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import OrderItem
from kiosk.ui.kitchen.card_delegate import CardDelegate, Thresholds
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.models import OrderListModel

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ON_SCREEN = 12


def order(oid: int, status: OrderStatus = OrderStatus.PENDING, version: int = 1) -> Order:
    items = tuple(OrderItem(name=f"Nasi goreng {n}", qty=n + 1, notes="tanpa kacang") for n in range(4))
    return Order(
        id=oid,
        order_number=f"T1-{oid:04d}",
        tenant_id=1,
        customer_name=f"Pelanggan {oid}",
        status=status,
        version=version,
        created_at=T0 + timedelta(seconds=oid),
        items=items,
    )


def kitchen_grid(qtbot: QtBot, clock: FakeClock) -> tuple[CardGrid, OrderListModel, CardDelegate]:
    grid = CardGrid()
    qtbot.addWidget(grid)
    model = OrderListModel(monotonic=clock.monotonic, parent=grid)
    grid.setModel(model)
    delegate = CardDelegate(clock, Thresholds(300, 600), grid)
    grid.setItemDelegate(delegate)
    delegate.follow(model)
    grid.resize(1366, 768)
    grid.show()
    qtbot.waitExposed(grid)
    return grid, model, delegate


def paint(grid: CardGrid) -> None:
    grid.viewport().grab()  # renders synchronously: every card in view is laid out and painted


def test_orders_that_leave_take_their_layouts_and_pixmaps_with_them(qtbot: QtBot) -> None:
    clock = FakeClock(T0)
    grid, model, delegate = kitchen_grid(qtbot, clock)
    shift = 600
    tracemalloc.start()
    try:
        for first in range(0, shift, ON_SCREEN):
            batch = [order(oid) for oid in range(first, first + ON_SCREEN)]
            for new in batch:
                model.upsert(new)
            paint(grid)
            for n, new in enumerate(batch):  # cooking: a new look (status and age colour) per card
                model.upsert(order(new.id, OrderStatus.PREPARING, version=2))
                clock.advance(40 if n % 3 == 0 else 1)
            paint(grid)
            if first == 10 * ON_SCREEN:
                warm, _peak = tracemalloc.get_traced_memory()
            for new in batch:
                model.remove(new.id)
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 540 orders cycled after the warm-up.  Each kept layout held its Order too (~6 KiB an order,
    # 3.1 MiB in all); what stays now is the text-measure cache's new names (~0.3 KiB an order,
    # bounded at 20 000 strings).
    cycled = shift - 10 * ON_SCREEN
    assert held - warm < cycled * 1024, (
        f"{(held - warm) / 1024:.0f} KiB still held after {cycled} orders left"
    )
    assert delegate.cached_orders() == 0


def test_a_card_keeps_one_pixmap_whatever_looks_it_had(qtbot: QtBot) -> None:
    clock = FakeClock(T0)
    grid, model, delegate = kitchen_grid(qtbot, clock)
    model.upsert(order(1))
    paint(grid)
    looks = [(OrderStatus.PREPARING, 2), (OrderStatus.PREPARING, 3), (OrderStatus.READY, 4)]
    for status, version in looks:
        clock.advance(301)  # and a new age colour
        model.upsert(order(1, status, version))
        paint(grid)
    pixmaps = delegate.pixmap_keys()
    assert len(pixmaps) == 1
    assert QPixmapCache.find(pixmaps[0], QPixmap())
    model.remove(1)
    assert delegate.cached_orders() == 0
    assert not QPixmapCache.find(pixmaps[0], QPixmap()), "the departed card's pixmap is still cached"


def test_a_model_reset_keeps_the_caches_of_the_orders_still_shown(qtbot: QtBot) -> None:
    clock = FakeClock(T0)
    grid, model, delegate = kitchen_grid(qtbot, clock)
    model.reset(order(oid) for oid in range(ON_SCREEN))
    paint(grid)
    assert delegate.cached_orders() == ON_SCREEN
    model.reset(order(oid) for oid in range(ON_SCREEN // 2))  # a snapshot: half were bumped meanwhile
    assert delegate.cached_orders() <= ON_SCREEN // 2
    paint(grid)
    assert delegate.cached_orders() == ON_SCREEN // 2
