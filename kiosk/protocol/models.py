"""Entity and envelope shapes as they travel on the wire.

The server builds its events from these models and the kiosk parses with
them, so both agree on every field.  Parsing is lenient on purpose (defaults
for what older order backends leave out, unknown keys ignored) because a
screen must show a partial order rather than drop it; the server always fills
every field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from kiosk.protocol.status import ItemStatus, OrderStatus, Priority

EntityId = int | str


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``: the one timestamp format on the wire."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def start_of_local_day(now: datetime) -> datetime:
    """Midnight where this machine runs: a food court's "today", for the server's counts and the screens'.

    Once in the contract because both sides count "today" (the cashier's
    shift payments, the server's ``orders_today``) and two copies drifted
    once: the server used the UTC day, which in Jakarta turns over at 07:00.
    """
    return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


# Datetimes serialise through iso() so every timestamp on the wire has one shape.
WireTime = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json")]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OrderType(StrEnum):
    DINE_IN = "dine_in"
    TAKEAWAY = "takeaway"
    DELIVERY = "delivery"


class PaymentMethod(StrEnum):
    CASH = "cash"
    QRIS = "qris"
    CARD = "card"
    EWALLET = "ewallet"
    TRANSFER = "transfer"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDED = "refunded"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class OrderItem(_Wire):
    """One line.  ``id`` is unique within its order (0 from backends that number nothing);
    ``added_at`` is set only on a line added to an open order: an add-on."""

    id: int = 0
    name: str
    qty: int = 1
    price: int = 0
    notes: str = ""
    modifiers: tuple[str, ...] = ()
    station: str | None = None
    category: str | None = None  # the menu's section ("drinks", "mains"), as the till sends it
    allergens: tuple[str, ...] = ()
    status: ItemStatus = ItemStatus.PENDING
    void_reason: str | None = None
    added_at: WireTime | None = None
    started_at: WireTime | None = None
    done_at: WireTime | None = None

    @property
    def is_add_on(self) -> bool:
        return self.added_at is not None


class Order(_Wire):
    id: EntityId
    order_number: str = ""
    tenant_id: int | None = None
    customer_name: str = ""
    type: str = OrderType.DINE_IN.value
    table: str | None = None
    items: tuple[OrderItem, ...] = ()
    total_amount: int = 0
    items_count: int = 0
    status: OrderStatus = OrderStatus.PENDING
    version: int = 0
    qr_token: str | None = None
    payment_status: str = PaymentStatus.UNPAID.value
    cancel_reason: str | None = None
    priority: Priority = Priority.NORMAL
    # A scheduled order: wanted ready at ``fire_at``; held off the kitchen's rail until
    # ``fire_at - prep_minutes`` (kiosk/core/schedule.py decides on the screen's clock).
    fire_at: WireTime | None = None
    prep_minutes: int | None = None
    preparing_at: WireTime | None = None
    ready_at: WireTime | None = None
    completed_at: WireTime | None = None
    cancelled_at: WireTime | None = None
    picked_up_at: WireTime | None = None
    created_at: WireTime | None = None
    updated_at: WireTime | None = None


class Payment(_Wire):
    id: EntityId
    order_id: EntityId
    order_number: str = ""
    tenant_id: int | None = None
    counter_id: int | None = None
    amount: int = 0
    amount_paid: int = 0
    change: int = 0
    payment_method: str = PaymentMethod.CASH.value
    reference: str = ""
    status: str = PaymentStatus.PAID.value
    version: int = 0
    refund_reason: str | None = None
    refunded_at: WireTime | None = None
    created_at: WireTime | None = None
    order: Order | None = None


class Notification(_Wire):
    id: EntityId
    user_id: int | None = None
    type: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: WireTime | None = None


class Alert(_Wire):
    id: EntityId | None = None
    severity: Severity = Severity.INFO
    message: str = ""
    created_at: WireTime | None = None


class Envelope(_Wire):
    """``{event_id, seq, type, timestamp, data}`` around every event.

    ``event_id`` and ``seq`` are None from older backends; the kiosk then
    derives a dedup key (see kiosk.core) and resyncs from the order list.
    """

    event_id: str | None = None
    seq: int | None = None
    type: str
    timestamp: WireTime | None = None
    data: dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)
