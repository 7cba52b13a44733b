"""The card grid and the bump bar keys.

A ``QListView`` in icon mode flows cards left to right, oldest first.  Why a
QListView with a painting delegate rather than a Qt Quick GridView: both were
within 1.5x of each other when measured, the widget view shares the app's
widgets, style sheet and screenshot path, and it cannot fall into the
OpenGL-on-llvmpipe trap that costs Qt Quick ~20x CPU on kiosk PCs without a
GPU.  Bump bars are plain USB keyboards, so the keys are: 1–9 pick a card on
the page, Enter/Space bump the picked one (the oldest when none is picked),
arrows move, R recalls the last bumped order, PgUp/PgDn page.  On a touch
screen a tap picks a card and a second tap on the picked card bumps it: one
stray touch must not send an order on.

Card sizes follow the view (card_layout.grid_units): the viewport is cut into
whole cells near the density's target size.  The remainder, less than one
pixel per column and row, becomes a viewport margin, so the cells fill the
viewport exactly and a page (PgDn) is exactly one viewport of whole rows.  A
tall order's card covers several cells (its sizeHint), so the view lays out
cards by their own sizes rather than a fixed grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QListView,
    QStyleOptionViewItem,
    QWidget,
)

from kiosk.ui.kitchen.card_delegate import CardDelegate
from kiosk.ui.kitchen.card_layout import GridUnits, grid_units

MIN_BATCH = 24  # cards placed per event-loop turn in batched layout, at least
BATCH_FROM = 400
RESIZE_CHECK_ROWS = 64  # a dataChanged over more rows than this relayouts without asking each card
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_BUMP_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}
Index = QModelIndex | QPersistentModelIndex


def page_position(value: int, maximum: int, page: int) -> tuple[int, int]:
    """(page shown, pages) for a scroll position: pages start every ``page`` px, the last at ``maximum``."""
    if maximum <= 0 or page <= 0:
        return 1, 1
    total = 1 + math.ceil(maximum / page)
    candidates = {min(total - 1, value // page), min(total - 1, value // page + 1), total - 1}
    nearest = min(candidates, key=lambda k: (abs(value - min(k * page, maximum)), k))
    return nearest + 1, total


class CardGrid(QListView):
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
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setBatchSize(MIN_BATCH)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(False)  # a tall order's card covers several cells
        self.setSpacing(0)  # the cards draw their own margins, so cells tile the viewport
        # Always on: a scroll bar that came and went would change the width, the
        # cells, the rows and so whether it is needed, in a loop.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
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

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_cells()

    def _fit_cells(self) -> None:
        """Cut the viewport into whole cells; the leftover pixels become viewport margins.

        Cheap: a few integer divisions.  When the cells change, the cards are
        laid out at once (the first batch), not after QListView's 100 ms resize
        delay, so no frame shows cards painted for the old cell size.
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
            # The first batch holds the first two pages: enough to paint the top of
            # the grid at once, and no more (each card's size is a call into Python).
            self.setBatchSize(max(MIN_BATCH, 2 * units.columns * units.rows))
            delegate = self.itemDelegate()
            if isinstance(delegate, CardDelegate):
                delegate.set_units(units)
            self.scheduleDelayedItemsLayout()
            self.executeDelayedItemsLayout()
        self._update_page()

    def dataChanged(  # noqa: N802 - Qt API
        self, top_left: Index, bottom_right: Index, roles: Sequence[int] = ()
    ) -> None:
        """A card whose size changed (e.g. a cancel reason added a line) makes the cards flow anew.

        QListView only resizes a changed item in place, which would overlap
        its neighbours; a status change that keeps the size costs one lookup.
        """
        first, last = top_left.row(), bottom_right.row()
        resized = last - first > RESIZE_CHECK_ROWS or any(
            self._size_changed(row) for row in range(max(0, first), last + 1)
        )
        super().dataChanged(top_left, bottom_right, list(roles))
        if resized:
            self.scheduleDelayedItemsLayout()

    def _size_changed(self, row: int) -> bool:
        model = self.model()
        if model is None or row >= model.rowCount():
            return False
        index = model.index(row, 0)
        placed = self.rectForIndex(index)
        delegate = self.itemDelegateForIndex(index)
        if not placed.isValid() or delegate is None:
            return False
        return placed.size() != delegate.sizeHint(QStyleOptionViewItem(), index)

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        if model is not None:
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
                signal.connect(self._pick_layout_mode)
        self._pick_layout_mode()

    def _pick_layout_mode(self, *_: object) -> None:
        """One pass while the grid is small; in batches once it is large.

        In batches, the cards in view are placed (and painted) first and the
        rest over the next event-loop turns: at 2000 cards an insert at the top
        went from 25 ms p99 to 6 ms p99 to paint (bench/ui_render.py).  Below
        BATCH_FROM cards one pass is cheap and keeps every card's place exact
        at once (scrolling to a new card at the end works immediately).
        """
        model = self.model()
        large = model is not None and model.rowCount() > BATCH_FROM
        mode = QListView.LayoutMode.Batched if large else QListView.LayoutMode.SinglePass
        if self.layoutMode() != mode:
            self.setLayoutMode(mode)

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
        """The first card on the page: the lowest row among the cards at the top of the view."""
        rows: list[int] = []
        height = self.viewport().height()
        y = 2
        while not rows and y < height:
            for column in range(self._units.columns):
                index = self.indexAt(QPoint(column * self._units.width + self._units.width // 2, y))
                if index.isValid():
                    rows.append(index.row())
            y += max(1, self._units.height // 2)
        return min(rows, default=0)

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
        if hint == QAbstractItemView.ScrollHint.EnsureVisible and index.isValid():
            rect = self.visualRect(index)
            if rect.isValid() and not self.viewport().rect().contains(rect):
                bar = self.verticalScrollBar()
                step = self._units.page_height
                top = rect.top() + bar.value()
                page_top = min(top // step * step, bar.maximum())
                if rect.height() <= step and top + rect.height() <= page_top + step:
                    bar.setValue(page_top)
                    return
        super().scrollTo(index, hint)

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
