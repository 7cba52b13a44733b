"""Publishing an order change: the whole order to its kitchen and tenant rooms, a safe view to the board.

Every order event carries the order as it now is (a full snapshot, version
bumped), so a screen that missed one change is whole again with the next.
When the order's status moved (or the order is new) the customer board gets
the same event too (same seq), carrying only ``board_view``: number, status,
tenant and a first name, never lines, amounts or notes.
"""

from __future__ import annotations

from typing import Any

from kiosk.protocol import Event, Order, rooms_for
from kiosk.protocol.board import board_view
from server.hub import Tx
from server.order_rows import dump, load


def publish_order(tx: Tx, event: Event, before: Order | None, extra: dict[str, Any], order_id: int) -> Order:
    """Read the order back and publish ``event`` with it; ``before`` None for a new order."""
    after, _ = load(tx.conn, order_id)
    data = dump(after)
    if before is not None:
        data |= {"previous_status": before.status.value, "new_status": after.status.value}
    data |= extra
    moved = before is None or before.status is not after.status
    tx.publish(
        event,
        rooms_for(event, tenant_id=after.tenant_id),
        data,
        board_data=board_view(after) if moved else None,
    )
    return after
