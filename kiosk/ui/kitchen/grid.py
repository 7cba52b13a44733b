"""The card grid and the bump bar keys.

A ``QListView`` in icon mode flows fixed-size cards left to right, oldest
first.  Why a QListView with a painting delegate rather than a Qt Quick
GridView: both were within 1.5x of each other when measured, the widget view
shares the app's widgets, style sheet and screenshot path, and it cannot fall
into the OpenGL-on-llvmpipe trap that costs Qt Quick ~20x CPU on kiosk PCs
without a GPU.  Bump bars are plain USB
keyboards, so the keys are: 1–9 pick a card on the page, Enter/Space bump the
picked one (the oldest when none is picked), arrows move, R recalls the last
bumped order, PgUp/PgDn page.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from kiosk.ui.kitchen.card_delegate import CARD_SIZE

SPACING = 4
LAYOUT_BATCH = 100  # more than a 4K screen shows at once
BATCH_FROM = 400
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_BUMP_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space}


class CardGrid(QListView):
    bumpRequested = Signal(QModelIndex)  # noqa: N815 - Qt signal naming
    recallRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setBatchSize(LAYOUT_BATCH)
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

    def first_visible_row(self) -> int:
        index = self.indexAt(QPoint(SPACING + 2, SPACING + 2))
        return index.row() if index.isValid() else 0

    def page(self, direction: int) -> None:
        """Scroll by whole rows of cards filling the view, and pick the first card of the new page."""
        row_height = self.gridSize().height()
        rows_in_view = max(1, self.viewport().height() // row_height)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + direction * rows_in_view * row_height)
        self.select_row(self.first_visible_row(), scroll=False)

    def select_row(self, row: int, *, scroll: bool = True) -> bool:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return False
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if scroll:
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
        if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.page(1 if key == Qt.Key.Key_PageDown else -1)
            event.accept()
            return
        if key == Qt.Key.Key_R:
            self.recallRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)
