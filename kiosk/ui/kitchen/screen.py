"""The kitchen display (room ``display``): the card grid plus the all-day panel.

The screen only asks the Session to act (bump, recall); the optimistic update,
the REST call off the GUI thread and the rollback live in the core, and come
back here as ordinary store Changes.  A refusal's reason reaches the person
through the window's banner (every screen shares that path).  The side panel
says "page 2 of 5" when there are more cards than fit, so a cook knows orders
are waiting below the fold.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.core.clock import Clock
from kiosk.core.config import Config, keyword_list
from kiosk.core.session import Session
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge, fire
from kiosk.ui.i18n import fill
from kiosk.ui.kitchen.all_day import AllDayPanel
from kiosk.ui.kitchen.card_delegate import CardDelegate, CardText, Thresholds, card_text, timer_rect
from kiosk.ui.kitchen.card_layout import CardLayout
from kiosk.ui.kitchen.grid import CardGrid
from kiosk.ui.models import OrderListModel
from kiosk.ui.screen_base import Screen

log = logging.getLogger("kiosk.ui")

CANCELLED_LINGER_S = 8.0


class KitchenScreen(Screen):
    """The kitchen's screen; its filter's hidden count goes to the window's header (``hiddenCountChanged``)."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("kitchenScreen")
        self._session = session
        self._clock = clock
        self.model = OrderListModel(
            cancelled_linger_s=min(CANCELLED_LINGER_S, config.keep_final_s) or CANCELLED_LINGER_S,
            monotonic=clock.monotonic,
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
        )
        self.grid.setItemDelegate(self.delegate)
        self.delegate.follow(self.model)
        self.all_day = AllDayPanel(session.store.orders.values(), self)
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

        side = QVBoxLayout()
        side.addWidget(self.all_day, 1)
        side.addWidget(self.page_label)
        side.addWidget(self.recall_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid, 1)
        layout.addLayout(side)
        self.setFocusProxy(self.grid)

        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self.model.apply_changes)
        self.bridge.changes.connect(self.all_day.apply)
        self.model.hiddenCountChanged.connect(self.hiddenCountChanged.emit)
        self.grid.bumpRequested.connect(self._bump_index)
        self.grid.recallRequested.connect(self.recall)

        self._colours: dict[EntityId, int] = {}  # age colour of each card in view at the last tick

    # -- actions ---------------------------------------------------------------
    def bump(self, order_id: EntityId) -> None:
        """Advance one order (pending → preparing → ready → completed)."""
        log.info("bump requested for order %s", order_id)
        fire(self._session.bump(order_id), f"bump order {order_id}")

    def recall(self) -> None:
        log.info("recall of the last bumped order requested")
        fire(self._session.recall(), "recall the last bumped order")

    def _bump_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.bump(self.model.order_at(index.row()).id)

    def _show_page(self, current: int, total: int) -> None:
        """ "page 2 of 5" above the Recall button; hidden while every card is in view."""
        self._page = (current, total)
        self.page_label.setText(fill(self.tr("page %1 of %2"), str(current), str(total)))
        self.page_label.setVisible(total > 1)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.recall_button.setText(self.tr("Recall last (R)"))
            self._show_page(*self._page)
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
        return card_text(self.model.order_at(row), self._clock.now())

    def card_layout(self, key: EntityId) -> tuple[QRect, CardLayout] | None:
        """Where an order's card is in the grid's viewport and where each of its lines is (None: no card)."""
        row = self.model.row_of(key)
        if row is None:
            return None
        return self.grid.visualRect(self.model.index(row)), self.delegate.layout_of(self.model.order_at(row))

    def header_hidden_count(self) -> int:
        return self.model.hidden_count()

    def open_count(self) -> int:
        return self.model.rowCount()
