"""The orders a kitchen screen bumped to completed and may bring back with R, newest first."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from kiosk.core.changes import Change, Notice
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import EntityId

log = logging.getLogger("kiosk.net")  # where these lines were before this module

RECALL_DEPTH = 10  # bumped-to-completed orders that R can bring back, newest first


class RecallStack:
    """The orders this screen bumped to completed and may recall: newest first, at most ``depth``.

    A store listener: an order that leaves completed by any other way (a refused
    bump rolled back, recalled or cancelled elsewhere...) is dropped.  An order
    pruned from the store stays: completed orders leave the screen after
    ``keep_final_s`` but remain recallable on the server.
    """

    def __init__(self, depth: int = RECALL_DEPTH) -> None:
        if depth < 1:
            raise ValueError(f"a recall stack needs a depth of at least 1, not {depth}")
        self.depth = depth
        self._ids: list[EntityId] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[EntityId]:
        return iter(tuple(self._ids))

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._ids

    @property
    def top(self) -> EntityId | None:
        return self._ids[0] if self._ids else None

    def push(self, order_id: EntityId) -> None:
        """On top; the oldest falls off beyond ``depth``."""
        self.discard(order_id)
        self._ids.insert(0, order_id)
        for fallen in self._ids[self.depth :]:
            log.info("order %s can no longer be recalled: %d newer bumps", fallen, self.depth)
        del self._ids[self.depth :]

    def pop(self) -> EntityId | None:
        return self._ids.pop(0) if self._ids else None

    def discard(self, order_id: EntityId) -> bool:
        if order_id not in self._ids:
            return False
        self._ids.remove(order_id)
        return True

    def on_changes(self, changes: Sequence[Change]) -> None:
        for change in changes:
            order = change.new
            if (
                change.collection == "orders"
                and isinstance(order, Order)
                and order.status is not OrderStatus.COMPLETED
                and self.discard(change.key)
            ):
                log.info("order %s left the recall stack: it is %s now", change.key, order.status.value)

    def on_notice(self, notice: Notice) -> None:
        pass
