"""A table's columns that always fit its width: optional columns step aside before anything scrolls.

A cashier at a 1024 px counter must see each payment's amount and status; a
sideways scroll bar hides them behind a gesture nobody makes.  ``FitColumns``
sizes every column to its contents, lets one column (the order number) take
what is left and end in "…", and when even that does not fit it hides the
optional columns, least needed first, bringing them back when there is room.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

MIN_STRETCH_PX = 80  # the stretching column keeps at least this much ("T1-009" whole)


class FitColumns(QObject):
    def __init__(
        self, table: QTableView, *, stretch: int, optional: Sequence[int], never: Sequence[int] = ()
    ) -> None:
        """``optional``: the columns that may hide, the first to go first; ``never``: not shown here."""
        super().__init__(table)
        self._table = table
        self._stretch = stretch
        self._optional = tuple(optional)
        self._never = frozenset(never)
        # Widths are set here from the contents, not by Qt's ResizeToContents, which does not
        # always measure rows inserted later (a late, larger amount showed as "Rp …").
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Refit after the layout settles, once per burst of changes (not per row).
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refit)
        table.viewport().installEventFilter(self)
        model = table.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged):
            signal.connect(self._timer.start)
        model.headerDataChanged.connect(self._timer.start)
        self._timer.start()

    def pending(self) -> bool:
        """A refit is due (the table changed since the last one)."""
        return self._timer.isActive()

    def hidden(self) -> list[int]:
        return [c for c in self._optional if self._table.isColumnHidden(c)]

    def refit(self) -> None:
        table = self._table
        available = table.viewport().width()
        columns = [c for c in range(table.model().columnCount()) if c not in self._never]
        widths = {c: self._needed(c) for c in columns}
        shown = set(columns)
        for column in self._optional:
            if sum(widths[c] for c in shown) <= available:
                break
            shown.discard(column)
        for column in range(table.model().columnCount()):
            if table.isColumnHidden(column) != (column not in shown):
                table.setColumnHidden(column, column not in shown)
            if column in shown and column != self._stretch:
                table.setColumnWidth(column, widths[column])

    def _needed(self, column: int) -> int:
        # sectionSizeHint says 0 for a hidden section; its contents measure the same hidden or not,
        # so a refit never shows a column only to measure it (each show and hide relaid the table).
        header_hint = self._table.horizontalHeader().sectionSizeFromContents(column).width()
        if column == self._stretch:
            return max(MIN_STRETCH_PX, header_hint)
        return max(self._table.sizeHintForColumn(column), header_hint)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self._timer.start()
        return False
