"""The orders a screen shows, as a Qt list model over the store's own objects.

Why a hand-written model: the kitchen grid must stay smooth at thousands of
cards, so every store Change becomes the smallest Qt notification that is
true (one ``rowsInserted``, ``rowsRemoved`` or ``dataChanged`` for one row)
instead of a reset.  Views read the Python ``Order`` straight from
``order_at(row)`` (or ``ORDER_ROLE``): going through ``data()`` dicts copies
a QVariantMap per call (measured: see bench/ui_render.py).

The model is view-agnostic (a QListView delegate or a QML GridView can use
it) and knows nothing about the kitchen: what it includes, the tenant filter
and how long a cancelled order lingers struck-through are parameters, so the
tenant screen reuses it.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt, Signal

from kiosk.protocol import ACTIVE_STATUSES, Order, OrderStatus
from kiosk.protocol.status import Priority

log = logging.getLogger("kiosk.ui")

EntityId = int | str
Index = QModelIndex | QPersistentModelIndex
SortKey = tuple[Any, ...]  # compared element by element: sort_key's, or a screen's own (rush_first)

ORDER_ROLE = int(Qt.ItemDataRole.UserRole) + 1
STATUS_ROLE = ORDER_ROLE + 1
NUMBER_ROLE = ORDER_ROLE + 2
CUSTOMER_ROLE = ORDER_ROLE + 3

# A batch changing more orders than this and than the model holds (a snapshot, a long catch-up
# onto an empty screen) resets the model: nothing on screen is worth keeping, and one reset is cheaper.
BULK_THRESHOLD = 64


class ChangeLike(Protocol):
    """What the model needs of ``kiosk.core.store.Change`` (kept structural on purpose)."""

    @property
    def collection(self) -> str: ...
    @property
    def key(self) -> EntityId: ...
    @property
    def new(self) -> object: ...


def shown_in_grid(order: Order) -> bool:
    """Default inclusion: active orders, plus cancelled ones while they linger struck-through."""
    return order.status in ACTIVE_STATUSES or order.status is OrderStatus.CANCELLED


def sort_key(order: Order) -> SortKey:
    """Oldest first; orders without a creation time go last; ties broken by id."""
    created: datetime | None = order.created_at
    stamp = created.timestamp() if created is not None else float("inf")
    if isinstance(order.id, int):
        return (stamp, 0, order.id, "")
    return (stamp, 1, 0, str(order.id))


def rush_first(order: Order) -> SortKey:
    """The kitchen's order: rush orders first, then as ``sort_key`` (oldest first)."""
    return (0 if order.priority is Priority.RUSH else 1, *sort_key(order))


