"""What a customer-facing board may know about an order: its number, status, tenant and a first name.

The ``board`` room hangs above the pick-up counter, in front of everyone: it
must never carry what was ordered, what it cost, the cook's notes or a full
name.  The server builds every event for that room through ``board_view``
(an allow-list, so a field added to ``Order`` later stays off the board until
someone adds it here on purpose), and tests/server/test_board_room.py checks
the bytes on the wire.
"""

from __future__ import annotations

from typing import Any

from kiosk.protocol.models import Order

MAX_BOARD_NAME = 12

# The order fields a board event carries, and nothing else.
BOARD_FIELDS: frozenset[str] = frozenset(
    {
        "id",
        "order_number",
        "tenant_id",
        "status",
        "version",
        "customer_name",
        "created_at",
        "updated_at",
        "ready_at",
    }
)


def board_name(customer_name: str) -> str:
    """The first word of the name, cut to a board's width: "Budi Santoso" → "Budi"."""
    words = customer_name.split()
    if not words:
        return ""
    first = words[0]
    return first if len(first) <= MAX_BOARD_NAME else first[: MAX_BOARD_NAME - 1] + "…"


def board_view(order: Order) -> dict[str, Any]:
    """The customer-safe payload of an order event for the ``board`` room."""
    data = order.model_dump(mode="json", include=set(BOARD_FIELDS))
    data["customer_name"] = board_name(order.customer_name)
    return data
