"""OrderListModel under batches: a burst of new orders is one row insert, and any batch ends sorted and whole."""

from __future__ import annotations

import random

from PySide6.QtCore import QPersistentModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kiosk.protocol import Order, OrderStatus
from kiosk.ui.models import OrderListModel, shown_in_grid, sort_key
from tests.ui.test_kitchen_model import Change, order


def test_a_burst_of_new_orders_is_one_row_insert_and_keeps_the_pick(qtbot: QtBot) -> None:
    model = OrderListModel()
    model.reset([order(i, i) for i in range(1, 1001)])
    keep = QPersistentModelIndex(model.index(10))  # what the grid's pick holds on to
    inserted: list[tuple[int, int]] = []
    resets: list[object] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))
    model.apply_changes([Change("orders", i, order(i, i)) for i in range(1001, 1501)])
    # before: over 64 changes reset the model (the cook's pick and the scroll position lost)
    assert resets == []
    assert inserted == [(1000, 1499)]
    assert model.rowCount() == 1500
    assert keep.isValid() and keep.row() == 10


def test_new_orders_in_two_gaps_are_two_runs(qtbot: QtBot) -> None:
    model = OrderListModel()
    model.reset([order(1, 0), order(2, 10), order(3, 20)])
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.apply_changes([Change("orders", 10 + m, order(10 + m, m)) for m in (11, 12, 13, 1, 2)])
    assert inserted == [(1, 2), (4, 6)]
    assert [o.id for o in model.orders()] == [1, 11, 12, 2, 21, 22, 23, 3]


def test_random_batches_end_like_one_change_at_a_time(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    statuses = list(OrderStatus)
    for seed in range(40):
        rng = random.Random(seed)
        batched = OrderListModel(tenant_id=rng.choice([None, 1]))
        single = OrderListModel(tenant_id=batched.tenant_id)
        if seed == 0:
            qtmodeltester.check(batched)  # Qt's own consistency checks on every signal of the first run
        start = [order(i, rng.randint(0, 50), tenant=rng.randint(1, 2)) for i in range(rng.randint(0, 80))]
        batched.reset(start)
        single.reset(start)
        for _ in range(10):
            batch: list[Change] = []
            for _ in range(rng.randint(1, 120)):
                oid = rng.randint(0, 150)
                if rng.random() < 0.2:
                    batch.append(Change("orders", oid, None))
                else:
                    status = rng.choice(statuses)
                    batch.append(
                        Change(
                            "orders", oid, order(oid, rng.randint(0, 50), status, tenant=rng.randint(1, 2))
                        )
                    )
            batched.apply_changes(batch)
            for change in batch:
                single.apply_changes([change])
            rows = list(batched.orders())
            assert rows == list(single.orders()), seed
            assert [sort_key(o) for o in rows] == sorted(sort_key(o) for o in rows)
            assert all(shown_in_grid(o) for o in rows)
            assert batched.hidden_count() == single.hidden_count()
            for row, held in enumerate(rows):
                assert batched.row_of(held.id) == row
                assert isinstance(batched.order_at(row), Order)
