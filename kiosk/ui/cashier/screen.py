"""The cashier counter (room ``kasir-N``): the latest receipt, the shift's list, the totals.

Each ``payment:processed`` opens its receipt at once (the cashier is usually
mid-conversation with the customer and needs the change amount now); a
``payment:refunded`` opens a refund slip.  Older receipts open from the list.
Printing goes through ``PrintService`` on a worker thread; its outcome
appears under the receipt, in red when it failed, so a jammed printer is
noticed before the customer walks away.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.core.store import Notice
from kiosk.protocol import Event, Payment, ProtocolError, RoomKind, parse_room
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge
from kiosk.ui.cashier.payments_model import PaymentsModel, of_counter
from kiosk.ui.cashier.receipt_view import ReceiptView
from kiosk.ui.cashier.totals_panel import TotalsPanel
from kiosk.ui.printing import PrintJob, PrintService, Receipt, ReceiptKind
from kiosk.ui.widgets.elided_label import ElidedLabel

log = logging.getLogger("kiosk.ui")

_PAYMENT_EVENTS = {Event.PAYMENT_PROCESSED: ReceiptKind.PAYMENT, Event.PAYMENT_REFUNDED: ReceiptKind.REFUND}


def counter_of(room: str) -> int | None:
    """The counter number of a ``kasir-N`` room (None for any other room: show every counter)."""
    try:
        parsed = parse_room(room)
    except ProtocolError:
        return None
    return parsed.id if parsed.kind is RoomKind.KASIR else None


class CashierScreen(QWidget):
    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cashierScreen")
        self._session = session
        self._clock = clock
        self.counter_id = counter_of(config.room)
        self.model = PaymentsModel(of_counter(self.counter_id), self)
        self.model.reset(session.store.payments.values())

        self.receipt_view = ReceiptView(self)
        self.list_heading = ElidedLabel("", self)
        self.list_heading.setProperty("role", "heading")
        self.table = QTableView(self)
        self.table.setObjectName("transactions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.totals = TotalsPanel(self)
        self.totals.show_totals(self.model.totals)

        right = QVBoxLayout()
        right.addWidget(self.list_heading)
        right.addWidget(self.table, 1)
        right.addWidget(self.totals)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.receipt_view, 3)
        layout.addLayout(right, 2)

        # PDFs go to Documents/Kiosk receipts, where a cashier can find them (see receipts_dir)
        self.printer = PrintService(
            config.printer, parent=self, shop_name=config.shop_name, shop_address=config.shop_address
        )
        self.printer.done.connect(self._print_done)
        self.printer.failed.connect(self._print_failed)
        self.receipt_view.printRequested.connect(self.print_receipt)
        self.receipt_view.pdfRequested.connect(self.save_pdf)
        # Ctrl+P (and a receipt printer's "print" key mapped to it) prints the receipt on screen
        self.print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self.print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_shortcut.activated.connect(self.receipt_view.print_button.click)
        self.model.totalsChanged.connect(self.totals.show_totals)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self.model.apply_changes)
        self.bridge.notice.connect(self._on_notice)
        self._retranslate()
        if self.model.rowCount():  # after a restart: the last receipt, ready to reprint
            self.receipt_view.show_receipt(Receipt.from_payment(self.model.payment_at(0)))

    # -- what the window and the state dump use ---------------------------------
    def state_extra(self) -> dict[str, Any]:
        receipt = self.receipt_view.receipt
        totals = self.model.totals
        return {
            "counter": self.counter_id,
            "receipt": None
            if receipt is None
            else {
                "kind": receipt.kind.value,
                "payment_id": receipt.payment_id,
                "order_number": receipt.order_number,
                "total": receipt.total,
                "paid": receipt.paid,
                "change": receipt.change,
            },
            "transactions": self.model.rowCount(),
            "totals": {"by_method": totals.by_method, "refunds": totals.refunds, "net": totals.net},
        }

    def hidden_count(self) -> int:
        return 0

    def tick(self) -> None:
        """Nothing ages on a cashier screen; present so every screen has the same hooks."""

    def focus_order(self, key: EntityId) -> bool:
        """Open the receipt of an order's payment (a toast was clicked)."""
        for row, payment in enumerate(self.model.payments()):
            if key in (payment.order_id, payment.id):
                self.table.selectRow(row)
                return True
        return False

    # -- receipts ---------------------------------------------------------------
    def show_payment(self, payment: Payment, kind: ReceiptKind | None = None) -> None:
        self.receipt_view.show_receipt(Receipt.from_payment(payment, kind=kind))
        row = self.model.row_of(payment.id)
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(self.model.index(row, 0))

    def print_receipt(self, receipt: Receipt) -> PrintJob:
        job = self.printer.print_receipt(receipt)
        self.receipt_view.set_print_status(self.tr("Printing to %1…").replace("%1", job.target))
        return job

    def save_pdf(self, receipt: Receipt) -> PrintJob:
        job = self.printer.save_pdf(receipt)
        self.receipt_view.set_print_status(self.tr("Saving %1…").replace("%1", job.target))
        return job

    # -- internals ----------------------------------------------------------------
    def _on_notice(self, notice: Notice) -> None:
        kind = _PAYMENT_EVENTS.get(notice.event)
        payment = notice.entity
        if kind is None or not isinstance(payment, Payment):
            return
        if self.counter_id is not None and payment.counter_id not in (None, self.counter_id):
            return
        log.info("%s for order %s: showing the %s", notice.event.value, payment.order_number, kind.value)
        self.show_payment(payment, kind)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes: list[QModelIndex] = selected.indexes()
        if indexes:
            self.receipt_view.show_receipt(Receipt.from_payment(self.model.payment_at(indexes[0].row())))

    def _print_done(self, job: PrintJob) -> None:
        if self.receipt_view.receipt is not None:
            self.receipt_view.set_print_status(job.outcome)  # "Saved as PDF: /path" or "Printed on ..."

    def _print_failed(self, job: PrintJob) -> None:
        self.receipt_view.set_print_status(job.outcome, error=True)

    def _retranslate(self) -> None:
        self.list_heading.setText(self.tr("Transactions this shift"))
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.printer.close(wait=False)
        self.bridge.close()
        super().closeEvent(event)


__all__ = ["CashierScreen", "counter_of"]
