"""The shift's totals by payment method, refunds apart, and the net a cashier hands over."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.formatting import format_rupiah
from kiosk.ui.cashier.payments_model import ShiftTotals
from kiosk.ui.printing.receipt import method_name


class TotalsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        self.setProperty("role", "panel")
        self.heading = QLabel(self)
        self.heading.setProperty("role", "heading")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        self.totals = ShiftTotals()
        self.rows: list[tuple[str, str]] = []
        self.show_totals(self.totals)

    def show_totals(self, totals: ShiftTotals) -> None:
        self.totals = totals
        self.heading.setText(self.tr("Shift totals"))
        rows = [(method_name(method), format_rupiah(amount)) for method, amount in totals.by_method.items()]
        if totals.refund_count:
            rows.append((self.tr("Refunds (%n)", "", totals.refund_count), format_rupiah(-totals.refunds)))
        rows.append((self.tr("Net total (%n payment(s))", "", totals.count), format_rupiah(totals.net)))
        self.rows = rows
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for row, (label, value) in enumerate(rows):
            left, right = QLabel(label, self), QLabel(value, self)
            left.setWordWrap(True)  # a long label wraps; it never widens the window
            left.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            right.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row == len(rows) - 1:
                left.setProperty("role", "heading")
                right.setProperty("role", "money")
            self.grid.addWidget(left, row, 0)
            self.grid.addWidget(right, row, 1)

    def text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.show_totals(self.totals)
        super().changeEvent(event)
