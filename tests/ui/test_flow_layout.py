"""The kitchen grid's own flow layout: QListView's placement, kept incrementally.

Three things must hold: the cards land where QListView in icon mode put them
(the screen looks as it did); a sequence of inserts, removals and resizes
gives the same places as laying everything out from scratch; and a new order
costs the grid one size question, not one per card on screen (the cost that
grew with the cards: issue "make insert cost flat").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QApplication, QListView
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.protocol import Order
from kiosk.ui.kitchen.card_delegate import CARD_SIZE, CardDelegate, Thresholds
from kiosk.ui.kitchen.flow_layout import FlowLayout, Size
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.models import OrderListModel

T0 = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
WIDTH = 601  # three 200 px cells and the spare pixel column the grid keeps

sizes = st.lists(st.tuples(st.sampled_from([200, 400, 600]), st.sampled_from([150, 300, 450])), max_size=40)


def places(flow: FlowLayout) -> list[tuple[int, int, int, int]]:
    return [flow.rect(row) for row in range(len(flow))]


class _Sized(QAbstractListModel):
    """Rows that only have a size, for QListView to place."""

    def __init__(self, row_sizes: list[Size]) -> None:
        super().__init__()
        self._sizes = row_sizes

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sizes)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(*self._sizes[index.row()])
        return None


def test_cards_flow_left_to_right_and_wrap_when_the_next_would_not_fit() -> None:
    flow = FlowLayout(WIDTH)
    flow.reset([(200, 150), (200, 150), (200, 300), (200, 150), (600, 150)])
    assert places(flow) == [
        (0, 0, 200, 150),
        (200, 0, 200, 150),
        (400, 0, 200, 300),  # a tall card makes its line tall
        (0, 300, 200, 150),
        (0, 450, 600, 150),  # a whole-row card does not fit after another: next line
    ]
    assert flow.height == 600
    assert flow.row_at(450, 250) == 2 and flow.row_at(250, 250) is None  # under a short card: nothing
    assert list(flow.rows_between(310, 320)) == [3]


@settings(max_examples=60, deadline=None)
@given(row_sizes=sizes)
def test_the_places_are_those_qlistview_gives_in_icon_mode(qapp: QApplication, row_sizes: list[Size]) -> None:
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)
    view.setMovement(QListView.Movement.Static)
    view.setSpacing(0)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setFrameShape(QListView.Shape.NoFrame)
    view.resize(WIDTH, 2000)
    model = _Sized(row_sizes)
    view.setModel(model)
    view.doItemsLayout()
    expected = [view.rectForIndex(model.index(row, 0)).getRect() for row in range(len(row_sizes))]
    flow = FlowLayout(view.viewport().width())
    view.deleteLater()
    flow.reset(row_sizes)
    assert places(flow) == expected


changes = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 50), sizes),
        st.tuples(st.just("remove"), st.integers(0, 50), st.integers(1, 5)),
        st.tuples(st.just("resize"), st.integers(0, 50), sizes),
        st.tuples(st.just("width"), st.sampled_from([201, 401, 601, 1001]), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(start=sizes, steps=changes)
def test_changes_in_place_give_the_same_places_as_a_layout_from_scratch(
    start: list[Size], steps: list[tuple[str, int, object]]
) -> None:
    flow = FlowLayout(WIDTH)
    flow.reset(start)
    mirror = list(start)
    width = WIDTH
    for kind, where, what in steps:
        if kind == "insert":
            assert isinstance(what, list)
            at = min(where, len(mirror))
            flow.insert(at, what)
            mirror[at:at] = what
        elif kind == "remove" and mirror:
            assert isinstance(what, int)
            at = min(where, len(mirror) - 1)
            count = min(what, len(mirror) - at)
            flow.remove(at, count)
            del mirror[at : at + count]
        elif kind == "resize" and mirror and isinstance(what, list) and what:
            at = min(where, len(mirror) - 1)
            flow.resize(at, what[0])
            mirror[at] = what[0]
        elif kind == "width":
            width = where
            flow.set_width(width)
    fresh = FlowLayout(width)
    fresh.reset(mirror)
    assert places(flow) == places(fresh)
    assert flow.height == fresh.height
    assert [flow.line_of(row) for row in range(len(flow))] == [
        fresh.line_of(row) for row in range(len(fresh))
    ]


class _CountingDelegate(CardDelegate):
    asked = 0

    def sizeHint(self, option, index):  # type: ignore[no-untyped-def]
        _CountingDelegate.asked += 1
        return super().sizeHint(option, index)


def test_a_new_order_at_2000_cards_asks_one_card_its_size_and_paints_nothing_off_screen(qtbot: QtBot) -> None:
    model = OrderListModel()
    model.reset(
        Order(id=i, order_number=f"T1-{i:04d}", created_at=T0 + timedelta(seconds=i)) for i in range(1, 2001)
    )
    grid = CardGrid()
    grid.setModel(model)
    delegate = _CountingDelegate(FakeClock(start=T0), Thresholds(300, 600), grid)
    grid.setItemDelegate(delegate)
    qtbot.addWidget(grid)
    grid.resize(CARD_SIZE.width() * 3 + 40, CARD_SIZE.height() * 2 + 20)
    grid.show()
    qtbot.waitExposed(grid)
    pages_before = grid.page_position()[1]
    _CountingDelegate.asked = 0
    new = Order(id=5000, order_number="T1-5000", created_at=T0 + timedelta(hours=2))
    model.upsert(new)

    def placed() -> bool:
        last = grid.visualRect(model.index(model.rowCount() - 1, 0))
        before_last = grid.visualRect(model.index(model.rowCount() - 2, 0))
        return last.isValid() and before_last.isValid() and not last.intersects(before_last)

    qtbot.waitUntil(placed, timeout=5000)  # a view that lays out later (QListView) has done it now
    assert _CountingDelegate.asked == 1  # QListView asked every card on screen again
    assert grid.page_position()[1] >= pages_before
    grid.select_row(model.rowCount() - 1)
    assert grid.viewport().rect().contains(grid.visualRect(model.index(model.rowCount() - 1, 0)))
