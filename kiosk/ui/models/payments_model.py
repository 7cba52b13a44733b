"""The shift's transactions as a Qt table, and their totals by payment method (cashier and stall).

The table follows the store's payment Changes one row at a time (insert,
update, remove), newest first, so a busy counter's list never resets under
the cashier's finger.  A kasir screen only shows its own counter's payments;
the server already routes only those to ``kasir-N``, the filter here keeps a
snapshot or a shared display token from mixing counters.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from kiosk.core.formatting import format_clock, format_rupiah
from kiosk.core.store import Change
from kiosk.protocol import Payment, PaymentStatus
from kiosk.protocol.models import EntityId
from kiosk.ui.printing.receipt import method_name

Index = QModelIndex | QPersistentModelIndex
PAYMENT_ROLE = int(Qt.ItemDataRole.UserRole) + 1


@dataclass(frozen=True)
class ShiftTotals:
    """Money of a shift as a cashier counts it: taken per method, less refunds, is the net.

    A refunded payment was taken (under its method) and then given back, so it
    appears in both lines and the panel adds up: methods − refunds = net.
    (Before, a refunded payment vanished from its method *and* was subtracted
    as a refund, so the lines on screen did not add up to the net shown.)
    """

    by_method: dict[str, int] = field(default_factory=dict)
    count: int = 0  # payments taken, refunded ones included
    refunds: int = 0
    refund_count: int = 0

    @property
    def gross(self) -> int:
        return sum(self.by_method.values())

    @property
    def net(self) -> int:
        return self.gross - self.refunds


def shift_totals(payments: Iterable[Payment]) -> ShiftTotals:
    """Totals of a shift: every payment taken under its method; refunded ones also as refunds."""
    by_method: dict[str, int] = {}
    count = refunds = refund_count = 0
    for payment in payments:
        if payment.status not in (PaymentStatus.PAID.value, PaymentStatus.REFUNDED.value):
            continue
        by_method[payment.payment_method] = by_method.get(payment.payment_method, 0) + payment.amount
        count += 1
        if payment.status == PaymentStatus.REFUNDED.value:
            refunds += payment.amount
            refund_count += 1
    return ShiftTotals(dict(sorted(by_method.items())), count, refunds, refund_count)


def _key(payment: Payment) -> tuple[float, str]:
    """Newest first; ties (and payments without a time) ordered by id."""
    stamp = payment.created_at.timestamp() if payment.created_at is not None else 0.0
    return (-stamp, f"{payment.id!s:>20}")


def of_counter(counter_id: int | None) -> Callable[[Payment], bool]:
    """Payments taken at one counter (all when None; payments without a counter are kept)."""
    return lambda payment: counter_id is None or payment.counter_id in (None, counter_id)


def of_tenant(tenant_id: int | None) -> Callable[[Payment], bool]:
    """Payments for one tenant's orders (all when None)."""

    def include(payment: Payment) -> bool:
        if tenant_id is None:
            return True
        owner = payment.tenant_id
        if owner is None and payment.order is not None:
            owner = payment.order.tenant_id
        return owner == tenant_id

    return include


class PaymentsModel(QAbstractTableModel):
    """The payments ``include`` accepts, newest first."""

    COLUMNS = ("time", "order", "method", "amount", "status")
    totalsChanged = Signal(object)  # noqa: N815 - Qt naming; ShiftTotals

    def __init__(self, include: Callable[[Payment], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._include = include
        self._rows: list[Payment] = []
        self._keys: list[tuple[float, str]] = []
        self._by_id: dict[EntityId, Payment] = {}
        self.totals = ShiftTotals()

    # -- Qt model API --------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        titles = (self.tr("Time"), self.tr("Order"), self.tr("Method"), self.tr("Amount"), self.tr("Status"))
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        payment = self._rows[index.row()]
        if role == PAYMENT_ROLE:
            return payment
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "amount":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._cell_text(payment, column)

    def _cell_text(self, payment: Payment, column: str) -> str:
        refunded = payment.status == PaymentStatus.REFUNDED.value
        texts = {
            "time": format_clock(payment.created_at) if payment.created_at else "-",
            "order": payment.order_number or str(payment.order_id),
            "method": method_name(payment.payment_method),
            "amount": format_rupiah(-payment.amount if refunded else payment.amount),
            "status": self.tr("refunded") if refunded else self.tr("paid"),
        }
        return texts[column]

    # -- reading -------------------------------------------------------------
    def payment_at(self, row: int) -> Payment:
        return self._rows[row]

    def row_of(self, key: EntityId) -> int | None:
        payment = self._by_id.get(key)
        return None if payment is None else bisect.bisect_left(self._keys, _key(payment))

    def payments(self) -> Sequence[Payment]:
        return self._rows

    # -- writing -------------------------------------------------------------
    def reset(self, payments: Iterable[Payment]) -> None:
        self.beginResetModel()
        mine = sorted((p for p in payments if self._mine(p)), key=_key)
        self._rows = mine
        self._keys = [_key(p) for p in mine]
        self._by_id = {p.id: p for p in mine}
        self.endResetModel()
        self._retotal()

    def apply_changes(self, changes: Sequence[Change]) -> None:
        touched = False
        for change in changes:
            if change.collection != "payments":
                continue
            touched = True
            new = change.new
            if isinstance(new, Payment) and self._mine(new):
                self._upsert(new)
            else:
                self._drop(change.key)
        if touched:
            self._retotal()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1))

    # -- internals -----------------------------------------------------------
    def _mine(self, payment: Payment) -> bool:
        return self._include(payment)

    def _upsert(self, payment: Payment) -> None:
        held = self._by_id.get(payment.id)
        if held is not None and _key(held) == _key(payment):
            row = bisect.bisect_left(self._keys, _key(held))
            self._rows[row] = payment
            self._by_id[payment.id] = payment
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            return
        if held is not None:
            self._drop(payment.id)
        key = _key(payment)
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, payment)
        self._keys.insert(row, key)
        self._by_id[payment.id] = payment
        self.endInsertRows()

    def _drop(self, key: EntityId) -> None:
        payment = self._by_id.pop(key, None)
        if payment is None:
            return
        row = bisect.bisect_left(self._keys, _key(payment))
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        self.endRemoveRows()

    def _retotal(self) -> None:
        self.totals = shift_totals(self._rows)
        self.totalsChanged.emit(self.totals)
