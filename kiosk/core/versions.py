"""Which copy of an entity is newer, and what identifies an event: the store's rules.

This project's server stamps every entity with a ``version`` and every event
with an ``event_id``.  Older backends send neither, so their events are keyed
by type + entity id + status + time, and ordered by ``updated_at`` and then
by the status machine.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import orjson
from pydantic import ValidationError

from kiosk.protocol import Alert, Envelope, Event, Notification, Order, Payment, iso
from kiosk.protocol.events import ORDER_EVENTS
from kiosk.protocol.status import FINAL_STATUSES, OrderStatus, can_transition

PAYMENT_EVENTS = frozenset({Event.PAYMENT_PROCESSED, Event.PAYMENT_REFUNDED})
_RANK = {
    OrderStatus.PENDING: 0,
    OrderStatus.PREPARING: 1,
    OrderStatus.READY: 2,
    OrderStatus.COMPLETED: 3,
    OrderStatus.CANCELLED: 4,
}


def status_rank(status: OrderStatus) -> int:
    """How far along the kitchen's flow a status is: pending 0 ... completed 3, cancelled 4."""
    return _RANK[status]


class SkipError(Exception):
    """Input to skip, with the reason for the log."""


def parse_entity(event: Event, data: dict[str, Any]) -> Order | Payment | Alert | Notification:
    model: type[Order | Payment | Alert | Notification]
    if event in ORDER_EVENTS:
        model = Order
    elif event in PAYMENT_EVENTS:
        model = Payment
    elif event is Event.ALERT:
        model = Alert
    else:
        model = Notification
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SkipError(f"{event.value} with a malformed {model.__name__} ({first_error(exc)})") from None


def legacy_key(event: Event, entity: Order | Payment | Alert | Notification, envelope: Envelope) -> str:
    """A dedup key for backends without ``event_id``: type + entity id + status + time."""
    status = getattr(entity, "status", "")
    moment = envelope.timestamp or getattr(entity, "updated_at", None) or getattr(entity, "created_at", None)
    ident = getattr(entity, "id", None)
    if ident is None:
        ident = hashlib.sha1(orjson.dumps(envelope.data, default=str), usedforsecurity=False).hexdigest()[:16]
    when = iso(moment) if moment is not None else ""
    return f"legacy:{event.type}:{ident}:{status}:{when}"


EntityT = TypeVar("EntityT", Order, Payment)


def completed_from(held: EntityT, partial: EntityT) -> EntityT:
    """``partial`` with what it does not say taken from the copy held: a partial event never blanks a card.

    Kiosk's server sends whole entities (every field set: returned as is); an
    older backend's ``order:status_changed`` carries the id, number and new
    status but no items, and must not show the card without them.
    """
    given = partial.model_fields_set
    if len(given) == len(type(partial).model_fields):
        return partial
    return held.model_copy(update={name: getattr(partial, name) for name in given})


def is_active(order: Order) -> bool:
    return order.status not in FINAL_STATUSES


def is_newer_order(old: Order, new: Order) -> bool:
    if new.version != old.version:
        return new.version > old.version
    if new.version > 0 or new == old:
        return False
    # Legacy backends send no versions: trust timestamps, then the status machine.
    if old.updated_at is not None and new.updated_at is not None and new.updated_at != old.updated_at:
        return new.updated_at > old.updated_at
    if new.status != old.status:
        return can_transition(old.status, new.status) or _RANK[new.status] > _RANK[old.status]
    return True


def is_newer_payment(old: Payment, new: Payment) -> bool:
    if new.version != old.version:
        return new.version > old.version
    if new.version > 0 or new == old:
        return False
    return not (old.status == "refunded" and new.status != "refunded")


def first_error(exc: ValidationError) -> str:
    problem = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in problem["loc"]) or "envelope"
    return f"{where}: {problem['msg']}"
