"""Which order changes came from elsewhere, and the short flash that tells the cook so.

A cook looks at a card, turns to the grill, and meanwhile the cashier adds a
drink or the expo finishes a line: without a sign the change goes unseen.  So
a card flashes for ``FLASH_MS`` when an order changes through an event that
this screen did not cause: new lines (add-ons), a line's status, the rush
mark, the order's status (the expo bumped it, the till cancelled it).

Telling "elsewhere" from "here": every line bump and rush toggle this screen
sends is remembered for ``OWN_S`` seconds (on the injected clock).  Its
optimistic change, the server's echo and a refusal's rollback all touch only
what was remembered, so none of them flash.  One QTimer per flashing card
ends its flash: nothing sleeps and the GUI thread is never held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core.store import Change
from kiosk.protocol import Order
from kiosk.protocol.models import EntityId

FLASH_MS = 2000
OWN_S = 15.0  # long enough for a slow answer and its echo; a change after that is someone else's

Touched = int | str  # an order line's id, "added", "priority" or "status"


def changed_from(old: Order, new: Order) -> set[Touched]:
    """What differs between two states of an order that a flash is about (new lines are ``"added"``)."""
    before = {item.id: item.status for item in old.items}
    touched: set[Touched] = set()
    for item in new.items:
        if item.id not in before:
            touched.add("added")
        elif before[item.id] is not item.status:
            touched.add(item.id)
    if old.priority is not new.priority:
        touched.add("priority")
    if old.status is not new.status:
        touched.add("status")
    return touched


class ChangeFlash(QObject):
    """Follows store Changes; ``flashed(order_id, on)`` when a card starts or stops flashing."""

    flashed = Signal(object, bool)

    def __init__(self, monotonic: Callable[[], float], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self._own: dict[tuple[EntityId, Touched], float] = {}  # what this screen sent -> when
        self._timers: dict[EntityId, QTimer] = {}

    def expect(self, order_id: EntityId, what: Touched) -> None:
        """This screen is about to change ``what`` of an order: its echoes are not news."""
        self._own[(order_id, what)] = self._monotonic()

    def is_flashing(self, order_id: EntityId) -> bool:
        return order_id in self._timers

    def flashing(self) -> set[EntityId]:
        return set(self._timers)

    def apply(self, changes: Sequence[Change]) -> None:
        now = self._monotonic()
        self._own = {key: at for key, at in self._own.items() if now - at < OWN_S}
        for change in changes:
            if change.collection != "orders":
                continue
            old, new = change.old, change.new
            if not isinstance(old, Order) or not isinstance(new, Order):
                continue
            foreign = {what for what in changed_from(old, new) if (new.id, what) not in self._own}
            if foreign:
                self.flash(new.id)

    def flash(self, order_id: EntityId) -> None:
        """Start (or restart) a card's flash."""
        timer = self._timers.get(order_id)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda key=order_id: self._end(key))
            self._timers[order_id] = timer
        timer.start(FLASH_MS)
        self.flashed.emit(order_id, True)

    def _end(self, order_id: EntityId) -> None:
        timer = self._timers.pop(order_id, None)
        if timer is not None:
            timer.deleteLater()
        self.flashed.emit(order_id, False)
