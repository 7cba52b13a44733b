"""Asks for a refund's reason and confirmation, then shows the server's answer before it closes.

Money goes back across the counter on what this dialog says, so it says
exactly what will happen: the order, the amount, and a confirm button that
reads "Refund Rp 50.000".  The reason is required (the server refuses a refund
without one, and the refund slip prints it).  While the request is out the
dialog cannot be closed: its answer is on its way, and a cashier who closed it
would not learn whether the refund was made.  A refusal stays in the dialog,
in the screen's language, so the cashier can read it and retry or give up.

Enter in the reason field does not confirm (the buttons are neither default
nor focusable, like every button of the window); Esc backs out.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.core.formatting import format_rupiah
from kiosk.protocol import Payment
from kiosk.ui.i18n import fill
from kiosk.ui.printing.receipt import method_name
from kiosk.ui.widgets.plain_label import PlainLabel

MAX_REASON = 200  # the server's limit (kiosk.protocol.requests.Reason)


class RefundDialog(QDialog):
    confirmed = Signal(str)  # the reason, stripped

    def __init__(self, payment: Payment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refundDialog")
        self.payment = payment
        self.busy = False
        self.prompt = PlainLabel(parent=self)
        self.prompt.setObjectName("refundPrompt")
        self.prompt.setProperty("role", "heading")
        self.prompt.setWordWrap(True)
        self.amount = PlainLabel(format_rupiah(payment.amount), self)
        self.amount.setObjectName("refundAmount")
        self.amount.setProperty("role", "refund")
        self.details = PlainLabel(parent=self)  # method and reference: which payment, beyond doubt
        self.details.setProperty("role", "muted")
        self.details.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("refundReason")
        self.reason_edit.setMaxLength(MAX_REASON)
        self.status = PlainLabel(parent=self)
        self.status.setObjectName("refundStatus")
        self.status.setWordWrap(True)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setObjectName("confirmRefund")
        self.confirm_button.setProperty("action", "cancel")  # the red of the other irreversible actions
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("keepPayment")
        for button in (self.confirm_button, self.back_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.setDefault(False)
        self.confirm_button.clicked.connect(self._confirm)
        self.back_button.clicked.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda _text: self._update_buttons())

        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.amount, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.details)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._retranslate()
        self._update_buttons()
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def set_busy(self, busy: bool) -> None:
        """While the server is being asked: nothing to press, nothing to edit, no closing."""
        self.busy = busy
        self.reason_edit.setReadOnly(busy)
        if busy:
            self._show_status(self.tr("Sending the refund to the server…"), error=False)
        self._update_buttons()

    def show_refusal(self, text: str) -> None:
        """The server (or the connection) said no: say why, and let the cashier retry or back out."""
        self.set_busy(False)
        self._show_status(text, error=True)

    def finish(self) -> None:
        """The server refunded it: close."""
        self.set_busy(False)
        self.accept()

    def reject(self) -> None:
        if self.busy:  # the answer is on its way; show it rather than leave the cashier guessing
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- internals ----------------------------------------------------------
    def _confirm(self) -> None:
        reason = self.reason()
        if not reason or self.busy:
            return
        self.set_busy(True)
        self.confirmed.emit(reason)

    def _update_buttons(self) -> None:
        self.confirm_button.setEnabled(bool(self.reason()) and not self.busy)
        self.back_button.setEnabled(not self.busy)

    def _show_status(self, text: str, *, error: bool) -> None:
        self.status.show_status(text, error=error)

    def _retranslate(self) -> None:
        payment = self.payment
        number = payment.order_number or str(payment.order_id)
        self.setWindowTitle(self.tr("Refund payment"))
        self.prompt.setText(fill(self.tr("Refund the payment of order %1?"), number))
        self.details.setText(
            " · ".join(part for part in (method_name(payment.payment_method), payment.reference) if part)
        )
        self.reason_edit.setPlaceholderText(self.tr("Reason (required)"))
        self.confirm_button.setText(fill(self.tr("Refund %1"), format_rupiah(payment.amount)))
        self.back_button.setText(self.tr("Don't refund"))
