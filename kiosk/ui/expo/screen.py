"""The expo view (a kitchen display with ``view = "expo"``): the pass, where orders are checked and bumped.

The stations cook the lines and bump them one by one (``order:item_status_changed``);
the expeditor sees, per open order, each station's done/total of its counted
lines (voided lines do not count), the allergens on the plate, and the order's
age on the injected clock, rush orders first.  The server never readies an
order by itself: the expo does, here.

Touch and keys (the screen has the keyboard; its lists never take focus):

- an order whose lines are all done says "All done — bump": one tap on it, or
  Enter with it selected, readies it (``Session.set_status(id, READY)``);
- an order that is not all done is bumped only deliberately: Shift+Enter at
  once, or a second tap / Enter on the same order within ``CONFIRM_S`` (3 s on
  the injected clock's monotonic time) of the first, which only arms it and
  says so on the row ("Not all done — again to bump").  A pending order goes
  through preparing on the way, as the status machine requires;
- a ready order sits in "Waiting for pick-up" with its own timer from
  ``ready_at``; one tap or Enter hands it out (``COMPLETED``).  It leaves when
  completed or cancelled, here or elsewhere;
- Up/Down move the selection through both areas, Left/Right switch area;
- a booked order waits in the Later strip until its release (kiosk/core/schedule.py),
  then joins the pass with a chime and a toast.

The selection is an order, not a row: it stays on its order while rows
reorder; when its order leaves its area (bumped), the row that took its place
is selected, so the expo can bump the next order at once.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.actions import ActionOutcome
from kiosk.core.changes import Change
from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.schedule import is_held
from kiosk.core.session import Session
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge, fire
from kiosk.ui.expo.progress import ExpoRow, expo_row, open_sort_key, waiting_sort_key
from kiosk.ui.expo.row_list import RowList
from kiosk.ui.i18n import fill
from kiosk.ui.refusals import order_refusal_text
from kiosk.ui.screen_base import Screen
from kiosk.ui.sound import ORDER_RELEASED
from kiosk.ui.widgets.later_strip import LaterStrip
from kiosk.ui.widgets.plain_label import PlainLabel

log = logging.getLogger("kiosk.ui")

CONFIRM_S = 3.0
OPEN_AREA, WAITING_AREA = 0, 1


class ExpoScreen(Screen):
    """The expo: ``ExpoScreen(session, config, clock, parent)``; the header counts the orders it shows."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("expoScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._session = session
        self._clock = clock
        self._rows: dict[EntityId, ExpoRow] = {}
        self._selected: EntityId | None = None
        self._selected_at: tuple[int, int] = (OPEN_AREA, 0)  # area and index, for when the order leaves it
        self._armed: dict[EntityId, float] = {}  # key -> monotonic deadline of the confirming touch
        self._sending: set[EntityId] = set()
        self.sent: list[tuple[EntityId, OrderStatus]] = []  # every status this screen asked for (tests, dump)
        self.last_outcome: ActionOutcome | None = None
        self._build()
        for order in session.store.orders.values():
            self._take(order)
        self._look_at_schedule()
        self._show_rows()
        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self._on_changes)
        self._retranslate()

    def _build(self) -> None:
        now = lambda: self._clock.now().timestamp()  # noqa: E731 - the lists' wall clock
        self.open_heading = PlainLabel(parent=self)
        self.open_heading.setObjectName("expoOpenHeading")
        self.open_heading.setProperty("role", "heading")
        self.waiting_heading = PlainLabel(parent=self)
        self.waiting_heading.setObjectName("expoWaitingHeading")
        self.waiting_heading.setProperty("role", "heading")
        self.waiting_heading.setStyleSheet("color: #4ADE80;")
        self.open_list = RowList(now, waiting=False, parent=self)
        self.open_list.setObjectName("expoOpen")
        self.waiting_list = RowList(now, waiting=True, parent=self)
        self.waiting_list.setObjectName("expoWaiting")
        self.open_list.tapped.connect(self.tap)
        self.waiting_list.tapped.connect(self.tap)
        self.hint = PlainLabel(parent=self)
        self.hint.setProperty("role", "muted")
        self.outcome_label = PlainLabel(parent=self)
        self.outcome_label.setObjectName("expoOutcome")
        self.outcome_label.setWordWrap(True)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        for heading, rows, stretch in (
            (self.open_heading, self.open_list, 3),
            (self.waiting_heading, self.waiting_list, 2),
        ):
            column = QVBoxLayout()
            column.setSpacing(6)
            column.addWidget(heading)
            column.addWidget(rows, 1)
            columns.addLayout(column, stretch)
        footer = QHBoxLayout()
        footer.addWidget(self.hint)
        footer.addWidget(self.outcome_label, 1)
        self.later = LaterStrip(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.later)
        layout.addLayout(columns, 1)
        layout.addLayout(footer)

    # -- the store's changes ---------------------------------------------------------------
    def _take(self, order: Order) -> None:
        row = None if is_held(order, self._clock.now()) else expo_row(order)
        if row is None:
            self._rows.pop(order.id, None)
            self._armed.pop(order.id, None)
        else:
            self._rows[order.id] = row
            if row.waiting or row.all_done:
                self._armed.pop(order.id, None)  # nothing left to confirm

    def _on_changes(self, changes: list[Change]) -> None:
        touched = False
        for change in changes:
            if change.collection != "orders":
                continue
            touched = True
            if isinstance(change.new, Order):
                self._take(change.new)
            else:
                self._rows.pop(change.key, None)
                self._armed.pop(change.key, None)
        if touched:
            self._look_at_schedule()
            self._show_rows()

    def _look_at_schedule(self) -> None:
        """Booked orders wait in the Later strip; at their release they join the pass, announced."""
        for order in self.later.look(self._session.store.orders.values(), self._clock.now()):
            self._take(order)
            self.announced.emit(self.later.due_text(order), order.id, ORDER_RELEASED)

    def _show_rows(self) -> None:
        rows = self._rows.values()
        self.open_list.set_rows(sorted((row for row in rows if not row.waiting), key=open_sort_key))
        self.waiting_list.set_rows(sorted((row for row in rows if row.waiting), key=waiting_sort_key))
        self._keep_selection()
        self._show_counts()

    # -- selection ----------------------------------------------------------------------------
    def _areas(self) -> tuple[list[EntityId], list[EntityId]]:
        return self.open_list.order_ids(), self.waiting_list.order_ids()

    def _keep_selection(self) -> None:
        """Stay on the selected order while it stays in its area; else take the row now in its place."""
        areas = self._areas()
        area, index = self._selected_at
        if self._selected is not None and self._selected in areas[area]:
            self._select(self._selected)
            return
        if areas[area]:
            self._select(areas[area][min(index, len(areas[area]) - 1)])
        elif areas[1 - area]:
            self._select(areas[1 - area][0])
        else:
            self._selected = None
            self._mark()

    def _select(self, key: EntityId | None) -> None:
        self._selected = key
        for area, keys in enumerate(self._areas()):
            if key in keys:
                self._selected_at = (area, keys.index(key))
                (self.open_list, self.waiting_list)[area].ensure_visible(key)
        self._mark()

    def _mark(self) -> None:
        armed = self._armed.keys()
        self.open_list.set_marks(self._selected, armed)
        self.waiting_list.set_marks(self._selected, armed)

    def move_selection(self, step: int) -> None:
        """Up/Down: the previous or next order, through the open area into the waiting one."""
        sequence = [key for keys in self._areas() for key in keys]
        if not sequence:
            return
        if self._selected not in sequence:
            self._select(sequence[0])
            return
        self._select(sequence[max(0, min(len(sequence) - 1, sequence.index(self._selected) + step))])

    def switch_area(self, area: int) -> None:
        """Left/Right: the other area's row at the same height (or its last)."""
        keys = self._areas()[area]
        if keys and self._selected_at[0] != area:
            self._select(keys[min(self._selected_at[1], len(keys) - 1)])

    def selected_order_number(self) -> str | None:
        row = self._rows.get(self._selected) if self._selected is not None else None
        return row.number if row is not None else None

    # -- actions --------------------------------------------------------------------------------
    def tap(self, key: EntityId) -> None:
        """A touch or click on a row: select it and do what Enter does (a second touch confirms)."""
        self._select(key)
        self.activate(key, confirmed=False)

    def activate(self, key: EntityId, *, confirmed: bool) -> None:
        """Bump (ready) an open order, hand out (complete) a waiting one; an incomplete order needs a confirm."""
        row = self._rows.get(key)
        if row is None or key in self._sending:
            return
        now = self._clock.monotonic()
        if row.waiting:
            self._send(row, (OrderStatus.COMPLETED,))
            return
        if not row.all_done and not confirmed and self._armed.get(key, 0.0) <= now:
            self._armed[key] = now + CONFIRM_S
            self._mark()
            self.outcome_label.show_status(
                fill(
                    self.tr("Order %1 is not all done: press again within 3 s to bump it anyway"), row.number
                ),
                error=False,
            )
            return
        self._armed.pop(key, None)
        steps = (
            (OrderStatus.READY,)
            if row.status is OrderStatus.PREPARING
            else (OrderStatus.PREPARING, OrderStatus.READY)
        )
        self._send(row, steps)

    def _send(self, row: ExpoRow, steps: tuple[OrderStatus, ...]) -> None:
        log.info(
            "expo: order %s -> %s%s",
            row.number,
            steps[-1],
            "" if row.all_done or row.waiting else " (not all done)",
        )
        self._sending.add(row.key)
        self.sent.append((row.key, steps[-1]))
        self._mark()
        self.outcome_label.show_status(self.tr("Sending…"), error=False)
        fire(self._run(row, steps), f"set order {row.key} to {steps[-1]}")

    async def _run(self, row: ExpoRow, steps: tuple[OrderStatus, ...]) -> None:
        try:
            for status in steps:
                outcome = await self._session.set_status(row.key, status)
                self.last_outcome = outcome
                if not outcome.ok:
                    why = order_refusal_text(outcome.code, outcome.reason)
                    self.outcome_label.show_status(
                        fill(self.tr("Order %1 was not changed: %2"), row.number, why), error=True
                    )
                    return
            if outcome.queued:
                self.outcome_label.show_status(
                    self.tr("Offline: saved, will be sent when the connection is back"), error=False
                )
            else:
                self.outcome_label.show_status("", error=False)
        finally:
            self._sending.discard(row.key)

    def is_sending(self, key: EntityId) -> bool:
        """A status asked for this order has not been answered yet: another touch on it waits."""
        return key in self._sending

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_selection(-1 if key == Qt.Key.Key_Up else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.switch_area(OPEN_AREA if key == Qt.Key.Key_Left else WAITING_AREA)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self._selected is not None:
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.activate(self._selected, confirmed=shift)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- window hooks ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Once a second: the timers move, and an unconfirmed arm runs out."""
        now = self._clock.monotonic()
        expired = [key for key, until in self._armed.items() if until <= now]
        for key in expired:
            del self._armed[key]
        if expired:
            self._mark()
        count = len(self._rows)
        self._look_at_schedule()
        if len(self._rows) != count:
            self._show_rows()
        self.open_list.viewport().update()
        self.waiting_list.viewport().update()

    def open_count(self) -> int:
        return len(self._rows)

    def focus_order(self, key: EntityId) -> bool:
        if key not in self._rows:
            return False
        self._select(key)
        self.setFocus()
        return True

    def armed_numbers(self) -> list[str]:
        return [self._rows[key].number for key in self._armed if key in self._rows]

    def state_extra(self) -> dict[str, Any]:
        return {
            "view": "expo",
            "open": [row.number for row in self.open_list.rows()],
            "all_done": [row.number for row in self.open_list.rows() if row.all_done],
            "waiting": [row.number for row in self.waiting_list.rows()],
            "selected": self.selected_order_number(),
            "armed": self.armed_numbers(),
            "more_below": {"open": self.open_list.more_below(), "waiting": self.waiting_list.more_below()},
        }

    def _show_counts(self) -> None:
        self.open_heading.setText(fill(self.tr("Open orders (%1)"), str(len(self.open_list.order_ids()))))
        self.waiting_heading.setText(
            fill(self.tr("Waiting for pick-up (%1)"), str(len(self.waiting_list.order_ids())))
        )
        self.summaryChanged.emit()

    def _retranslate(self) -> None:
        self._show_counts()
        self.hint.setText(self.tr("↑↓ select · ←→ area · Enter bump · Shift+Enter bump anyway"))
        self.open_list.empty_text = self.tr("No open orders")
        self.waiting_list.empty_text = self.tr("Nobody waiting")
        self.later.retranslate()
        self.open_list.viewport().update()
        self.waiting_list.viewport().update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.bridge.close()
        super().closeEvent(event)
