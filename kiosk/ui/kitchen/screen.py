"""The kitchen display (room ``display``): the card grid plus the all-day panel.

The screen only asks the Session to act (bump, recall, a line's status, rush);
the optimistic update, the REST call off the GUI thread and the rollback live
in the core (kiosk/core/actions.py), and come back here as ordinary store
Changes.  A station screen (config ``stations``) shows only the orders with a
line of its stations, greys or hides the other lines (``other_stations``) and
says how many orders it leaves out, so nobody thinks they are lost.  Rush
orders come first.  A card that changed from elsewhere flashes (flash.py).  A refusal's reason reaches the person
through the window's banner (every screen shares that path).  The side panel
says "page 2 of 5" when there are more cards than fit, so a cook knows orders
are waiting below the fold.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.core.actions import Action
from kiosk.core.clock import Clock
from kiosk.core.config import Config, keyword_list
from kiosk.core.schedule import is_held
from kiosk.core.session import Session
from kiosk.core.store import Change
from kiosk.protocol import Order
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import Priority, item_bump_target
from kiosk.ui.async_bridge import SessionBridge, fire
from kiosk.ui.i18n import fill
from kiosk.ui.kitchen.all_day import AllDayPanel
from kiosk.ui.kitchen.card_delegate import (
    CardDelegate,
    CardText,
    StationFilter,
    Thresholds,
    card_text,
    timer_rect,
)
from kiosk.ui.kitchen.card_layout import CardLayout
from kiosk.ui.kitchen.flash import ChangeFlash
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.models import OrderListModel, rush_first, shown_in_grid
from kiosk.ui.screen_base import Screen
from kiosk.ui.sound import ORDER_RELEASED
from kiosk.ui.widgets.later_strip import LaterStrip
from kiosk.ui.widgets.prep_panel import PrepPanel

log = logging.getLogger("kiosk.ui")

CANCELLED_LINGER_S = 8.0


class KitchenScreen(Screen):
    """The kitchen's screen; its filter's hidden count goes to the window's header (``hiddenCountChanged``)."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("kitchenScreen")
        self._session = session
        self._clock = clock
        self.stations = StationFilter(
            frozenset(name.casefold() for name in config.stations),
            hide_others=config.other_stations == "hide",
        )
        self.model = OrderListModel(
            include=self._included,
            cancelled_linger_s=min(CANCELLED_LINGER_S, config.keep_final_s) or CANCELLED_LINGER_S,
            monotonic=clock.monotonic,
            key=rush_first,
            parent=self,
        )
        self.model.reset(session.store.orders.values())
        self.grid = CardGrid(self, density=config.card_density)
        self.grid.setModel(self.model)
        self.delegate = CardDelegate(
            clock,
            Thresholds(config.warn_after_s, config.late_after_s),
            self.grid,
            allergy_keywords=keyword_list(config.allergy_keywords),
            stations=self.stations,
        )
        self.grid.setItemDelegate(self.delegate)
        self.delegate.follow(self.model)
        self._build_side(session)

        self.flash = ChangeFlash(clock.monotonic, self)
        self.flash.flashed.connect(self._flashed)
        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self.flash.apply)  # before the model: the card repaints once
        self.bridge.changes.connect(self.model.apply_changes)
        self.bridge.changes.connect(self.all_day.apply)
        self.bridge.changes.connect(self._count_elsewhere)
        self.model.hiddenCountChanged.connect(
            lambda _n: self.hiddenCountChanged.emit(self.header_hidden_count())
        )
        self.grid.bumpRequested.connect(self._bump_index)
        self.grid.recallRequested.connect(self.recall)
        self.grid.lineBumpRequested.connect(self._bump_line_index)
        self.grid.rushRequested.connect(self._rush_index)

        self._colours: dict[EntityId, int] = {}  # age colour of each card in view at the last tick
        self.bridge.changes.connect(lambda _changes: self._look_at_schedule())
        self._look_at_schedule()

    def _build_side(self, session: Session) -> None:
        """The side panel (all-day, stations, page, Recall) beside the grid."""
        self.all_day = AllDayPanel(session.store.orders.values(), self, belongs=self.stations.owns)
        self.all_day.setFixedWidth(290)
        self.recall_button = QPushButton(self.tr("Recall last (R)"), self)
        self.recall_button.setObjectName("recallButton")
        self.recall_button.clicked.connect(self.recall)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("pageLabel")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.page_label.font()
        font.setBold(True)
        self.page_label.setFont(font)
        self._page = (1, 1)
        self._show_page(*self.grid.page_position())
        self.grid.pageChanged.connect(self._show_page)
        self.station_label = QLabel(self)
        self.station_label.setObjectName("stationLabel")
        self.station_label.setTextFormat(Qt.TextFormat.PlainText)
        self.station_label.setWordWrap(True)
        self._elsewhere: set[EntityId] = {
            o.id for o in session.store.orders.values() if self._elsewhere_only(o)
        }
        self._show_stations()

        self.prep_panel = PrepPanel(session.rest, self._clock, None, self)
        self.prep_panel.setWordWrap(True)
        self.later = LaterStrip(self)

        side = QVBoxLayout()
        side.addWidget(self.all_day, 1)
        side.addWidget(self.prep_panel)
        side.addWidget(self.station_label)
        side.addWidget(self.page_label)
        side.addWidget(self.recall_button)
        rail = QVBoxLayout()
        rail.setContentsMargins(0, 0, 0, 0)
        rail.addWidget(self.later)
        rail.addWidget(self.grid, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(rail, 1)
        layout.addLayout(side)
        self.setFocusProxy(self.grid)

    # -- actions ---------------------------------------------------------------
    def bump(self, order_id: EntityId) -> None:
        """Advance one order (pending → preparing → ready → completed)."""
        log.info("bump requested for order %s", order_id)
        self.flash.expect(order_id, "status")
        fire(self._session.bump(order_id), f"bump order {order_id}")

    def recall(self) -> None:
        log.info("recall of the last bumped order requested")
        recalled = getattr(self._session, "last_bumped", None)  # a property on Session
        if recalled is not None:
            self.flash.expect(recalled, "status")
        fire(self._session.recall(), "recall the last bumped order")

    def bump_item(self, order_id: EntityId, item_id: int) -> None:
        """Move one line on (pending → started → done → pending); a voided line stays as it is."""
        order = self._session.store.orders.get(order_id)
        item = next((line for line in order.items if line.id == item_id), None) if order else None
        target = item_bump_target(item.status) if item is not None else None
        if target is None:
            log.info("line %s of order %s cannot be bumped (gone or voided)", item_id, order_id)
            return
        log.info("line %s of order %s: %s requested", item_id, order_id, target.value)
        self.flash.expect(order_id, item_id)
        self.flash.expect(order_id, "status")  # a first line started moves a new order to cooking
        action = Action("item", order_id, status=target.value, item_id=item_id)
        fire(self._session.actions.submit(action), f"bump line {item_id} of order {order_id}")

    def toggle_rush(self, order_id: EntityId) -> None:
        """Mark the order rush, or back to normal when it is."""
        order = self._session.store.orders.get(order_id)
        if order is None:
            return
        target = Priority.NORMAL if order.priority is Priority.RUSH else Priority.RUSH
        log.info("order %s: priority %s requested", order_id, target.value)
        self.flash.expect(order_id, "priority")
        action = Action("priority", order_id, status=target.value)
        fire(self._session.actions.submit(action), f"mark order {order_id} {target.value}")

    def _bump_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.bump(self.model.order_at(index.row()).id)

    def _bump_line_index(self, index: QModelIndex, item_id: int) -> None:
        if index.isValid():
            self.bump_item(self.model.order_at(index.row()).id, item_id)

    def _rush_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.toggle_rush(self.model.order_at(index.row()).id)

    # -- stations and flashes ----------------------------------------------------
    def _included(self, order: Order) -> bool:
        return shown_in_grid(order) and self.stations.shows(order) and not is_held(order, self._clock.now())

    def _elsewhere_only(self, order: Order) -> bool:
        """An order this screen would show but for its stations: all its lines are other stations'."""
        return shown_in_grid(order) and not self.stations.shows(order)

    def _count_elsewhere(self, changes: Sequence[Change]) -> None:
        before = len(self._elsewhere)
        for change in changes:
            if change.collection != "orders":
                continue
            if isinstance(change.new, Order) and self._elsewhere_only(change.new):
                self._elsewhere.add(change.key)
            else:
                self._elsewhere.discard(change.key)
        if len(self._elsewhere) != before:
            self._show_stations()
            self.hiddenCountChanged.emit(self.header_hidden_count())

    def _look_at_schedule(self) -> None:
        """Held orders to the Later strip; those whose release came onto the rail, announced once."""
        for order in self.later.look(self._session.store.orders.values(), self._clock.now()):
            self.model.upsert(order)
            if self.stations.shows(order):
                self.announced.emit(self.later.due_text(order), order.id, ORDER_RELEASED)

    def announces(self, entity: object) -> bool:
        """No toast or chime for an order of other stations only, or one held for later."""
        if not isinstance(entity, Order):
            return True
        return not self._elsewhere_only(entity) and not is_held(entity, self._clock.now())

    def hidden_for_stations(self) -> int:
        """Open orders left out because none of their lines is this screen's."""
        return len(self._elsewhere)

    def _show_stations(self) -> None:
        """ "Stations: grill" and how many orders other stations have, under the all-day panel."""
        if not self.stations.stations:
            self.station_label.setVisible(False)
            return
        names = fill(self.tr("Stations: %1"), ", ".join(sorted(self.stations.stations)))
        hidden = len(self._elsewhere)
        text = (
            names
            if not hidden
            else names + "\n" + self.tr("%n order(s) for other stations hidden", "", hidden)
        )
        self.station_label.setText(text)
        self.station_label.setVisible(True)

    def station_text(self) -> str:
        return self.station_label.text()

    def is_flashing(self, order_id: EntityId) -> bool:
        return self.flash.is_flashing(order_id)

    def _flashed(self, order_id: EntityId, on: bool) -> None:
        if on:
            self.delegate.flashing.add(order_id)
        else:
            self.delegate.flashing.discard(order_id)
        row = self.model.row_of(order_id)
        if row is not None:
            self.grid.viewport().update(self.grid.visualRect(self.model.index(row)))

    def _show_page(self, current: int, total: int) -> None:
        """ "page 2 of 5" above the Recall button; hidden while every card is in view."""
        self._page = (current, total)
        self.page_label.setText(fill(self.tr("page %1 of %2"), str(current), str(total)))
        self.page_label.setVisible(total > 1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.recall_button.setText(self.tr("Recall last (R)"))
            self._show_page(*self._page)
            self._show_stations()
            self.later.retranslate()
            self.prep_panel.retranslate()
            self.model.refresh_all()  # cards repaint with the new words (chips, order types)
        super().changeEvent(event)

    # -- window hooks ----------------------------------------------------------
    def tick(self) -> None:
        """Once a second (the window's timer): drop cancelled cards that have lingered, refresh the timers in view.

        Only the timer of each card in view is repainted, and a whole card only
        when its age colour changes, so the cost follows the cards on screen
        (not the number of open orders) and stays a few small blits.
        """
        self.model.expire()
        self._look_at_schedule()
        self.prep_panel.tick()
        viewport = self.grid.viewport()
        area = viewport.rect()
        seen: dict[EntityId, int] = {}
        for row in range(self.grid.first_visible_row(), self.model.rowCount()):
            card = self.grid.visualRect(self.model.index(row))
            if card.top() > area.bottom():
                break
            if not card.intersects(area):
                continue
            order = self.model.order_at(row)
            colour = self.delegate.colour_of(order).rgb()
            seen[order.id] = colour
            if self._colours.get(order.id) != colour:
                viewport.update(card)
            else:
                viewport.update(timer_rect(card))
        self._colours = seen

    def focus_order(self, key: EntityId) -> bool:
        """Select and scroll to an order's card (a toast was clicked); False if it is gone."""
        row = self.model.row_of(key)
        if row is None:
            return False
        self.grid.setFocus()
        return self.grid.select_row(row)

    def card_text(self, key: EntityId) -> CardText | None:
        """The strings the card of an order shows right now (None when it has no card)."""
        row = self.model.row_of(key)
        if row is None:
            return None
        return card_text(self.model.order_at(row), self._clock.now(), stations=self.stations)

    def card_layout(self, key: EntityId) -> tuple[QRect, CardLayout] | None:
        """Where an order's card is in the grid's viewport and where each of its lines is (None: no card)."""
        row = self.model.row_of(key)
        if row is None:
            return None
        return self.grid.visualRect(self.model.index(row)), self.delegate.layout_of(self.model.order_at(row))

    def header_hidden_count(self) -> int:
        return self.model.hidden_count() + len(self._elsewhere)

    def open_count(self) -> int:
        return self.model.rowCount()
