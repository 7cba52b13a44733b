"""The card grid and the bump bar keys.

A view of its own (``QAbstractItemView``) flows cards left to right, oldest
first, placed by kitchen/flow_layout.py.  Why not QListView in icon mode, which
it replaced: QListView lays out every card again on each insert, so a new order
cost more the more cards were on screen (12 ms more at 2000 cards than at 100);
here a new order places its own line and repaints only what moved, whatever
the number of cards.  Why a widget view with a painting delegate rather than a
Qt Quick GridView: both were within 1.5x of each other when measured, the
widget view shares the app's widgets, style sheet and screenshot path, and it
cannot fall into the OpenGL-on-llvmpipe trap that costs Qt Quick ~20x CPU on
kiosk PCs without a GPU.  Bump bars are plain USB keyboards, so the keys are:
1–9 pick a card on the page, Enter/Space bump the picked one (the oldest when
none is picked), arrows move, R recalls the last bumped order, PgUp/PgDn page.
Inside the picked card, + and − move a line cursor (voided lines and other
stations' are skipped), * bumps the line under it (pending → started → done →
pending) and / marks or unmarks the order as rush: all on a numeric keypad,
which is what most bump bars are.  On a touch screen a tap on a line bumps
that line (it only ever moves a line, never the order, and a second tap moves
it on); a tap elsewhere picks a card and a second tap on the picked card bumps
it: one stray touch must not send an order on.

Card sizes follow the view (card_layout.grid_units): the viewport is cut into
whole cells near the density's target size.  The remainder, less than one
pixel per column and row, becomes a viewport margin, so the cells fill the
viewport exactly and a page (PgDn) is exactly one viewport of whole rows.  A
tall order's card covers several cells (its sizeHint), so cards are placed by
their own sizes rather than a fixed grid.
"""

from __future__ import annotations

import math

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QWidget,
)

from kiosk.protocol import Order
from kiosk.ui.kitchen.card_delegate import CardDelegate
from kiosk.ui.kitchen.card_layout import GridUnits, grid_units
from kiosk.ui.kitchen.flow_layout import Size
from kiosk.ui.kitchen.flow_view import FlowView, Index
from kiosk.ui.models import OrderListModel

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_BUMP_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}
_LINE_KEYS = {Qt.Key.Key_Plus: 1, Qt.Key.Key_Minus: -1}
_LINE_BUMP_KEY = Qt.Key.Key_Asterisk
_RUSH_KEY = Qt.Key.Key_Slash


