"""A QAbstractItemView over FlowLayout: the kitchen grid's placing, painting and picking.

Why a view of our own: QListView lays out every item again on each insert,
so a new order on the kitchen screen cost more the more cards were shown.
This view hands each model change to kitchen/flow_layout.py, which re-places
only from the line the change touches, and repaints only the part of the
viewport that moved.  It knows nothing of kitchens: cells, pages and bump-bar
keys are kitchen/grid.py's.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
)
from PySide6.QtGui import QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QStyle, QStyleOptionViewItem, QWidget

from kiosk.ui.kitchen.flow_layout import FlowLayout, Size

Index = QModelIndex | QPersistentModelIndex
Cursor = QAbstractItemView.CursorAction


class FlowView(QAbstractItemView):
    """Items left to right in lines, each at its delegate's size; vertical scrolling only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._flow = FlowLayout()

    def _fallback_size(self) -> Size:
        """An item's size before there is a model and a delegate to ask."""
        return 100, 100

    def _single_step(self) -> int:
        """Pixels a scroll-bar arrow or a wheel notch moves."""
        return 20

    def _size_of(self, row: int) -> Size:
        model: QAbstractItemModel | None = self.model()  # None before setModel, whatever the stubs say
        delegate: QAbstractItemDelegate | None = self.itemDelegate()
        if model is None or delegate is None:
            return self._fallback_size()
        hint = delegate.sizeHint(QStyleOptionViewItem(), model.index(row, 0))
        return hint.width(), hint.height()

    # -- the model's changes: each places only what it moved -------------------------
    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 - Qt API
        old = self.model()
        if old is not None:
            old.rowsRemoved.disconnect(self._rows_removed)
        super().setModel(model)
        if model is not None:
            model.rowsRemoved.connect(self._rows_removed)
        self.doItemsLayout()

    def doItemsLayout(self) -> None:  # noqa: N802 - Qt API
        """Ask every card its size and place them all: a new model, a reset, new cells."""
        model = self.model()
        count = model.rowCount() if model is not None else 0
        self._flow.reset((self._size_of(row) for row in range(count)), self.viewport().width())
        self._moved_from(0)
        super().doItemsLayout()

    def reset(self) -> None:
        super().reset()
        self.doItemsLayout()

    def rowsInserted(self, parent: Index, start: int, end: int) -> None:  # noqa: N802 - Qt API
        if not parent.isValid():
            self._moved_from(self._flow.insert(start, [self._size_of(row) for row in range(start, end + 1)]))
        super().rowsInserted(parent, start, end)

    def _rows_removed(self, parent: QModelIndex, start: int, end: int) -> None:
        if not parent.isValid():
            self._moved_from(self._flow.remove(start, end - start + 1))

    def dataChanged(  # noqa: N802 - Qt API
        self, top_left: Index, bottom_right: Index, roles: Sequence[int] = ()
    ) -> None:
        """A card whose size changed (e.g. a cancel reason added a line) makes the cards after it flow anew."""
        model = self.model()
        last = min(
            bottom_right.row(), (model.rowCount() if model is not None else 0) - 1, len(self._flow) - 1
        )
        moved: int | None = None
        for row in range(max(0, top_left.row()), last + 1):
            top = self._flow.resize(row, self._size_of(row))
            if top is not None and (moved is None or top < moved):
                moved = top
        self._moved_from(moved)
        super().dataChanged(top_left, bottom_right, list(roles))

    def _moved_from(self, top: int | None) -> None:
        """Cards from content height ``top`` down moved: new scroll range, repaint that part of the view."""
        self.updateGeometries()
        if top is None:
            return
        visible_top = top - self.verticalOffset()
        viewport = self.viewport()
        if visible_top < viewport.height():
            viewport.update(QRect(0, max(0, visible_top), viewport.width(), viewport.height()))

    def updateGeometries(self) -> None:  # noqa: N802 - Qt API
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setPageStep(max(1, page))
        bar.setSingleStep(self._single_step())
        bar.setRange(0, max(0, self._flow.height - page))
        super().updateGeometries()

    # -- where cards are ---------------------------------------------------------------
    def visualRect(self, index: Index) -> QRect:  # noqa: N802 - Qt API
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._flow):
            return QRect()
        x, y, w, h = self._flow.rect(row)
        return QRect(x, y - self.verticalOffset(), w, h)

    def indexAt(self, point: QPoint) -> QModelIndex:  # noqa: N802 - Qt API
        model = self.model()
        row = self._flow.row_at(point.x(), point.y() + self.verticalOffset())
        if model is None or row is None:
            return QModelIndex()
        return model.index(row, 0)

    def horizontalOffset(self) -> int:  # noqa: N802 - Qt API
        return 0

    def verticalOffset(self) -> int:  # noqa: N802 - Qt API
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: Index) -> bool:  # noqa: N802 - Qt API
        return False

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:  # noqa: N802
        model: QAbstractItemModel | None = self.model()
        if model is None:
            return
        offset = self.verticalOffset()
        selection = QItemSelection()
        for row in self._flow.rows_between(rect.top() + offset, rect.bottom() + offset + 1):
            if self.visualRect(model.index(row, 0)).intersects(rect.normalized()):
                selection.select(model.index(row, 0), model.index(row, 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:  # noqa: N802 - Qt API
        region = QRegion()
        for index in selection.indexes():
            region += self.visualRect(index)
        return region

    def moveCursor(self, action: Cursor, modifiers: Qt.KeyboardModifier) -> QModelIndex:  # noqa: N802
        """Arrows move one card, or to the card above or below; Home/End to the first and last."""
        model = self.model()
        count = len(self._flow)
        if model is None or count == 0:
            return QModelIndex()
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        if action in (Cursor.MoveLeft, Cursor.MovePrevious):
            row -= 1
        elif action in (Cursor.MoveRight, Cursor.MoveNext):
            row += 1
        elif action in (Cursor.MoveUp, Cursor.MoveDown):
            row = self._row_beside(row, -1 if action == Cursor.MoveUp else 1)
        elif action == Cursor.MoveHome:
            row = 0
        elif action == Cursor.MoveEnd:
            row = count - 1
        return model.index(max(0, min(count - 1, row)), 0)

    def _row_beside(self, row: int, step: int) -> int:
        """The card on the line above (step -1) or below (+1) under the middle of card ``row``."""
        line = self._flow.line_of(row) + step
        if not 0 <= line < self._flow.lines():
            return row
        x, _, w, _ = self._flow.rect(row)
        middle = x + w // 2
        rows = self._flow.line_rows(line)
        for other in rows:
            ox, _, ow, _ = self._flow.rect(other)
            if ox <= middle < ox + ow:
                return other
        return rows.stop - 1

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """Paint the cards on the lines in the damaged part of the view, and only those."""
        model: QAbstractItemModel | None = self.model()
        delegate: QAbstractItemDelegate | None = self.itemDelegate()
        if model is None or delegate is None:
            return
        damaged = event.rect()
        offset = self.verticalOffset()
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        base_state = option.state
        selection = self.selectionModel()
        current = self.currentIndex()
        focused = self.hasFocus()
        painter = QPainter(self.viewport())
        for row in self._flow.rows_between(damaged.top() + offset, damaged.bottom() + offset + 1):
            index = model.index(row, 0)
            x, y, w, h = self._flow.rect(row)
            option.rect = QRect(x, y - offset, w, h)
            if not option.rect.intersects(damaged):
                continue
            state = base_state
            if selection.isSelected(index):
                state |= QStyle.StateFlag.State_Selected
            if focused and index == current:
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state
            delegate.paint(painter, option, index)
        painter.end()
