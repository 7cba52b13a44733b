"""The "Later" strip: scheduled orders held off the rail, each with the time it is wanted.

A booked order (``fire_at``) is not work yet: it would take a card's place
and its timer would count from the booking.  The kitchen and stall screens
keep held orders here instead, soonest first ("Later: T1-005 18:30 ·
T2-003 19:00"), one line that never widens the window (an ``ElidedLabel``:
what does not fit ends in "…" and is in the tooltip).  Which orders are held
is decided by kiosk/core/schedule.py on the screen's clock (``look``, from the
screen's tick and its store changes); the screen moves the released ones to
its rail and announces them (``due_text``, a chime), once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.core.formatting import format_clock
from kiosk.core.schedule import Schedule
from kiosk.protocol import Order
from kiosk.ui.i18n import fill
from kiosk.ui.widgets.elided_label import ElidedLabel
from kiosk.ui.widgets.plain_label import PlainLabel


class LaterStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("laterStrip")
        self.heading = PlainLabel(parent=self)
        self.heading.setProperty("role", "heading")
        self.entries = ElidedLabel(parent=self, separator=" · ")
        self.entries.setObjectName("laterEntries")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 2, 12, 2)
        layout.addWidget(self.heading)
        layout.addWidget(self.entries, 1)
        self._held: list[Order] = []
        self._schedule = Schedule()
        self.retranslate()
        self.hide()  # nothing booked: no strip

    def look(self, orders: Iterable[Order], now: datetime) -> list[Order]:
        """Show the orders held at ``now``; returns those released since the last look (announce them)."""
        releases = self._schedule.look(orders, now)
        self.set_held(releases.held)
        return releases.fired

    def due_text(self, order: Order) -> str:
        """The toast for a released order."""
        wanted = format_clock(order.fire_at) if order.fire_at else ""
        template = self.tr("Scheduled order %1 is due: start it now (wanted %2)")
        return fill(template, order.order_number or str(order.id), wanted)

    def set_held(self, held: Sequence[Order]) -> None:
        """The held orders, soonest release first (as ``Schedule.look`` gives them)."""
        if [(o.id, o.version) for o in held] == [(o.id, o.version) for o in self._held]:
            return
        self._held = list(held)
        self._show()

    def held_numbers(self) -> list[str]:
        return [order.order_number or str(order.id) for order in self._held]

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Later:"))
        self._show()

    def _show(self) -> None:
        parts = [
            f"{order.order_number or order.id} {format_clock(order.fire_at)}"
            if order.fire_at
            else str(order.id)
            for order in self._held
        ]
        self.entries.setText(" · ".join(parts))
        self.setVisible(bool(parts))
