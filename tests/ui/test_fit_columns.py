"""FitColumns: optional columns step aside at a narrow counter, and a refit leaves the table alone when nothing moved."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from kiosk.ui.widgets.fit_columns import FitColumns

HEADERS = ["Order", "Amount", "Status", "Method", "Time"]
ROW = ["T1-009", "Rp 1.250.000", "paid", "qris (scanned)", "12:03"]


def narrow_table(qtbot: QtBot, width: int) -> tuple[QTableView, FitColumns]:
    model = QStandardItemModel(0, len(HEADERS))
    model.setHorizontalHeaderLabels(HEADERS)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    model.setParent(table)
    for _ in range(5):
        model.appendRow([QStandardItem(text) for text in ROW])
    fit = FitColumns(table, stretch=0, optional=[3, 4])
    table.resize(width, 300)
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(lambda: not fit.pending())
    return table, fit


def test_a_narrow_table_hides_the_optional_columns_first_to_go_first(qtbot: QtBot) -> None:
    _wide, wide_fit = narrow_table(qtbot, 900)
    assert wide_fit.hidden() == []
    table, fit = narrow_table(qtbot, 330)
    assert 3 in fit.hidden()
    assert not table.isColumnHidden(1) and not table.isColumnHidden(2)  # amount and status stay


def test_a_refit_with_nothing_changed_shows_and_hides_nothing(qtbot: QtBot) -> None:
    table, fit = narrow_table(qtbot, 330)
    hidden = fit.hidden()
    assert hidden, "the table should be narrow enough to hide a column"
    resized: list[tuple[int, int, int]] = []
    table.horizontalHeader().sectionResized.connect(
        lambda column, old, new: resized.append((column, old, new))
    )
    fit.refit()
    assert fit.hidden() == hidden
    assert [event for event in resized if event[0] in hidden] == [], (
        "a hidden column was shown to be measured"
    )
