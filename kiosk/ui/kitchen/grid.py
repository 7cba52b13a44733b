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
On a touch screen a tap picks a card and a second tap on the picked card bumps
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
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QWidget,
)

from kiosk.ui.kitchen.card_delegate import CardDelegate
from kiosk.ui.kitchen.card_layout import GridUnits, grid_units
from kiosk.ui.kitchen.flow_layout import Size
from kiosk.ui.kitchen.flow_view import FlowView, Index

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_BUMP_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}


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

    def __init__(self, parent: QWidget | None = None, *, density: str = "normal") -> None:
        super().__init__(parent)
        self.setObjectName("cardGrid")
        self._density = density
        self._units = grid_units(self.maximumViewportSize(), density)
        self._page = (1, 1)
        self._armed: QPersistentModelIndex | None = None  # the card that was picked when the finger went down
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
        super().mousePressEvent(event)

    def _tapped(self, index: QModelIndex) -> None:
        """A tap on the picked card bumps it; a tap on any other card only picked it (on the press)."""
        armed, self._armed = self._armed, None
        if armed is not None and armed.isValid() and armed.row() == index.row():
            self.bumpRequested.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in _DIGITS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.select_row(self.first_visible_row() + _DIGITS[Qt.Key(key)] - 1)
            event.accept()
            return
        if key in _BUMP_KEYS:
            current = self.currentIndex()
            if not current.isValid() or not self.selectionModel().isSelected(current):
                model = self.model()
                current = model.index(0, 0) if model is not None and model.rowCount() else QModelIndex()
            if current.isValid():
                self.bumpRequested.emit(current)
            event.accept()
            return
        if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.page(1 if key == Qt.Key.Key_PageDown else -1)
            event.accept()
            return
        if key == Qt.Key.Key_R:
            self.recallRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
