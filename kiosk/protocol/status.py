"""The order status machine, shared so the kiosk never offers a refused move."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"
    PREPARING = "preparing"
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES: frozenset[OrderStatus] = frozenset(
    {OrderStatus.PENDING, OrderStatus.PREPARING, OrderStatus.READY}
)
FINAL_STATUSES: frozenset[OrderStatus] = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})

# completed → ready is the kitchen's "recall", allowed within RECALL_WINDOW_S.
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PREPARING, OrderStatus.CANCELLED}),
    OrderStatus.PREPARING: frozenset({OrderStatus.READY, OrderStatus.CANCELLED}),
    OrderStatus.READY: frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED}),
    OrderStatus.COMPLETED: frozenset({OrderStatus.READY}),
    OrderStatus.CANCELLED: frozenset(),
}

RECALL_WINDOW_S = 15 * 60

_BUMP: dict[OrderStatus, OrderStatus] = {
    OrderStatus.PENDING: OrderStatus.PREPARING,
    OrderStatus.PREPARING: OrderStatus.READY,
    OrderStatus.READY: OrderStatus.COMPLETED,
}


def bump_target(status: OrderStatus) -> OrderStatus | None:
    """The status a bump moves an order to, or None when it cannot move on."""
    return _BUMP.get(status)


class ItemStatus(StrEnum):
    """One line of an order at its station: a cook starts it and finishes it; a void takes it off."""

    PENDING = "pending"
    STARTED = "started"
    DONE = "done"
    VOIDED = "voided"


class Priority(StrEnum):
    NORMAL = "normal"
    RUSH = "rush"


# A cook may start, finish or take back a line in any order (a bump bar is pressed twice by
# mistake); a voided line stays voided: it was taken off the ticket, with its reason.
ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.PENDING: frozenset({ItemStatus.STARTED, ItemStatus.DONE, ItemStatus.VOIDED}),
    ItemStatus.STARTED: frozenset({ItemStatus.PENDING, ItemStatus.DONE, ItemStatus.VOIDED}),
    ItemStatus.DONE: frozenset({ItemStatus.PENDING, ItemStatus.STARTED, ItemStatus.VOIDED}),
    ItemStatus.VOIDED: frozenset(),
}

_ITEM_BUMP: dict[ItemStatus, ItemStatus] = {
    ItemStatus.PENDING: ItemStatus.STARTED,
    ItemStatus.STARTED: ItemStatus.DONE,
    ItemStatus.DONE: ItemStatus.PENDING,
}

# Why an order left the screens without anyone bumping it (the end-of-day sweep).
AUTO_CLOSED = "auto_closed"


def item_bump_target(status: ItemStatus) -> ItemStatus | None:
    """What touching a line does: pending → started → done → pending again; None for a void."""
    return _ITEM_BUMP.get(status)


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def describe_allowed(current: OrderStatus) -> str:
    allowed = sorted(ALLOWED_TRANSITIONS[current])
    if not allowed:
        return f"an order that is {current} cannot change status"
    return f"from {current} an order may go to: " + ", ".join(allowed)
