"""Event names and their audiences, declared once: every other module reads them from here.

Each Socket.IO event has a wire name (``order:created``), an envelope
``type`` (``order_created``) and the kinds of room it is routed to.  The
server routes from this table and the kiosk subscribes from it, so no event
name is typed anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.protocol.rooms import Room, RoomKind, display


class Event(StrEnum):
    ORDER_CREATED = "order:created"
    ORDER_STATUS_CHANGED = "order:status_changed"
    ORDER_CANCELLED = "order:cancelled"
    ORDER_ITEM_STATUS_CHANGED = "order:item_status_changed"
    ORDER_PRIORITY_CHANGED = "order:priority_changed"
    ORDER_ITEMS_ADDED = "order:items_added"
    PAYMENT_PROCESSED = "payment:processed"
    PAYMENT_REFUNDED = "payment:refunded"
    QR_SCANNED = "qr:scanned"
    NOTIFICATION = "notification"
    ALERT = "alert"

    @property
    def type(self) -> str:
        """The envelope ``type``: ``order:created`` → ``order_created``."""
        return self.value.replace(":", "_")


class JoinEvent(StrEnum):
    """Client → server events that put the socket in a room."""

    JOIN = "join"
    LEAVE = "leave"
    JOIN_DISPLAY = "join-display"
    JOIN_KASIR = "join-kasir"
    JOIN_TENANT = "join-tenant"
    JOIN_USER = "join-user"

    @property
    def room_kind(self) -> RoomKind | None:
        """The room kind a legacy ``join-<kind>`` event names (None for join/leave)."""
        if not self.value.startswith("join-"):
            return None
        return RoomKind(self.value.removeprefix("join-"))


@dataclass(frozen=True, slots=True)
class Audience:
    """Which rooms receive an event.

    ``everyone`` events go to every connected socket; otherwise the event goes
    to ``display`` if listed and to the tenant / counter / user room named by
    the entity.
    """

    kinds: frozenset[RoomKind]
    everyone: bool = False


_ORDER = Audience(frozenset({RoomKind.TENANT, RoomKind.DISPLAY}))
_PAYMENT = Audience(frozenset({RoomKind.TENANT, RoomKind.KASIR, RoomKind.DISPLAY}))

AUDIENCE: dict[Event, Audience] = {
    Event.ORDER_CREATED: _ORDER,
    Event.ORDER_STATUS_CHANGED: _ORDER,
    Event.ORDER_CANCELLED: _ORDER,
    Event.ORDER_ITEM_STATUS_CHANGED: _ORDER,
    Event.ORDER_PRIORITY_CHANGED: _ORDER,
    Event.ORDER_ITEMS_ADDED: _ORDER,
    Event.PAYMENT_PROCESSED: _PAYMENT,
    Event.PAYMENT_REFUNDED: _PAYMENT,
    Event.QR_SCANNED: _ORDER,
    Event.NOTIFICATION: Audience(frozenset({RoomKind.USER})),
    Event.ALERT: Audience(frozenset(), everyone=True),
}

# Every event carrying an order snapshot: the screens apply them all alike, by version.
ORDER_EVENTS: frozenset[Event] = frozenset(
    {
        Event.ORDER_CREATED,
        Event.ORDER_STATUS_CHANGED,
        Event.ORDER_CANCELLED,
        Event.ORDER_ITEM_STATUS_CHANGED,
        Event.ORDER_PRIORITY_CHANGED,
        Event.ORDER_ITEMS_ADDED,
        Event.QR_SCANNED,
    }
)

EVENT_BY_TYPE: dict[str, Event] = {event.type: event for event in Event}

# The room an ``everyone`` event is filed under in the event log; catch-up for
# any room includes it.  Not a joinable room (parse_room refuses it).
EVERYONE = "*"


def rooms_for(
    event: Event,
    *,
    tenant_id: int | None = None,
    counter_id: int | None = None,
    user_id: int | None = None,
) -> list[str]:
    """The rooms an event is delivered to, derived from the AUDIENCE table."""
    audience = AUDIENCE[event]
    if audience.everyone:
        return [EVERYONE]
    ids = {RoomKind.TENANT: tenant_id, RoomKind.KASIR: counter_id, RoomKind.USER: user_id}
    out: list[str] = []
    for kind in (RoomKind.TENANT, RoomKind.KASIR, RoomKind.USER):
        if kind in audience.kinds and ids[kind] is not None:
            out.append(str(Room(kind, ids[kind])))
    if RoomKind.DISPLAY in audience.kinds:
        out.append(display())
    return out
