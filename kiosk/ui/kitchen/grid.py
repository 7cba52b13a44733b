"""The card grid and the bump bar keys.

A ``QListView`` in icon mode flows fixed-size cards left to right, oldest
first; uniform item sizes keep layout O(1) per card.  Bump bars are plain USB
keyboards, so the keys are: 1–9 pick a card on the page, Enter/Space bump the
picked one (the oldest when none is picked), arrows move, R recalls the last
bumped order, PgUp/PgDn page.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from kiosk.ui.kitchen.card_delegate import CARD_SIZE

SPACING = 4
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_BUMP_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}


class CardGrid(QListView):
    bumpRequested = Signal(QModelIndex)  # noqa: N815 - Qt signal naming
    recallRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(CARD_SIZE + QSize(SPACING, SPACING))
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(False)
        self.setMouseTracking(False)
        self.clicked.connect(self.bumpRequested.emit)

    def first_visible_row(self) -> int:
        index = self.indexAt(QPoint(SPACING + 2, SPACING + 2))
        return index.row() if index.isValid() else 0

    def select_row(self, row: int) -> bool:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return False
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)
        return True

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
        if key == Qt.Key.Key_R:
            self.recallRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
