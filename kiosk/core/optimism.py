"""This screen's actions that the server has not all answered: what a refusal rolls back to.

A bump shows at once (``Store.set_local``); the server's answer confirms it
or refuses it.  Two things made that hard on a fast bump bar, both seen in
the field: a second press before the first was answered must share the first
one's rollback point (the server's state), and a late echo of the first bump
must not pull the card back while the second is in flight.  Apart from the
store because these rules are about actions in flight, not about applying the
server's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.versions import status_rank
from kiosk.protocol import Order
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import OrderStatus


@dataclass
class Pending:
    """``before`` is what a refusal rolls back to (the server's latest state), ``local`` what the
    card shows, ``in_flight`` how many actions are still waiting for their answer."""

    before: Order
    local: Order
    in_flight: int = 1
    steps: list[Order] = field(default_factory=list)  # every local state shown, oldest first


def shown_state(order: Order) -> tuple[object, ...]:
    """What an action changes on a card: the order's status and priority and each line's status.

    A line tapped twice (started, then done) before the first answer: the
    echo of the first tap has the line started, the card shows it done; it is
    an earlier step, not news, and must not pull the card back.
    """
    return (order.status, order.priority, tuple((item.id, item.status) for item in order.items))


class Optimism:
    def __init__(self) -> None:
        self._pending: dict[EntityId, Pending] = {}

    def begin(self, before: Order, local: Order) -> None:
        """An action shows ``local`` instead of ``before``; a second one keeps the first's rollback point."""
        pending = self._pending.get(local.id)
        if pending is None:
            self._pending[local.id] = Pending(before, local, steps=[local])
        else:
            pending.local = local
            pending.in_flight += 1
            pending.steps.append(local)

    def take(self, order_id: EntityId) -> Pending | None:
        """A refusal: the rollback point, now forgotten."""
        return self._pending.pop(order_id, None)

    def confirm(self, order_id: EntityId) -> None:
        """An accepted action; the rollback point goes with the last one in flight."""
        pending = self._pending.get(order_id)
        if pending is None:
            return
        pending.in_flight -= 1
        if pending.in_flight <= 0:
            del self._pending[order_id]

    def absorb_earlier_step(self, shown: Order, new: Order) -> bool:
        """True if ``new`` is an earlier step of the action in flight that ``shown`` is.

        Such a state (an earlier bump's echo or answer) becomes the rollback
        point instead of replacing the card.
        """
        pending = self._pending.get(new.id)
        if pending is None or shown is not pending.local or new.status is OrderStatus.CANCELLED:
            return False
        earlier_rank = status_rank(new.status) < status_rank(shown.status)
        state = shown_state(new)
        earlier_step = state != shown_state(shown) and any(
            state == shown_state(step) for step in pending.steps[:-1]
        )
        if not (earlier_rank or earlier_step):
            return False
        pending.before = new
        return True

    def is_own_echo(self, shown: Order, new: Order) -> bool:
        """True if ``new`` is the server's echo of the action ``shown`` is (no news: no sound, no toast)."""
        pending = self._pending.get(new.id)
        return pending is not None and shown is pending.local and new.status == pending.local.status

    def forget(self, order_id: EntityId) -> None:
        self._pending.pop(order_id, None)
