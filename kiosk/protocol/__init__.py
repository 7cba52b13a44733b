"""The contract between server and kiosk: rooms, events, envelopes, validation.

Both sides import names from here; no event or room name, and no REST path
(kiosk/protocol/api.py), is spelled anywhere else.  Plain Python + pydantic: no Qt, no Flask.
"""

from kiosk.protocol.api import (
    ROUTES,
    ErrorDetail,
    EventsPage,
    JoinAck,
    OrdersPage,
    PaymentsPage,
    Route,
)
from kiosk.protocol.errors import ProtocolError, error_body
from kiosk.protocol.events import AUDIENCE, EVENT_BY_TYPE, EVERYONE, Event, JoinEvent, rooms_for
from kiosk.protocol.models import (
    Alert,
    Envelope,
    Notification,
    Order,
    OrderItem,
    OrderType,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Severity,
    iso,
    start_of_local_day,
    utc_now,
)
from kiosk.protocol.rooms import ROOM_FORMS, Room, RoomKind, is_valid_room, parse_room
from kiosk.protocol.status import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    OrderStatus,
    bump_target,
    can_transition,
    describe_allowed,
)

__all__ = [
    "ACTIVE_STATUSES",
    "ALLOWED_TRANSITIONS",
    "AUDIENCE",
    "EVENT_BY_TYPE",
    "EVERYONE",
    "ROOM_FORMS",
    "ROUTES",
    "Alert",
    "Envelope",
    "ErrorDetail",
    "Event",
    "EventsPage",
    "JoinAck",
    "JoinEvent",
    "Notification",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderType",
    "OrdersPage",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "PaymentsPage",
    "ProtocolError",
    "Room",
    "RoomKind",
    "Route",
    "Severity",
    "bump_target",
    "can_transition",
    "describe_allowed",
    "error_body",
    "is_valid_room",
    "iso",
    "parse_room",
    "rooms_for",
    "start_of_local_day",
    "utc_now",
]
