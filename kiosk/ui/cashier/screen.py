"""The cashier counter (room ``kasir-N``): the latest receipt, the shift's list, the totals.

Each ``payment:processed`` opens its receipt at once (the cashier is usually
mid-conversation with the customer and needs the change amount now); a
``payment:refunded`` opens a refund slip.  Older receipts open from the list.
Printing goes through ``PrintService`` on a worker thread; its outcome
appears under the receipt, in red when it failed, so a jammed printer is
noticed before the customer walks away.

Refund… under a paid receipt asks for a reason and a confirmation
(``RefundDialog``) and sends it through the Session; the list, the totals and
the refund slip change with the server's ``payment:refunded`` event, so the
screen never shows money as given back that the server has not recorded.

The window's header shows ``summary_text()`` (the net and the counts of the
day's payments here) instead of an open-order count: a kasir room receives no
order events, so that count was always 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.formatting import format_rupiah
from kiosk.core.session import Session
from kiosk.core.store import Change, Notice
from kiosk.protocol import Event, Payment, PaymentStatus, ProtocolError, RoomKind, parse_room
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge, fire
from kiosk.ui.cashier.receipt_view import ReceiptView
from kiosk.ui.cashier.refund_dialog import RefundDialog
from kiosk.ui.cashier.totals_panel import TotalsPanel
from kiosk.ui.i18n import fill
from kiosk.ui.models.payments_model import PaymentsModel, of_counter
from kiosk.ui.printing import PrintJob, PrintService, Receipt, ReceiptKind
from kiosk.ui.refusals import refund_refusal_text
from kiosk.ui.screen_base import Screen
from kiosk.ui.widgets.elided_label import ElidedLabel
from kiosk.ui.widgets.fit_columns import FitColumns
from kiosk.ui.widgets.header import SUMMARY_SEPARATOR

log = logging.getLogger("kiosk.ui")

_PAYMENT_EVENTS = {Event.PAYMENT_PROCESSED: ReceiptKind.PAYMENT, Event.PAYMENT_REFUNDED: ReceiptKind.REFUND}


def counter_of(room: str) -> int | None:
    """The counter number of a ``kasir-N`` room (None for any other room: show every counter)."""
    try:
        parsed = parse_room(room)
    except ProtocolError:
        return None
    return parsed.id if parsed.kind is RoomKind.KASIR else None


def refundable(payment: Payment | None) -> bool:
    """Only a payment the server holds as paid can be refunded (once)."""
    return payment is not None and payment.status == PaymentStatus.PAID.value


class CashierScreen(Screen):
    """The counter's screen; ``summaryChanged`` fires with the totals, and the window reads ``summary_text()``."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("cashierScreen")
        self._session = session
        self._clock = clock
        self.refund_dialog: RefundDialog | None = None
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
        # Amount and status always in view, never behind a sideways scroll: at a narrow counter
        # the method, then the time, step aside (the receipt shows both).
        columns = PaymentsModel.COLUMNS
        self.fit_columns = FitColumns(
            self.table,
            stretch=columns.index("order"),
            optional=(columns.index("method"), columns.index("time")),
        )
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
        self.receipt_view.refundRequested.connect(self.ask_refund)
        # Ctrl+P (and a receipt printer's "print" key mapped to it) prints the receipt on screen
        self.print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self.print_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_shortcut.activated.connect(self.receipt_view.print_button.click)
        self.model.totalsChanged.connect(self.totals.show_totals)
        self.model.totalsChanged.connect(lambda _totals: self.summaryChanged.emit())
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self.model.apply_changes)
        self.bridge.changes.connect(self._after_changes)
        self.bridge.notice.connect(self._on_notice)
        self._retranslate()
        self._show_latest_if_none()

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

    def summary_text(self) -> str:
        """The header's line: the day's net first (the figure a cashier hands over), then the counts.

        Net first: on a narrow screen the header drops the counts, a whole part at a time, and
        never cuts the net.
        """
        totals = self.model.totals
        if not totals.count:
            return self.tr("No payments yet this shift")
        parts = [
            fill(self.tr("Net %1"), format_rupiah(totals.net)),
            self.tr("%n payment(s)", "", totals.count),
        ]
        if totals.refund_count:
            parts.append(self.tr("%n refund(s)", "", totals.refund_count))
        return SUMMARY_SEPARATOR.join(parts)

    def focus_order(self, key: EntityId) -> bool:
        """Open the receipt of an order's payment (a toast was clicked)."""
        for row, payment in enumerate(self.model.payments()):
            if key in (payment.order_id, payment.id):
                self.table.selectRow(row)
                return True
        return False

    # -- receipts ---------------------------------------------------------------
    def show_payment(self, payment: Payment, kind: ReceiptKind | None = None) -> None:
        self._show(payment, kind)
        row = self.model.row_of(payment.id)
        if row is not None:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(self.model.index(row, 0))

    def print_receipt(self, receipt: Receipt) -> PrintJob:
        job = self.printer.print_receipt(receipt)
        self.receipt_view.set_print_status(fill(self.tr("Printing to %1…"), job.target))
        return job

    def save_pdf(self, receipt: Receipt) -> PrintJob:
        job = self.printer.save_pdf(receipt)
        self.receipt_view.set_print_status(fill(self.tr("Saving %1…"), job.target))
        return job

    # -- refunds ----------------------------------------------------------------
    def ask_refund(self, receipt: Receipt) -> RefundDialog | None:
        """Refund… was pressed: ask for a reason and a confirmation (non-modal to the loop: ``open()``)."""
        payment = self._session.store.payments.get(receipt.payment_id)
        if payment is None or not refundable(payment) or receipt.kind is not ReceiptKind.PAYMENT:
            log.info("refund of payment %s not offered: it is not a paid payment here", receipt.payment_id)
            self.receipt_view.set_refundable(False)
            return None
        if self.refund_dialog is not None:
            self.refund_dialog.raise_()
            return self.refund_dialog
        dialog = RefundDialog(payment, self)
        self.refund_dialog = dialog
        dialog.confirmed.connect(
            lambda reason: fire(self._refund(dialog, payment, reason), f"refund payment {payment.id}")
        )
        dialog.finished.connect(lambda _result: self._refund_dialog_closed(dialog))
        dialog.open()
        return dialog

    async def _refund(self, dialog: RefundDialog, payment: Payment, reason: str) -> None:
        log.info("counter %s: refund of order %s asked: %r", self.counter_id, payment.order_number, reason)
        outcome = await self._session.refund(payment.id, reason)
        if not shiboken6.isValid(dialog):  # the screen closed meanwhile
            return
        if outcome.ok:
            self.receipt_view.set_print_status(
                fill(self.tr("Order %1 refunded"), payment.order_number or str(payment.order_id))
            )
            dialog.finish()
            return
        dialog.show_refusal(refund_refusal_text(outcome.code, outcome.reason))

    def _refund_dialog_closed(self, dialog: RefundDialog) -> None:
        if self.refund_dialog is dialog:
            self.refund_dialog = None
        dialog.deleteLater()

    # -- internals ----------------------------------------------------------------
    def _show(self, payment: Payment, kind: ReceiptKind | None = None) -> None:
        receipt = Receipt.from_payment(payment, kind=kind)
        self.receipt_view.show_receipt(
            receipt, refundable=receipt.kind is ReceiptKind.PAYMENT and refundable(payment)
        )

    def _show_latest_if_none(self) -> None:
        """After a restart: the last receipt, ready to reprint (the snapshot arrives after the screen is built)."""
        if self.receipt_view.receipt is None and self.model.rowCount():
            self._show(self.model.payment_at(0))

    def _after_changes(self, changes: Sequence[Change]) -> None:
        self._show_latest_if_none()
        shown = self.receipt_view.receipt
        if shown is None:
            return
        for change in changes:
            if change.collection == "payments" and change.key == shown.payment_id:
                payment = change.new if isinstance(change.new, Payment) else None
                self.receipt_view.set_refundable(shown.kind is ReceiptKind.PAYMENT and refundable(payment))

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
            self._show(self.model.payment_at(indexes[0].row()))

    def _print_done(self, job: PrintJob) -> None:
        if self.receipt_view.receipt is not None:
            self.receipt_view.set_print_status(job.outcome)  # "Saved as PDF: /path" or "Printed on ..."

    def _print_failed(self, job: PrintJob) -> None:
        self.receipt_view.set_print_status(job.outcome, error=True)

    def _retranslate(self) -> None:
        self.list_heading.setText(self.tr("Transactions this shift"))
        self.model.retranslate()
        self.summaryChanged.emit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.printer.close(wait=False)
        self.bridge.close()
        super().closeEvent(event)


__all__ = ["CashierScreen", "counter_of"]
