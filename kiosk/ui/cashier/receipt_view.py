"""The receipt on screen: the same rows as on paper, with the change in large type.

The cashier reads one number from across the counter - how much to hand
back - so it gets its own big line; everything else is the printed receipt,
row for row (``receipt_text``), so screen and paper never disagree.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.formatting import format_rupiah
from kiosk.ui.printing.receipt import Receipt, ReceiptKind, receipt_text
from kiosk.ui.widgets.elided_label import ElidedLabel


def _label(text: str, role: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names, notes and references come from the wire
    label.setText(text)
    if wrap:
        label.setWordWrap(True)
        # a word longer than the column (a reference, a path) is cut, never widens the window
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    if role:
        label.setProperty("role", role)
    return label


class ReceiptView(QFrame):
    """Shows one Receipt (or a placeholder) with Print, Save-PDF and Refund buttons.

    The rows scroll: a 40-item order must not make the window taller than the
    screen, and the change amount and the Print button stay in view.  Long
    names and notes wrap inside their column.
    """

    printRequested = Signal(object)  # noqa: N815 - Qt naming; Receipt
    pdfRequested = Signal(object)  # noqa: N815
    refundRequested = Signal(object)  # noqa: N815 - Receipt; the screen decides whether it may be refunded

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptView")
        self.setProperty("role", "panel")
        self.receipt: Receipt | None = None
        self.refundable = False  # set by the screen, which knows the payment's state

        self.title = _label("", "heading", self)
        self.order_number = ElidedLabel("", self)
        self.order_number.setProperty("role", "big")
        self.order_number.setObjectName("receiptOrderNumber")
        self.change_caption = _label("", "muted", self)
        self.change_amount = _label("", "change", self)
        self.change_amount.setObjectName("receiptChange")
        self.rows_scroll = self._rows_area()
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printButton")
        self.print_button.setProperty("action", "print")
        self.pdf_button = QPushButton(self)
        self.pdf_button.setObjectName("pdfButton")
        self.refund_button = QPushButton(self)
        self.refund_button.setObjectName("refundButton")
        self.refund_button.setProperty("action", "cancel")  # red, like the other irreversible actions
        self.print_status = _label("", "muted", self, wrap=True)
        self.print_status.setObjectName("printStatus")
        self.print_button.clicked.connect(lambda: self._request(self.printRequested))
        self.pdf_button.clicked.connect(lambda: self._request(self.pdfRequested))
        self.refund_button.clicked.connect(lambda: self._request(self.refundRequested))
        for button in (self.print_button, self.pdf_button, self.refund_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays with the screen

        top = QHBoxLayout()
        top.addWidget(self.order_number, 1)
        change_box = QVBoxLayout()
        change_box.addWidget(self.change_caption, 0, Qt.AlignmentFlag.AlignRight)
        change_box.addWidget(self.change_amount, 0, Qt.AlignmentFlag.AlignRight)
        top.addLayout(change_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)  # Refund apart from Print: a hurried tap does not give money back
        buttons.addWidget(self.refund_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.rows_scroll, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.print_status)
        self._render()

    def _rows_area(self) -> QScrollArea:
        """The receipt's rows in a grid that scrolls up and down (never sideways)."""
        self.rows_widget = QWidget()
        self.rows_widget.setObjectName("receiptRows")
        self.rows = QGridLayout(self.rows_widget)
        self.rows.setContentsMargins(0, 0, 8, 0)
        self.rows.setHorizontalSpacing(24)
        self.rows.setColumnStretch(0, 3)
        self.rows.setColumnStretch(1, 2)
        self.rows.setAlignment(Qt.AlignmentFlag.AlignTop)
        area = QScrollArea(self)
        area.setObjectName("receiptScroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(self.rows_widget)
        return area

    def show_receipt(self, receipt: Receipt | None, *, refundable: bool = False) -> None:
        self.receipt = receipt
        self.refundable = refundable
        self.print_status.setText("")
        self.print_status.setProperty("role", "muted")
        self._render()

    def set_refundable(self, refundable: bool) -> None:
        self.refundable = refundable
        self.refund_button.setEnabled(self.receipt is not None and refundable)

    def set_print_status(self, text: str, error: bool = False) -> None:
        self.print_status.setText(text)
        self.print_status.setProperty("role", "error" if error else "muted")
        self.print_status.style().unpolish(self.print_status)
        self.print_status.style().polish(self.print_status)

    def text(self) -> str:
        """What the view shows, as plain text ("label: value" a line), read back from its labels."""
        lines = [
            self.title.text(),
            self.order_number.text(),
            f"{self.change_caption.text()} {self.change_amount.text()}",
        ]
        for row in range(self.rows.rowCount()):
            cells = []
            for column in range(2):
                item = self.rows.itemAtPosition(row, column)
                widget = item.widget() if item is not None else None
                if isinstance(widget, QLabel) and widget.text():
                    cells.append(widget.text())
            if cells:
                lines.append(": ".join(cells))
        return "\n".join(line for line in lines if line.strip())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    # -- internals ----------------------------------------------------------
    def _request(self, signal: SignalInstance) -> None:
        if self.receipt is not None:
            signal.emit(self.receipt)

    def _render(self) -> None:
        self.print_button.setText(self.tr("Print"))
        self.pdf_button.setText(self.tr("Save PDF"))
        self.refund_button.setText(self.tr("Refund…"))
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        receipt = self.receipt
        self.print_button.setEnabled(receipt is not None)
        self.pdf_button.setEnabled(receipt is not None)
        self.refund_button.setEnabled(receipt is not None and self.refundable)
        if receipt is None:
            self.title.setText(self.tr("Waiting for payments…"))
            for label in (self.order_number, self.change_caption, self.change_amount):
                label.setText("")
            self.setProperty("kind", "")
            return
        text = receipt_text(receipt)
        refund = receipt.kind is ReceiptKind.REFUND
        self.setProperty("kind", "refund" if refund else "payment")
        self.style().unpolish(self)
        self.style().polish(self)
        self.title.setText(text.title)
        self.order_number.setText(receipt.order_number)
        if refund:
            self.change_caption.setText(self.tr("Refund"))
            self.change_amount.setText(format_rupiah(-receipt.total))
            self.change_amount.setProperty("role", "refund")
        else:
            self.change_caption.setText(self.tr("Change"))
            self.change_amount.setText(format_rupiah(receipt.change))
            self.change_amount.setProperty("role", "change")
        self.change_amount.style().unpolish(self.change_amount)
        self.change_amount.style().polish(self.change_amount)
        row = 0
        for section in (text.header, text.items, text.totals):
            for left, right in section:
                self.rows.addWidget(_label(left, "", self.rows_widget, wrap=True), row, 0)
                value = _label(right, "", self.rows_widget, wrap=True)
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.rows.addWidget(value, row, 1)
                row += 1
            spacer = _label("", "", self.rows_widget)
            spacer.setFixedHeight(6)
            self.rows.addWidget(spacer, row, 0)
            row += 1
        footer = _label(text.footer, "muted", self.rows_widget)
        self.rows.addWidget(footer, row, 0, 1, 2, Qt.AlignmentFlag.AlignHCenter)