def page_position(value: int, maximum: int, page: int) -> tuple[int, int]:
    """(page shown, pages) for a scroll position: pages start every ``page`` px, the last at ``maximum``."""
    if maximum <= 0 or page <= 0:
        return 1, 1
    total = 1 + math.ceil(maximum / page)
    candidates = {min(total - 1, value // page), min(total - 1, value // page + 1), total - 1}
    nearest = min(candidates, key=lambda k: (abs(value - min(k * page, maximum)), k))
    return nearest + 1, total


class CardGrid(FlowView):
    bumpRequested = Signal(QModelIndex)  # noqa: N815 - Qt signal naming
    recallRequested = Signal()  # noqa: N815
    pageChanged = Signal(int, int)  # noqa: N815 - (page shown, pages); (1, 1) when everything fits
    lineBumpRequested = Signal(QModelIndex, int)  # noqa: N815 - (the card, the order line's id)
    rushRequested = Signal(QModelIndex)  # noqa: N815

    def __init__(self, parent: QWidget | None = None, *, density: str = "normal") -> None:
        super().__init__(parent)
        self.setObjectName("cardGrid")
        self._density = density
        self._units = grid_units(self.maximumViewportSize(), density)
        self._page = (1, 1)
        self._armed: QPersistentModelIndex | None = None  # the card that was picked when the finger went down
        self._pressed_at = QPoint()  # where that finger went down (viewport coordinates)
        # Always on: a scroll bar that came and went would change the width, the
        # cells, the rows and so whether it is needed, in a loop.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(False)
        self.setMouseTracking(False)
        self.clicked.connect(self._tapped)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._update_page)
        bar.rangeChanged.connect(self._update_page)

    # -- sizes -------------------------------------------------------------------
    @property
    def units(self) -> GridUnits:
        """The current cell size and how many cells fill the view across and down."""
        return self._units

    @property
    def density(self) -> str:
        return self._density

    def setItemDelegate(self, delegate: QAbstractItemDelegate) -> None:  # noqa: N802 - Qt API
        if isinstance(delegate, CardDelegate):
            delegate.set_units(self._units)
        super().setItemDelegate(delegate)
        self.doItemsLayout()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_cells()

    def _fit_cells(self) -> None:
        """Cut the viewport into whole cells; the leftover pixels become viewport margins.

        Cheap: a few integer divisions.  When the cells change, every card is
        asked its size again and placed at once, so no frame shows cards
        painted for the old cell size.  One pixel column stays spare, as
        card_layout.grid_units expects.
        """
        margins = self.viewportMargins()
        room = self.maximumViewportSize() + QSize(
            margins.left() + margins.right(), margins.top() + margins.bottom()
        )
        units = grid_units(room, self._density)
        right = max(0, room.width() - units.columns * units.width - 1)
        bottom = max(0, room.height() - units.rows * units.height)
        if (margins.left(), margins.top(), margins.right(), margins.bottom()) != (0, 0, right, bottom):
            self.setViewportMargins(0, 0, right, bottom)
        if units != self._units:
            self._units = units
            delegate = self.itemDelegate()
            if isinstance(delegate, CardDelegate):
                delegate.set_units(units)
            self.doItemsLayout()
        else:
            self._moved_from(self._flow.set_width(self.viewport().width()))
        self._update_page()

    def _fallback_size(self) -> Size:
        return self._units.width, self._units.height

    def _single_step(self) -> int:
        return max(1, self._units.height // 4)

    # -- pages -------------------------------------------------------------------
    def page_position(self) -> tuple[int, int]:
        """(page shown, pages): "page 2 of 5"; (1, 1) when every card is in view."""
        bar = self.verticalScrollBar()
        return page_position(bar.value(), bar.maximum(), self._units.page_height)

    def _update_page(self, *_: object) -> None:
        page = self.page_position()
        if page != self._page:
            self._page = page
            self.pageChanged.emit(*page)

    def first_visible_row(self) -> int:
        """The first card on the page: the first card of the line at the top of the view."""
        offset = self.verticalOffset()
        line = self._flow.line_at(offset + 2)
        if line is None:
            return 0
        return self._flow.line_rows(line).start

    def page(self, direction: int) -> None:
        """Scroll to the next (or previous) page boundary, whole rows of cards, and pick its first card."""
        bar = self.verticalScrollBar()
        step = self._units.page_height
        value, maximum = bar.value(), bar.maximum()
        if direction > 0:
            target = min((value // step + 1) * step, maximum)
        else:
            target = max(0, (value - 1) // step * step)
        bar.setValue(target)
        self.select_row(self.first_visible_row(), scroll=False)

    def scrollTo(  # noqa: N802 - Qt API
        self, index: Index, hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible
    ) -> None:
        """Bring a card into view by whole pages, so the view never rests with a row cut in half."""
        if not index.isValid() or not 0 <= index.row() < len(self._flow):
            return
        bar = self.verticalScrollBar()
        _, top, _, height = self._flow.rect(index.row())
        view = self.viewport().height()
        value = bar.value()
        Hint = QAbstractItemView.ScrollHint  # noqa: N806 - an enum
        if hint == Hint.EnsureVisible:
            if top >= value and top + height <= value + view:
                return  # already in view
            step = self._units.page_height
            page_top = min(top // step * step, bar.maximum())
            if height <= step and top + height <= page_top + step:
                bar.setValue(page_top)
                return
            target = top if top < value or height > view else top + height - view
        elif hint == Hint.PositionAtBottom:
            target = top + height - view
        elif hint == Hint.PositionAtCenter:
            target = top + height // 2 - view // 2
        else:  # PositionAtTop
            target = top
        bar.setValue(max(0, min(bar.maximum(), target)))

    def select_row(self, row: int, *, scroll: bool = True) -> bool:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return False
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if scroll:
            self.scrollTo(index)
        return True

    # -- touch and keys ------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Remember whether the touched card was already picked: the view picks it on this press."""
        index = self.indexAt(event.position().toPoint())
        picked = index.isValid() and index == self.currentIndex() and self.selectionModel().isSelected(index)
        self._armed = QPersistentModelIndex(index) if picked else None
        self._pressed_at = event.position().toPoint()
        super().mousePressEvent(event)

    def _tapped(self, index: QModelIndex) -> None:
        """A tap on a line bumps the line; elsewhere on the picked card it bumps the card; else it only picked."""
        armed, self._armed = self._armed, None
        line = self.line_at(index, self._pressed_at)
        if line is not None:
            self.set_cursor(index, line)
            self.lineBumpRequested.emit(index, line)
            return
        if armed is not None and armed.isValid() and armed.row() == index.row():
            self.bumpRequested.emit(index)

    # -- the line cursor -------------------------------------------------------------
    def _card(self) -> CardDelegate | None:
        delegate = self.itemDelegate()
        return delegate if isinstance(delegate, CardDelegate) else None

    def _order_at(self, index: Index) -> Order | None:
        model = self.model()
        if not isinstance(model, OrderListModel) or not index.isValid() or index.row() >= model.rowCount():
            return None
        return model.order_at(index.row())

    def line_at(self, index: Index, point: QPoint) -> int | None:
        """The bumpable order line under ``point`` (viewport coordinates) of card ``index``."""
        card, order = self._card(), self._order_at(index)
        if card is None or order is None:
            return None
        line = card.layout_of(order).item_at(point - self.visualRect(index).topLeft())
        return line if line in card.bumpable_lines(order) else None

    def cursor_line(self) -> int | None:
        """The line under the cursor in the picked card (None: no cursor there)."""
        return self._cursor_in(self.currentIndex())

    def _cursor_in(self, index: Index) -> int | None:
        card, order = self._card(), self._order_at(index)
        if card is None or order is None or card.cursor is None or card.cursor[0] != order.id:
            return None
        return card.cursor[1]

    def set_cursor(self, index: Index, line: int | None) -> None:
        """Put the line cursor on ``line`` of card ``index`` (None: no cursor), repainting what moved."""
        card, order = self._card(), self._order_at(index)
        if card is None:
            return
        before = card.cursor
        card.cursor = (order.id, line) if order is not None and line is not None else None
        if before != card.cursor:
            self.viewport().update()

    def move_cursor(self, step: int) -> None:
        """+ and −: the next or previous bumpable line of the picked card, from its first line."""
        index = self._picked()
        card, order = self._card(), self._order_at(index)
        if card is None or order is None:
            return
        lines = card.bumpable_lines(order)
        if not lines:
            self.set_cursor(index, None)
            return
        current = self._cursor_in(index)
        if current not in lines:
            self.set_cursor(index, lines[0] if step > 0 else lines[-1])
            return
        self.set_cursor(index, lines[max(0, min(len(lines) - 1, lines.index(current) + step))])

    def _picked(self) -> QModelIndex:
        """The picked card, or the first when none is (what Enter bumps)."""
        current = self.currentIndex()
        if not current.isValid() or not self.selectionModel().isSelected(current):
            model = self.model()
            current = model.index(0, 0) if model is not None and model.rowCount() else QModelIndex()
        return current

    def currentChanged(self, current: Index, previous: Index) -> None:  # noqa: N802 - Qt API
        """Another card picked: the line cursor stays with the card it was in only if that is the one."""
        card, order = self._card(), self._order_at(current)
        if card is not None and card.cursor is not None and (order is None or card.cursor[0] != order.id):
            self.set_cursor(current, None)
        super().currentChanged(current, previous)

    def _bump_cursor_line(self) -> None:
        """*: the line under the cursor moves on; with no cursor yet, the picked card's first line."""
        index = self._picked()
        if self._cursor_in(index) is None:
            self.move_cursor(1)
        line = self._cursor_in(index)
        if line is not None:
            self.lineBumpRequested.emit(index, line)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in _DIGITS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.select_row(self.first_visible_row() + _DIGITS[Qt.Key(key)] - 1)
        elif key in _BUMP_KEYS:
            self._emit_for_picked(self.bumpRequested)
        elif key in _LINE_KEYS:
            self.move_cursor(_LINE_KEYS[Qt.Key(key)])
        elif key == _LINE_BUMP_KEY:
            self._bump_cursor_line()
        elif key == _RUSH_KEY:
            self._emit_for_picked(self.rushRequested)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.page(1 if key == Qt.Key.Key_PageDown else -1)
        elif key == Qt.Key.Key_R:
            self.recallRequested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _emit_for_picked(self, signal: SignalInstance) -> None:
        current = self._picked()
        if current.isValid():
            signal.emit(current)
