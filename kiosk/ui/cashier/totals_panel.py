"""The shift's totals by payment method, refunds apart, and the net a cashier hands over.

Every text is shown whole, at 1024x768 in Indonesian too.  The labels never
wrap ("Dompet digital" and "Pengembalian dana (1)" used to lose their second
line in a grid that did not grow for it, and a long word was cut); instead a
row whose label and amount do not fit side by side puts the amount on the line
below it (``QFormLayout.WrapLongRows``), and the net is in bold body type
rather than heading type, so its label needs a third of the width it did.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.core.formatting import format_rupiah
from kiosk.ui.models.payments_model import ShiftTotals
from kiosk.ui.printing.receipt import method_name
from kiosk.ui.widgets.plain_label import PlainLabel


class TotalsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        self.setProperty("role", "panel")
        self.heading = PlainLabel(parent=self)
        self.heading.setObjectName("totalsHeading")
        self.heading.setProperty("role", "heading")
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # the amount column takes the room the labels leave, so amounts line up at the right edge
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        self.totals = ShiftTotals()
        self.rows: list[tuple[str, str]] = []
        self._pairs: list[tuple[QLabel, QLabel]] = []
        self.show_totals(self.totals)

    def show_totals(self, totals: ShiftTotals) -> None:
        self.totals = totals
        self.heading.setText(self.tr("Shift totals"))
        rows = [(method_name(method), format_rupiah(amount)) for method, amount in totals.by_method.items()]
        if totals.refund_count:
            rows.append((self.tr("Refunds (%n)", "", totals.refund_count), format_rupiah(-totals.refunds)))
        rows.append((self.tr("Net total (%n payment(s))", "", totals.count), format_rupiah(totals.net)))
        self.rows = rows
        self._set_row_count(len(rows))
        for row, ((label_text, value_text), (label, value)) in enumerate(zip(rows, self._pairs, strict=True)):
            label.setText(label_text)
            value.setText(value_text)
            net = row == len(rows) - 1
            self._set_role(value, "money" if net else "")
            font = label.font()
            font.setBold(net)
            label.setFont(font)

    def text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.show_totals(self.totals)
        super().changeEvent(event)

    # -- internals ----------------------------------------------------------
    def _set_row_count(self, count: int) -> None:
        """Add or remove form rows; kept rows are reused (no flicker, no half-deleted labels on screen)."""
        while len(self._pairs) > count:
            self._pairs.pop()
            self.form.removeRow(self.form.rowCount() - 1)  # deletes its two labels
        while len(self._pairs) < count:
            label, value = PlainLabel(parent=self), PlainLabel(parent=self)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.form.addRow(label, value)
            self._pairs.append((label, value))

    @staticmethod
    def _set_role(label: QLabel, role: str) -> None:
        if label.property("role") == role:
            return
        label.setProperty("role", role)
        label.style().unpolish(label)
        label.style().polish(label)
