"""The strings an order card shows, and how they come from an order, apart from layout and painting.

Its own module because card_layout.py, card_lines.py (where each line goes,
how it is painted) and card_delegate.py (painting the card) all use it: kept
in any of them, they would import each other.  Which lines are this screen's
(the station filter) is decided here too, since it decides what text a card has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from kiosk.core.formatting import format_elapsed
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import OrderItem
from kiosk.protocol.status import ItemStatus, Priority
from kiosk.ui.i18n import fill
from kiosk.ui.labels import order_type_label


@dataclass(frozen=True)
class ItemLines:
    main: str
    modifiers: str
    notes: str
    allergy: bool = False  # the note names an allergen: drawn on an amber band
    item_id: int | None = None  # the order line (None: a backend that numbers no lines; not tappable)
    state: str = "pending"  # its ItemStatus value
    tag: str = ""  # "ADD-ON" on a line added to an open order
    allergens: str = ""  # "⚠ peanut, gluten": the line's declared allergens, on a pill
    void: str = ""  # "VOID: <reason>" under a voided line
    foreign: bool = False  # another station's line on a station screen: shown grey


@dataclass(frozen=True)
class CardText:
    """Every string a card shows, computed once and used by paint() and by tests."""

    number: str
    elapsed: str
    customer: str
    kind: str
    status: str
    reason: str
    items: tuple[ItemLines, ...]
    rush: str = ""  # "RUSH" on a rush order, empty otherwise

    def lines(self) -> list[str]:
        out = [self.rush, self.number, self.elapsed, self.customer, self.kind, self.status, self.reason]
        for item in self.items:
            out += [item.tag, item.main, item.modifiers, item.notes, item.allergens, item.void]
        return [line for line in out if line]


def is_allergy_note(note: str, keywords: Sequence[str]) -> bool:
    lowered = note.casefold()
    return any(keyword and keyword.casefold() in lowered for keyword in keywords)


def status_label(status: OrderStatus) -> str:
    labels = {
        OrderStatus.PENDING: QCoreApplication.translate("KitchenCard", "NEW"),
        OrderStatus.PREPARING: QCoreApplication.translate("KitchenCard", "COOKING"),
        OrderStatus.READY: QCoreApplication.translate("KitchenCard", "READY"),
        OrderStatus.COMPLETED: QCoreApplication.translate("KitchenCard", "DONE"),
        OrderStatus.CANCELLED: QCoreApplication.translate("KitchenCard", "CANCELLED"),
    }
    return labels[status]


def type_label(order: Order) -> str:
    text = order_type_label(order.type)
    if order.table:
        text += " · " + fill(QCoreApplication.translate("KitchenCard", "Table %1"), order.table)
    return text


def age_seconds(order: Order, now: datetime) -> float:
    if order.created_at is None:
        return 0.0
    return max(0.0, (now - order.created_at).total_seconds())


@dataclass(frozen=True)
class StationFilter:
    """Which lines are this screen's (config ``stations``, casefolded; empty: every line is)."""

    stations: frozenset[str] = field(default_factory=frozenset)
    hide_others: bool = False  # config other_stations = "hide": other stations' lines are not shown

    def owns(self, item: OrderItem) -> bool:
        """A line with no station belongs to every station."""
        return not self.stations or item.station is None or item.station.casefold() in self.stations

    def shows(self, order: Order) -> bool:
        """An order is on this screen when one of its lines is (always, with no stations set)."""
        return not self.stations or any(self.owns(item) for item in order.items)


EVERY_STATION = StationFilter()


def _item_lines(item: OrderItem, keywords: Sequence[str], stations: StationFilter) -> ItemLines:
    notes = item.notes
    allergy = bool(notes) and is_allergy_note(notes, keywords)
    mark = {ItemStatus.STARTED: "▶ ", ItemStatus.DONE: "✓ "}.get(item.status, "")
    void = ""
    if item.status is ItemStatus.VOIDED:
        reason = item.void_reason or ""
        void = fill(QCoreApplication.translate("KitchenCard", "VOID: %1"), reason) if reason else "VOID"
    return ItemLines(
        f"{mark}{item.qty}× {item.name}",
        "+ " + ", ".join(item.modifiers) if item.modifiers else "",
        (("⚠ " if allergy else "") + f"“{notes}”") if notes else "",
        allergy=allergy,
        item_id=item.id or None,
        state=item.status.value,
        tag=QCoreApplication.translate("KitchenCard", "ADD-ON") if item.is_add_on else "",
        allergens="⚠ " + ", ".join(item.allergens) if item.allergens else "",
        void=void,
        foreign=not stations.owns(item),
    )


def card_text(
    order: Order,
    now: datetime,
    allergy_keywords: Sequence[str] = (),
    stations: StationFilter = EVERY_STATION,
) -> CardText:
    reason = ""
    if order.status is OrderStatus.CANCELLED and order.cancel_reason:
        reason = fill(QCoreApplication.translate("KitchenCard", "Reason: %1"), order.cancel_reason)
    return CardText(
        number=order.order_number or str(order.id),
        elapsed=format_elapsed(age_seconds(order, now)),
        customer=order.customer_name or "—",
        kind=type_label(order),
        status=status_label(order.status),
        reason=reason,
        items=tuple(
            _item_lines(item, allergy_keywords, stations)
            for item in order.items
            if not (stations.hide_others and not stations.owns(item))
        ),
        rush=QCoreApplication.translate("KitchenCard", "RUSH") if order.priority is Priority.RUSH else "",
    )


def looks(order: Order) -> str:
    """What an optimistic copy may change without a new version: priority and each line's status."""
    return order.priority.value[0] + "".join(item.status.value[0] for item in order.items)
