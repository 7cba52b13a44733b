"""REST request bodies: strict shapes with limits, and one validator.

Strict on purpose: ``"qty": "2"`` is refused rather than guessed, amounts are
whole rupiah within sane bounds, strings and lists are capped, so nothing
absurd ever reaches the database or a screen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from kiosk.protocol.errors import ProtocolError
from kiosk.protocol.models import OrderType, PaymentMethod, Severity
from kiosk.protocol.rooms import MAX_ROOM_ID
from kiosk.protocol.status import ItemStatus, OrderStatus, Priority
from kiosk.protocol.text import clean_line, clean_lines, clean_optional_lines

MAX_BODY_BYTES = 1024 * 1024
MAX_AMOUNT = 1_000_000_000  # Rp 1 billion: far past any food-court bill
MAX_ITEMS = 50
MAX_ORDER_LINES = 100  # with add-ons: a table that keeps ordering, not a runaway script
MAX_QTY = 999
MAX_ALLERGENS = 10
MAX_PREP_MINUTES = 240
MAX_SCHEDULE_AHEAD_DAYS = 7

Id = Annotated[int, Field(ge=1, le=2_000_000_000)]
# A tenant, counter or user is also a room (tenant-N): no id that no room name can hold.
RoomId = Annotated[int, Field(ge=1, le=MAX_ROOM_ID)]
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]


def _text(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# After the type and length checks (see kiosk.protocol.text): no control or direction characters.
_LINE = AfterValidator(clean_line)
_LINES = AfterValidator(clean_lines)  # the same, keeping line breaks and tabs
_OPTIONAL_LINES = AfterValidator(clean_optional_lines)

Name = Annotated[str, _text(120), _LINE]
Note = Annotated[str, _text(500, 0), _OPTIONAL_LINES]
Modifier = Annotated[str, _text(80), _LINE]
PersonName = Annotated[str, _text(80), _LINE]
Reason = Annotated[str, _text(200), _LINE]
Token = Annotated[str, _text(100), _LINE]
Kind = Annotated[str, _text(50), _LINE]
Message = Annotated[str, _text(500), _LINES]
TableLabel = Annotated[str, _text(20), _LINE]
Station = Annotated[str, _text(40), _LINE]
Allergen = Annotated[str, _text(40), _LINE]


# JSON spells enums as strings; accept them even in these strict models.
_LAX = Field(strict=False)


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class OrderItemIn(_Body):
    name: Name
    qty: Annotated[int, Field(ge=1, le=MAX_QTY)]
    price: Amount
    notes: Note = ""
    modifiers: Annotated[list[Modifier], Field(max_length=20)] = []
    station: Station | None = None
    category: Station | None = None
    allergens: Annotated[list[Allergen], Field(max_length=MAX_ALLERGENS)] = []


Items = Annotated[list[OrderItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


def check_payable(total: int) -> None:
    """An order no payment could settle (50 items × 999 × Rp 10^9) is refused when it is made or grows."""
    if total > MAX_AMOUNT:
        raise ValueError(
            f"the order total {total} is more than a payment may be ({MAX_AMOUNT}); split the order"
        )


class CreateOrder(_Body):
    tenant_id: RoomId
    customer_name: PersonName
    items: Items
    type: Annotated[OrderType, _LAX] = OrderType.DINE_IN
    table: TableLabel | None = None
    priority: Annotated[Priority, _LAX] = Priority.NORMAL
    # ISO-8601 with a zone; the server refuses one in the past (it knows the time, this model does not).
    fire_at: Annotated[datetime, _LAX] | None = None
    prep_minutes: Annotated[int, Field(ge=1, le=MAX_PREP_MINUTES)] | None = None

    @model_validator(mode="after")
    def _payable(self) -> CreateOrder:
        check_payable(sum(item.qty * item.price for item in self.items))
        if self.fire_at is not None and self.fire_at.utcoffset() is None:
            raise ValueError("fire_at needs a time zone, e.g. 2026-12-03T18:30:00+07:00")
        if self.prep_minutes is not None and self.fire_at is None:
            raise ValueError("prep_minutes is for a scheduled order: send fire_at with it")
        return self


class ChangeItemStatus(_Body):
    status: Annotated[ItemStatus, _LAX]
    reason: Reason | None = None  # required for a void, refused otherwise

    @model_validator(mode="after")
    def _reason_for_void(self) -> ChangeItemStatus:
        if self.status is ItemStatus.VOIDED and self.reason is None:
            raise ValueError('a void needs a reason, e.g. {"status": "voided", "reason": "stok habis"}')
        if self.status is not ItemStatus.VOIDED and self.reason is not None:
            raise ValueError("reason is only for a void")
        return self


class ChangePriority(_Body):
    priority: Annotated[Priority, _LAX]


class AddItems(_Body):
    items: Items


class CloseStale(_Body):
    # Minutes since the kitchen got the order; 0 closes every open order.  None: the server's setting.
    older_than_minutes: Annotated[float, Field(ge=0, le=7 * 24 * 60, strict=False)] | None = None


class ChangeStatus(_Body):
    status: Annotated[OrderStatus, _LAX]


class CancelOrder(_Body):
    reason: Reason


class CreatePayment(_Body):
    order_id: Id
    amount_paid: Amount
    payment_method: Annotated[PaymentMethod, _LAX]
    counter_id: RoomId


class RefundPayment(_Body):
    reason: Reason


class ScanQr(_Body):
    token: Token


MAX_DATA_DEPTH = 16  # a notification's data: a screen shows a few fields, never a deep tree
MAX_DATA_ITEMS = 200


def _shallow(value: dict[str, Any]) -> dict[str, Any]:
    """Refuse deep or huge ``data`` (300 levels made the event log's encoder fail with a 500)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
        if not children:
            continue
        if depth > MAX_DATA_DEPTH:
            raise ValueError(f"is nested more than {MAX_DATA_DEPTH} levels deep")
        seen += len(children)
        if seen > MAX_DATA_ITEMS:
            raise ValueError(f"holds more than {MAX_DATA_ITEMS} values")
        stack.extend((child, depth + 1) for child in children)
    return value


class CreateNotification(_Body):
    user_id: RoomId
    type: Kind
    data: Annotated[dict[str, Any], AfterValidator(_shallow)] = {}


class CreateAlert(_Body):
    severity: Annotated[Severity, _LAX]
    message: Message


BodyT = TypeVar("BodyT", bound=BaseModel)


def validate_body(model: type[BodyT], payload: object) -> BodyT:
    """Validate a decoded JSON body, turning the first problem into a ProtocolError."""
    if not isinstance(payload, dict):
        raise ProtocolError("invalid_body", "the request body must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise _first_problem(exc) from None


def _first_problem(exc: ValidationError) -> ProtocolError:
    problem = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in problem["loc"]) or None
    kind = problem["type"]
    if kind == "missing":
        return ProtocolError("missing_field", f"{field} is required", field)
    if kind == "extra_forbidden":
        return ProtocolError("unknown_field", f"{field} is not a known field", field)
    message = problem["msg"]
    if kind == "value_error":
        message = str(
            problem.get("ctx", {}).get("error", message)
        )  # ours, without pydantic's "Value error, "
    if kind == "enum":
        expected = problem.get("ctx", {}).get("expected", "")
        message = f"must be one of {expected}"
    return ProtocolError("invalid_field", f"{field}: {message}" if field else message, field)
