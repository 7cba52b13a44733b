"""OrderListModel: order, fine-grained signals, tenant filter, cancelled linger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from kiosk.protocol import Order, OrderStatus
from kiosk.ui.models import ORDER_ROLE, OrderListModel

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def order(
    oid: int, minute: int, status: OrderStatus = OrderStatus.PENDING, tenant: int = 1, v: int = 1
) -> Order:
    return Order(
        id=oid,
        order_number=f"T{tenant}-{oid:03d}",
        tenant_id=tenant,
        customer_name=f"Customer {oid}",
        status=status,
        version=v,
        created_at=T0 + timedelta(minutes=minute),
    )


@dataclass(frozen=True)
class Change:
    collection: str
    key: int
    new: object


class Ticks:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def numbers(model: OrderListModel) -> list[str]:
    return [model.data(model.index(r)) for r in range(model.rowCount())]


def test_oldest_first_and_fine_grained_signals(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = OrderListModel()
    qtmodeltester.check(model)
    model.reset([order(2, 5), order(1, 1), order(9, 0, OrderStatus.COMPLETED)])
    assert numbers(model) == ["T1-001", "T1-002"]  # completed orders are not on the grid

    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.apply_changes([Change("orders", 3, order(3, 3))])
    assert inserted.args[1:] == [1, 1]  # between 1 and 2, one row only
    assert numbers(model) == ["T1-001", "T1-003", "T1-002"]

    with qtbot.waitSignal(model.dataChanged) as changed:
        model.apply_changes([Change("orders", 3, order(3, 3, OrderStatus.PREPARING, v=2))])
    assert changed.args[0].row() == changed.args[1].row() == 1
    assert model.data(model.index(1), ORDER_ROLE).status is OrderStatus.PREPARING

    with qtbot.waitSignal(model.rowsRemoved) as removed:
        model.apply_changes([Change("orders", 1, order(1, 1, OrderStatus.COMPLETED, v=3))])
    assert removed.args[1:] == [0, 0]
    assert numbers(model) == ["T1-003", "T1-002"]

    model.apply_changes([Change("orders", 2, None), Change("payments", 7, None)])
    assert numbers(model) == ["T1-003"]
    assert model.row_of(3) == 0 and model.row_of(2) is None


def test_tenant_filter_counts_hidden_orders(qtbot: QtBot) -> None:
    model = OrderListModel(tenant_id=2)
    everything = {o.id: o for o in [order(1, 0, tenant=1), order(2, 1, tenant=2), order(3, 2, tenant=1)]}
    with qtbot.waitSignal(model.hiddenCountChanged) as hidden:
        model.reset(everything.values())
    assert hidden.args == [2]
    assert numbers(model) == ["T2-002"]
    model.apply_changes([Change("orders", 4, order(4, 3, tenant=1))])
    assert model.hidden_count() == 3
    model.apply_changes([Change("orders", 1, order(1, 0, OrderStatus.COMPLETED, tenant=1, v=2))])
    assert model.hidden_count() == 2  # finished orders are not "hidden", they are gone
    model.set_tenant_filter(None, everything)
    assert model.hidden_count() == 0 and model.rowCount() == 3


def test_cancelled_order_lingers_then_leaves() -> None:
    ticks = Ticks()
    model = OrderListModel(cancelled_linger_s=5, monotonic=ticks)
    model.reset([order(1, 0), order(2, 1)])
    model.apply_changes([Change("orders", 1, order(1, 0, OrderStatus.CANCELLED, v=2))])
    assert model.order_at(0).status is OrderStatus.CANCELLED  # still shown, struck through
    ticks.t += 4.9
    assert model.expire() == []
    ticks.t += 0.1
    assert model.expire() == [1]
    assert numbers(model) == ["T1-002"]


def test_recall_brings_a_completed_order_back_in_place(qtbot: QtBot) -> None:
    model = OrderListModel()
    model.reset([order(1, 0), order(2, 1)])
    model.apply_changes([Change("orders", 1, order(1, 0, OrderStatus.COMPLETED, v=2))])
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.apply_changes([Change("orders", 1, order(1, 0, OrderStatus.READY, v=3))])
    assert inserted.args[1] == 0
    assert numbers(model) == ["T1-001", "T1-002"]


def test_a_snapshot_sized_batch_resets_once_and_keeps_order(qtbot: QtBot) -> None:
    model = OrderListModel()
    model.reset([order(1, 0)])
    batch = [Change("orders", i, order(i, i)) for i in range(200, 100, -1)]
    batch.append(Change("orders", 1, None))
    inserted: list[object] = []
    model.rowsInserted.connect(lambda *args: inserted.append(args))
    with qtbot.waitSignal(model.modelReset):
        model.apply_changes(batch)
    assert inserted == []
    assert model.rowCount() == 100
    assert numbers(model)[:2] == ["T1-101", "T1-102"]
