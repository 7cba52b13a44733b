"""What a receipt says, once, for the screen, the PDF and the thermal printer.

``Receipt`` is the data taken from a payment event (the server sends the full
payment with its full order, so nothing here has to be looked up).
``receipt_text`` turns it into translated label/value rows; the screen view,
the Qt print renderer and the ESC/POS writer all lay out those same rows, so
a cashier never sees one change amount on screen and another on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import QCoreApplication

from kiosk.core.formatting import format_rupiah
from kiosk.protocol import Payment, PaymentMethod, PaymentStatus
from kiosk.ui.i18n import fill


class ReceiptKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    qty: int
    unit_price: int
    notes: str = ""
    modifiers: tuple[str, ...] = ()

    @property
    def amount(self) -> int:
        return self.qty * self.unit_price


@dataclass(frozen=True, slots=True)
class Receipt:
    kind: ReceiptKind
    payment_id: int | str
    order_number: str
    counter_id: int | None
    tenant_id: int | None
    customer_name: str
    lines: tuple[ReceiptLine, ...]
    total: int
    paid: int
    change: int
    method: str
    reference: str
    time: datetime | None
    refund_reason: str | None = None
    shop_name: str = ""  # printed at the top when set (settings ``shop_name`` / ``shop_address``)
    shop_address: str = ""

    def with_shop(self, name: str, address: str) -> Receipt:
        """This receipt headed with the shop's name and address (one already on it is kept)."""
        if self.shop_name or self.shop_address or not (name.strip() or address.strip()):
            return self
        return replace(self, shop_name=name.strip(), shop_address=address.strip())

    @classmethod
    def from_payment(cls, payment: Payment, *, kind: ReceiptKind | None = None) -> Receipt:
        """A receipt (or, for a refunded payment, a refund slip) for one payment."""
        if kind is None:
            refunded = payment.status == PaymentStatus.REFUNDED.value
            kind = ReceiptKind.REFUND if refunded else ReceiptKind.PAYMENT
        order = payment.order
        lines = tuple(
            ReceiptLine(item.name, item.qty, item.price, item.notes, tuple(item.modifiers))
            for item in (order.items if order is not None else ())
        )
        when = payment.refunded_at if kind is ReceiptKind.REFUND else payment.created_at
        return cls(
            kind=kind,
            payment_id=payment.id,
            order_number=payment.order_number
            or (order.order_number if order else "")
            or str(payment.order_id),
            counter_id=payment.counter_id,
            tenant_id=payment.tenant_id
            if payment.tenant_id is not None
            else (order.tenant_id if order else None),
            customer_name=order.customer_name if order is not None else "",
            lines=lines,
            total=payment.amount,
            paid=payment.amount_paid,
            change=payment.change,
            method=payment.payment_method,
            reference=payment.reference,
            time=when or payment.created_at,
            refund_reason=payment.refund_reason,
        )


@dataclass(frozen=True, slots=True)
class ReceiptText:
    """Translated, formatted rows, ready for any layout."""

    title: str
    header: tuple[tuple[str, str], ...]  # (label, value)
    items: tuple[tuple[str, str], ...]  # ("2 x Nasi Goreng", "Rp 50.000"), notes as ("  catatan", "")
    totals: tuple[tuple[str, str], ...]
    footer: str
    shop_name: str = ""  # above the title, when the shop is configured
    shop_address: tuple[str, ...] = ()  # its lines

    def plain(self) -> str:
        """Plain text, one row a line: for logs, the clipboard and tests."""
        rows = [self.shop_name] if self.shop_name else []
        rows += list(self.shop_address)
        rows.append(self.title)
        rows += [f"{label}: {value}" for label, value in self.header]
        rows += [f"{left} {right}".rstrip() for left, right in self.items]
        rows += [f"{label}: {value}" for label, value in self.totals]
        rows.append(self.footer)
        return "\n".join(rows)


def method_name(method: str) -> str:
    names = {
        PaymentMethod.CASH.value: QCoreApplication.translate("Receipt", "Cash"),
        PaymentMethod.QRIS.value: QCoreApplication.translate("Receipt", "QRIS"),
        PaymentMethod.CARD.value: QCoreApplication.translate("Receipt", "Card"),
        PaymentMethod.EWALLET.value: QCoreApplication.translate("Receipt", "E-wallet"),
        PaymentMethod.TRANSFER.value: QCoreApplication.translate("Receipt", "Bank transfer"),
    }
    return names.get(method, method)


def format_receipt_time(moment: datetime | None) -> str:
    """Local date and time on paper: a receipt is read days later, unlike a card."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def receipt_text(receipt: Receipt) -> ReceiptText:
    refund = receipt.kind is ReceiptKind.REFUND
    title = (
        QCoreApplication.translate("Receipt", "REFUND SLIP")
        if refund
        else QCoreApplication.translate("Receipt", "RECEIPT")
    )
    header: list[tuple[str, str]] = [(QCoreApplication.translate("Receipt", "Order"), receipt.order_number)]
    if receipt.customer_name:
        header.append((QCoreApplication.translate("Receipt", "Customer"), receipt.customer_name))
    if receipt.counter_id is not None:
        header.append(
            (
                QCoreApplication.translate("Receipt", "Counter"),
                fill(QCoreApplication.translate("Receipt", "Cashier %1"), str(receipt.counter_id)),
            )
        )
    header.append((QCoreApplication.translate("Receipt", "Time"), format_receipt_time(receipt.time)))
    items: list[tuple[str, str]] = []
    for line in receipt.lines:
        items.append((f"{line.qty} x {line.name}", format_rupiah(line.amount)))
        extras = [*line.modifiers, line.notes] if line.notes else list(line.modifiers)
        items.extend((f"   {extra}", "") for extra in extras)
    totals: list[tuple[str, str]] = [
        (QCoreApplication.translate("Receipt", "Total"), format_rupiah(receipt.total))
    ]
    if refund:
        totals.append((QCoreApplication.translate("Receipt", "Refunded"), format_rupiah(-receipt.total)))
        if receipt.refund_reason:
            totals.append((QCoreApplication.translate("Receipt", "Reason"), receipt.refund_reason))
    else:
        totals.append((QCoreApplication.translate("Receipt", "Paid"), format_rupiah(receipt.paid)))
        totals.append((QCoreApplication.translate("Receipt", "Change"), format_rupiah(receipt.change)))
    totals.append((QCoreApplication.translate("Receipt", "Method"), method_name(receipt.method)))
    if receipt.reference:
        totals.append((QCoreApplication.translate("Receipt", "Reference"), receipt.reference))
    footer = (
        QCoreApplication.translate("Receipt", "Refund processed")
        if refund
        else QCoreApplication.translate("Receipt", "Thank you!")
    )
    address = tuple(line.strip() for line in receipt.shop_address.splitlines() if line.strip())
    return ReceiptText(
        title, tuple(header), tuple(items), tuple(totals), footer, receipt.shop_name.strip(), address
    )