class OrderListModel(QAbstractListModel):
    """Visible orders, oldest first, updated change by change."""

    hiddenCountChanged = Signal(int)  # noqa: N815 - Qt signal naming
    countChanged = Signal(int)  # noqa: N815

    def __init__(
        self,
        *,
        include: Callable[[Order], bool] = shown_in_grid,
        tenant_id: int | None = None,
        cancelled_linger_s: float = 8.0,
        monotonic: Callable[[], float] = time.monotonic,
        key: Callable[[Order], SortKey] = sort_key,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._key = key
        self._include = include
        self._tenant_id = tenant_id
        self._linger_s = cancelled_linger_s
        self._monotonic = monotonic
        self._rows: list[Order] = []
        self._keys: list[SortKey] = []
        self._visible: dict[EntityId, Order] = {}
        self._hidden: dict[EntityId, Order] = {}  # included, but filtered out by tenant
        self._cancelled_at: dict[EntityId, float] = {}

    # -- reading -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        order = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, NUMBER_ROLE):
            return order.order_number or str(order.id)
        if role == ORDER_ROLE:
            return order
        if role == STATUS_ROLE:
            return order.status.value
        if role == CUSTOMER_ROLE:
            return order.customer_name
        return None

    def roleNames(self) -> dict[int, QByteArray]:  # noqa: N802 - Qt API
        names = {
            int(Qt.ItemDataRole.DisplayRole): b"display",
            ORDER_ROLE: b"order",
            STATUS_ROLE: b"status",
            NUMBER_ROLE: b"orderNumber",
            CUSTOMER_ROLE: b"customerName",
        }
        return {role: QByteArray(name) for role, name in names.items()}

    def order_at(self, row: int) -> Order:
        return self._rows[row]

    def orders(self) -> Sequence[Order]:
        """The visible orders in display order (a read-only view, do not keep)."""
        return self._rows

    def row_of(self, key: EntityId) -> int | None:
        order = self._visible.get(key)
        if order is None:
            return None
        return bisect.bisect_left(self._keys, self._key(order))

    def hidden_count(self) -> int:
        """Orders this screen would show if it did not filter (the "N hidden by filter" line)."""
        return len(self._hidden)

    @property
    def tenant_id(self) -> int | None:
        return self._tenant_id

    # -- writing -------------------------------------------------------------
    def reset(self, orders: Iterable[Order]) -> None:
        """Replace everything (first load); one model reset, not thousands of inserts."""
        self.beginResetModel()
        self._rows.clear()
        self._keys.clear()
        self._visible.clear()
        self._hidden.clear()
        self._cancelled_at.clear()
        now = self._monotonic()
        for order in sorted((o for o in orders if self._include(o)), key=self._key):
            if self._passes_filter(order):
                self._visible[order.id] = order
                self._rows.append(order)
                self._keys.append(self._key(order))
                if order.status is OrderStatus.CANCELLED:
                    self._cancelled_at[order.id] = now
            else:
                self._hidden[order.id] = order
        self.endResetModel()
        self._announce()

    def apply_changes(self, changes: Sequence[ChangeLike]) -> None:
        """Follow a batch of store Changes (other collections are ignored).

        Only each order's last state in the batch counts.  New rows are
        inserted in runs - a burst of new orders, all newer than the cards on
        screen, is one ``rowsInserted`` at the end - so the cost of a batch
        follows its size, not the number of cards; the selection and the
        scroll position survive.  A batch larger than the model (a snapshot)
        resets it instead.
        """
        final: dict[EntityId, Order | None] = {}
        for change in changes:
            if change.collection == "orders":
                final[change.key] = change.new if isinstance(change.new, Order) else None
        if not final:
            return
        if len(final) > max(BULK_THRESHOLD, len(self._rows)):
            self._apply_bulk(final)
            return
        hidden_before, count_before = len(self._hidden), len(self._rows)
        arriving: list[Order] = []
        for key, order in final.items():
            if order is None:
                self._drop(key)
            elif self._upsert(order, insert=False):
                arriving.append(order)
        self._insert_runs(arriving)
        if (len(self._hidden), len(self._rows)) != (hidden_before, count_before):
            self._announce()

    def upsert(self, order: Order) -> None:
        self.apply_changes([_Upsert(order)])

    def remove(self, key: EntityId) -> None:
        self.apply_changes([_Drop(key)])

    def set_tenant_filter(self, tenant_id: int | None, everything: Mapping[EntityId, Order]) -> None:
        """Show only one tenant's orders (None: all); ``everything`` is the store's orders."""
        self._tenant_id = tenant_id
        self.reset(everything.values())

    def expire(self) -> list[EntityId]:
        """Remove cancelled orders that have lingered long enough; called by the screen's tick."""
        now = self._monotonic()
        due = [key for key, since in self._cancelled_at.items() if now - since >= self._linger_s]
        for key in due:
            self.remove(key)
        return due

    def refresh_all(self) -> None:
        """Tell views every row's look may have changed (e.g. language switch)."""
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    # -- internals -----------------------------------------------------------
    def _apply_bulk(self, final: Mapping[EntityId, Order | None]) -> None:
        """A snapshot or a long catch-up: one reset beats thousands of row inserts."""
        merged: dict[EntityId, Order] = {**self._hidden, **self._visible}
        for key, order in final.items():
            if order is not None:
                merged[key] = order
            else:
                merged.pop(key, None)
        lingering = dict(self._cancelled_at)
        self.reset(merged.values())
        for key in self._cancelled_at:
            if key in lingering:
                self._cancelled_at[key] = lingering[key]

    def _passes_filter(self, order: Order) -> bool:
        return self._tenant_id is None or order.tenant_id == self._tenant_id

    def _upsert(self, order: Order, *, insert: bool = True) -> bool:
        """Show ``order``'s latest state; True if it needs a new row that ``insert=False`` left to the caller."""
        key = order.id
        if not self._include(order):
            self._drop(key)
            return False
        if not self._passes_filter(order):
            self._drop(key)
            self._hidden[key] = order
            return False
        self._hidden.pop(key, None)
        if order.status is OrderStatus.CANCELLED:
            self._cancelled_at.setdefault(key, self._monotonic())
        else:
            self._cancelled_at.pop(key, None)
        held = self._visible.get(key)
        if held is not None and self._key(held) == self._key(order):
            row = bisect.bisect_left(self._keys, self._key(held))
            self._rows[row] = order
            self._visible[key] = order
            index = self.index(row)
            self.dataChanged.emit(index, index)
            return False
        if held is not None:
            self._drop(key)
        if not insert:
            return True
        self._insert_runs([order])
        return False

    def _insert_runs(self, orders: Sequence[Order]) -> None:
        """Insert new rows, one ``beginInsertRows`` per run of orders that land next to each other."""
        if not orders:
            return
        arriving = sorted(orders, key=self._key)
        keys = [self._key(order) for order in arriving]
        start = 0
        while start < len(arriving):
            row = bisect.bisect_left(self._keys, keys[start])
            # the run: every following order that sorts before the row now at ``row``
            end = (
                len(arriving) if row == len(self._keys) else bisect.bisect_left(keys, self._keys[row], start)
            )
            end = max(end, start + 1)
            self.beginInsertRows(QModelIndex(), row, row + end - start - 1)
            self._rows[row:row] = arriving[start:end]
            self._keys[row:row] = keys[start:end]
            for order in arriving[start:end]:
                self._visible[order.id] = order
            self.endInsertRows()
            start = end

    def _drop(self, key: EntityId) -> None:
        self._hidden.pop(key, None)
        self._cancelled_at.pop(key, None)
        order = self._visible.pop(key, None)
        if order is None:
            return
        row = bisect.bisect_left(self._keys, self._key(order))
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        self.endRemoveRows()

    def _announce(self) -> None:
        self.countChanged.emit(len(self._rows))
        self.hiddenCountChanged.emit(len(self._hidden))


class _Upsert:
    collection = "orders"

    def __init__(self, order: Order) -> None:
        self.key: EntityId = order.id
        self.new: object = order


class _Drop:
    collection = "orders"
    new: object = None

    def __init__(self, key: EntityId) -> None:
        self.key: EntityId = key
