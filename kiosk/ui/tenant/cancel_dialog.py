"""Asks why an order is cancelled: the customer and the kitchen both see the reason.

Common reasons are one tap (gloved hands, a queue at the counter); a custom
reason can be typed.  OK stays disabled until there is a reason, because the
server refuses a cancel without one.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import fill
from kiosk.ui.widgets.plain_label import PlainLabel

MAX_REASON = 200


def quick_reasons() -> tuple[str, ...]:
    return (
        QCoreApplication.translate("CancelDialog", "Out of stock"),
        QCoreApplication.translate("CancelDialog", "Customer cancelled"),
        QCoreApplication.translate("CancelDialog", "Duplicate order"),
        QCoreApplication.translate("CancelDialog", "Stall closing"),
    )


class CancelDialog(QDialog):
    def __init__(self, order_number: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cancelDialog")
        self.order_number = order_number
        self.prompt = PlainLabel(parent=self)
        self.prompt.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("cancelReason")
        self.reason_edit.setMaxLength(MAX_REASON)
        self.quick = QGridLayout()
        self.quick_buttons: list[QPushButton] = []
        for position in range(len(quick_reasons())):
            button = QPushButton(self)
            button.clicked.connect(lambda _=False, p=position: self.reason_edit.setText(quick_reasons()[p]))
            self.quick.addWidget(button, position // 2, position % 2)
            self.quick_buttons.append(button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(self.quick)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self._retranslate()
        self._update_ok()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(bool(self.reason()))

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Cancel order"))
        self.prompt.setText(fill(self.tr("Why is order %1 cancelled?"), self.order_number))
        self.reason_edit.setPlaceholderText(self.tr("Reason (required)"))
        for button, text in zip(self.quick_buttons, quick_reasons(), strict=True):
            button.setText(text)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(self.tr("Cancel order"))
        back = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if back is not None:
            back.setText(self.tr("Keep order"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
