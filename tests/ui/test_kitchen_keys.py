"""Bump bar keys on the real card grid: 1–9 pick, Enter/Space bump, arrows, PgDn, R, tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.protocol import Order
from kiosk.protocol.models import OrderItem
from kiosk.ui.kitchen.card_delegate import CARD_SIZE, CardDelegate, Thresholds
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.models import OrderListModel

T0 = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def make_grid(qtbot: QtBot, count: int = 40) -> tuple[CardGrid, OrderListModel]:
    model = OrderListModel()
    model.reset(
        Order(id=i, order_number=f"T1-{i:03d}", created_at=T0 + timedelta(minutes=i))
        for i in range(1, count + 1)
    )
    grid = CardGrid()
    grid.setModel(model)
    grid.setItemDelegate(CardDelegate(FakeClock(start=T0), Thresholds(300, 600), grid))
    qtbot.addWidget(grid)
    grid.resize(CARD_SIZE.width() * 3 + 40, CARD_SIZE.height() * 2 + 20)  # 3 columns, 2 rows in view
    grid.show()
    qtbot.waitExposed(grid)
    grid.setFocus()
    return grid, model


def bumped_ids(grid: CardGrid, model: OrderListModel) -> list[int]:
    seen: list[int] = []
    grid.bumpRequested.connect(lambda index: seen.append(model.order_at(index.row()).id))
    return seen


def test_digits_pick_a_card_on_the_page_and_enter_or_space_bump_it(qtbot: QtBot) -> None:
    grid, model = make_grid(qtbot)
    seen = bumped_ids(grid, model)
    qtbot.keyClick(grid, Qt.Key.Key_Return)  # nothing picked: the oldest card
    qtbot.keyClick(grid, Qt.Key.Key_5)
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_Enter)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert seen == [1, 5, 6, 9]


def test_page_down_moves_by_a_page_and_digits_count_from_the_first_card_in_view(qtbot: QtBot) -> None:
    grid, _model = make_grid(qtbot)
    qtbot.keyClick(grid, Qt.Key.Key_1)
    qtbot.keyClick(grid, Qt.Key.Key_PageDown)
    assert grid.first_visible_row() == 6  # two rows of three cards further
    assert grid.currentIndex().row() == 6
    qtbot.keyClick(grid, Qt.Key.Key_2)  # digits count from the first card in view
    assert grid.currentIndex().row() == 7
    qtbot.keyClick(grid, Qt.Key.Key_PageUp)
    assert grid.first_visible_row() == 0 and grid.currentIndex().row() == 0


def test_r_asks_for_a_recall_and_a_click_picks_then_a_second_click_bumps(qtbot: QtBot) -> None:
    grid, model = make_grid(qtbot)
    seen = bumped_ids(grid, model)
    with qtbot.waitSignal(grid.recallRequested):
        qtbot.keyClick(grid, Qt.Key.Key_R)
    second = grid.visualRect(model.index(1, 0, QModelIndex()))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=second.center())
    assert seen == [] and grid.currentIndex().row() == 1  # picked, not bumped
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=second.center())
    assert seen == [2]
    third = grid.visualRect(model.index(2, 0, QModelIndex()))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=third.center())
    assert seen == [2] and grid.currentIndex().row() == 2  # another card: picked only


def test_a_card_that_grows_on_a_change_pushes_its_neighbours_on(qtbot: QtBot) -> None:
    """QListView resizes a changed item in place; the grid must flow the cards anew, never overlap them."""
    grid, model = make_grid(qtbot, count=6)
    before = grid.visualRect(model.index(1, 0, QModelIndex()))
    grown = model.order_at(1).model_copy(
        update={
            "version": 2,
            "items": tuple(
                OrderItem(name=f"Soto Betawi {n}", qty=1, notes="kuah dipisah, tanpa emping")
                for n in range(9)
            ),
        }
    )
    model.upsert(grown)
    qtbot.waitUntil(
        lambda: grid.visualRect(model.index(1, 0, QModelIndex())).size() != before.size(), timeout=5000
    )
    rects = [grid.visualRect(model.index(row, 0, QModelIndex())) for row in range(6)]
    assert rects[1].width() > before.width() or rects[1].height() > before.height()
    for a in range(6):
        for b in range(a + 1, 6):
            assert not rects[a].intersects(rects[b]), (a, b, rects[a], rects[b])
    units = grid.units
    assert all(rect.x() % units.width == 0 and rect.y() % units.height == 0 for rect in rects)
