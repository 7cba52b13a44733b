"""The pick-up board (room ``board``): what the customers waiting at the counter look at.

Two columns of big order numbers, "Preparing" (pending or preparing) and
"Ready for pick-up", each tile in its stall's colour with the customer's first
name under it.  The board holds nothing but that: the server sends the board
room only ``board_view``s (kiosk/protocol/board.py: no items, no amounts, a
first name), and the screen keeps only a ``Tile`` per order, cutting the name
to its first word again (a board configured with a wider token still shows
no surnames).

A number that turns ready chimes once (the sound board's debounce makes a
burst one chime) and flashes a bright border for ``highlight_s`` seconds on
the injected clock, so a customer who looked away sees which number was just
called.  Completed and cancelled orders leave at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.changes import Change
from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.session import Session
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.board import board_name
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge
from kiosk.ui.board.number_grid import NumberGrid, Tile
from kiosk.ui.screen_base import Screen
from kiosk.ui.sound import ORDER_READY, SoundBoard
from kiosk.ui.widgets.plain_label import PlainLabel

log = logging.getLogger("kiosk.ui")

HIGHLIGHT_S = 10.0
FLASH_S = 0.5  # half a flash: border colour changes twice a second while a number is new
PREPARING = frozenset({OrderStatus.PENDING, OrderStatus.PREPARING})
# A status change is silent in the window on purpose (the kitchen made it itself); the board plays
# its own "number called" kind.
READY_CHIME_KIND = ORDER_READY


@dataclass(frozen=True, slots=True)
class _Entry:
    tile: Tile
    status: OrderStatus
    since: float  # what the column sorts on, newest first: created (Preparing), turned ready (Ready)


def _stamp(*moments: datetime | None) -> float:
    return next((moment.timestamp() for moment in moments if moment is not None), 0.0)


def _entry(order: Order) -> _Entry:
    tile = Tile(
        order.id, order.order_number or str(order.id), board_name(order.customer_name), order.tenant_id
    )
    if order.status is OrderStatus.READY:
        since = _stamp(order.ready_at, order.updated_at, order.created_at)
    else:
        since = _stamp(order.created_at, order.updated_at)
    return _Entry(tile, order.status, since)


def _id_rank(key: EntityId) -> tuple[int, str]:
    return (int(key), "") if isinstance(key, int) else (0, str(key))


class BoardScreen(Screen):
    """The customer board; the window's header counts its numbers, and the window's sound board chimes."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("boardScreen")
        self._clock = clock
        self.highlight_s = HIGHLIGHT_S
        self.sound: SoundBoard | None = None  # None: the window's (it carries the mute button)
        self.ready_chimes = 0  # numbers that turned ready while shown (chimed or debounced into one)
        self._entries: dict[EntityId, _Entry] = {}
        self._highlight_until: dict[EntityId, float] = {}
        self._build()
        self._flash = QTimer(self)
        self._flash.setInterval(round(FLASH_S * 1000))
        self._flash.timeout.connect(self._update_highlights)
        for order in session.store.orders.values():
            self._take(order)
        self._show_entries()
        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self._on_changes)
        self._retranslate()

    def _build(self) -> None:
        self.preparing_heading = PlainLabel(parent=self)
        self.preparing_heading.setObjectName("preparingHeading")
        self.preparing_heading.setProperty("role", "title")
        self.ready_heading = PlainLabel(parent=self)
        self.ready_heading.setObjectName("readyHeading")
        self.ready_heading.setProperty("role", "title")
        self.ready_heading.setStyleSheet("color: #4ADE80;")  # green: the column people wait for
        self.preparing = NumberGrid(self)
        self.preparing.setObjectName("preparingGrid")
        self.ready = NumberGrid(self)
        self.ready.setObjectName("readyGrid")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(24)
        for heading, grid in ((self.preparing_heading, self.preparing), (self.ready_heading, self.ready)):
            column = QVBoxLayout()
            column.setSpacing(8)
            column.addWidget(heading)
            column.addWidget(grid, 1)
            layout.addLayout(column, 1)

    # -- the store's changes --------------------------------------------------------------
    def _take(self, order: Order) -> _Entry | None:
        """Hold what the board shows of an order (None, and dropped, when it has left the board)."""
        if order.status not in PREPARING and order.status is not OrderStatus.READY:
            self._drop(order.id)
            return None
        entry = _entry(order)
        self._entries[order.id] = entry
        if order.status is not OrderStatus.READY:
            self._highlight_until.pop(order.id, None)
        return entry

    def _drop(self, key: EntityId) -> None:
        self._entries.pop(key, None)
        self._highlight_until.pop(key, None)

    def _on_changes(self, changes: list[Change]) -> None:
        turned_ready: list[EntityId] = []
        touched = False
        for change in changes:
            if change.collection != "orders":
                continue
            touched = True
            before = self._entries.get(change.key)
            new = change.new
            if not isinstance(new, Order):
                self._drop(change.key)
                continue
            entry = self._take(new)
            if (
                entry is not None
                and entry.status is OrderStatus.READY
                and before is not None
                and before.status is not OrderStatus.READY
            ):
                turned_ready.append(change.key)
        if not touched:
            return
        if turned_ready:
            self._turned_ready(turned_ready)
        self._show_entries()
        self._update_highlights()

    def _turned_ready(self, keys: list[EntityId]) -> None:
        until = self._clock.monotonic() + self.highlight_s
        for key in keys:
            self._highlight_until[key] = until
        self.ready_chimes += len(keys)
        sound = self.sound_board()
        played = sound.play(READY_CHIME_KIND) if sound is not None else False
        log.info(
            "board: %s ready%s",
            ", ".join(self._entries[key].tile.number for key in keys),
            "" if played else " (no chime: muted, debounced or no sound board)",
        )
        if not self._flash.isActive():
            self._flash.start()

    def _show_entries(self) -> None:
        preparing = [entry for entry in self._entries.values() if entry.status in PREPARING]
        ready = [entry for entry in self._entries.values() if entry.status is OrderStatus.READY]
        for grid, entries in ((self.preparing, preparing), (self.ready, ready)):
            entries.sort(key=lambda entry: (entry.since, _id_rank(entry.tile.key)), reverse=True)
            grid.set_tiles([entry.tile for entry in entries])

    def _update_highlights(self) -> None:
        """Expire finished highlights on the injected clock and flash the others."""
        now = self._clock.monotonic()
        for key in [key for key, until in self._highlight_until.items() if until <= now]:
            del self._highlight_until[key]
        if not self._highlight_until:
            self._flash.stop()
        flash_on = int(now / FLASH_S) % 2 == 0
        self.ready.set_highlights(self._highlight_until.keys(), flash_on)

    def sound_board(self) -> SoundBoard | None:
        """The board's own sound (tests, a bench) or else the window's, which the mute button controls."""
        if self.sound is not None:
            return self.sound
        found = getattr(self.window(), "sound", None)
        return found if isinstance(found, SoundBoard) else None

    # -- window hooks ------------------------------------------------------------------------
    def for_staff(self) -> bool:
        return False  # no toasts, kitchen chimes or staff alerts in front of the customers

    def tick(self) -> None:
        self._update_highlights()

    def open_count(self) -> int:
        return len(self._entries)

    def highlighted_numbers(self) -> list[str]:
        return [self._entries[key].tile.number for key in self._highlight_until if key in self._entries]

    def state_extra(self) -> dict[str, Any]:
        return {
            "preparing": [tile.number for tile in self.preparing.tiles()],
            "ready": [tile.number for tile in self.ready.tiles()],
            "shown": {
                "preparing": len(self.preparing.visible_tiles()),
                "ready": len(self.ready.visible_tiles()),
            },
            "more": {"preparing": self.preparing.more_count(), "ready": self.ready.more_count()},
            "highlighted": self.highlighted_numbers(),
            "ready_chimes": self.ready_chimes,
        }

    def _retranslate(self) -> None:
        self.preparing_heading.setText(self.tr("Preparing"))
        self.ready_heading.setText(self.tr("Ready for pick-up"))
        self.preparing.update()
        self.ready.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        # the size floor follows the window's height, known only once the window is shown
        super().showEvent(event)
        self.preparing.refresh_layout()
        self.ready.refresh_layout()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.bridge.close()
        super().closeEvent(event)
