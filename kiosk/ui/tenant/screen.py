"""The tenant stall (room ``tenant-N``): this stall's orders and what staff do with them.

Only the stall's own orders are listed (the server routes only those to the
room; the model filters again and says how many it hides, so a wrongly
scoped token is visible rather than silently mixing stalls).  Buttons follow
the status machine from the contract: only moves the server would accept are
enabled, and a refusal (another screen moved the order first) is shown with
the server's reason next to the buttons.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.actions import ActionOutcome
from kiosk.core.clock import Clock
from kiosk.core.config import Config, keyword_list
from kiosk.core.formatting import format_clock
from kiosk.core.schedule import is_held
from kiosk.core.session import Session
from kiosk.core.store import Notice
from kiosk.protocol import (
    Event,
    Order,
    OrderStatus,
    ProtocolError,
    RoomKind,
    bump_target,
    can_transition,
    parse_room,
)
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge, fire
from kiosk.ui.i18n import fill
from kiosk.ui.models import OrderListModel, shown_in_grid
from kiosk.ui.models.payments_model import PaymentsModel, of_tenant
from kiosk.ui.refusals import order_refusal_text
from kiosk.ui.screen_base import Screen
from kiosk.ui.sound import ORDER_RELEASED
from kiosk.ui.tenant.cancel_dialog import CancelDialog
from kiosk.ui.tenant.order_delegate import TenantOrderDelegate
from kiosk.ui.widgets.fit_columns import FitColumns
from kiosk.ui.widgets.later_strip import LaterStrip
from kiosk.ui.widgets.plain_label import PlainLabel
from kiosk.ui.widgets.prep_panel import PrepPanel

log = logging.getLogger("kiosk.ui")

CANCELLED_LINGER_S = 8.0
MAX_PICKUPS = 50

# button name -> the status it moves the selected order to
STATUS_BUTTONS: dict[str, OrderStatus] = {
    "accept": OrderStatus.PREPARING,
    "ready": OrderStatus.READY,
    "complete": OrderStatus.COMPLETED,
    "cancel": OrderStatus.CANCELLED,
}


def tenant_of(room: str) -> int | None:
    try:
        parsed = parse_room(room)
    except ProtocolError:
        return None
    return parsed.id if parsed.kind is RoomKind.TENANT else None


class TenantScreen(Screen):
    """The stall's screen; it says itself how many orders of other stalls it hides (not the header)."""

    def __init__(self, session: Session, config: Config, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(session, config, clock, parent)
        self.setObjectName("tenantScreen")
        self._session = session
        self._clock = clock
        self.tenant_id = tenant_of(config.room)
        self.model = OrderListModel(
            include=lambda order: shown_in_grid(order) and not is_held(order, clock.now()),
            tenant_id=self.tenant_id,
            cancelled_linger_s=min(CANCELLED_LINGER_S, config.keep_final_s) or CANCELLED_LINGER_S,
            monotonic=clock.monotonic,
            parent=self,
        )
        self.model.reset(session.store.orders.values())
        self.payments = PaymentsModel(of_tenant(self.tenant_id), self)
        self.payments.reset(session.store.payments.values())
        self.cancel_dialog: CancelDialog | None = None
        self.last_outcome: ActionOutcome | None = None

        self._allergy_keywords = keyword_list(config.allergy_keywords)
        self._build()
        self._lay_out()

        picked = [o for o in session.store.orders.values() if o.picked_up_at is not None and self._is_mine(o)]
        for order in sorted(picked, key=lambda o: o.picked_up_at.timestamp() if o.picked_up_at else 0.0):
            self._add_pickup(order)
        self._connect(session)
        self._look_at_schedule()
        self._retranslate()
        self._select_first_if_none()
        self._update_buttons()

    def _build(self) -> None:
        self.heading = PlainLabel(parent=self)
        self.heading.setProperty("role", "heading")
        self.hidden_label = PlainLabel(parent=self)
        self.hidden_label.setProperty("role", "muted")
        self.prep_panel = PrepPanel(self._session.rest, self._clock, self.tenant_id, self)
        self.later = LaterStrip(self)
        self.list = QListView(self)
        self.list.setObjectName("tenantOrders")
        self.list.setModel(self.model)
        self.list.setItemDelegate(
            TenantOrderDelegate(self._clock, self.list, allergy_keywords=self._allergy_keywords)
        )
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # rows as tall as their items, notes and modifiers: nothing on a ticket is cut
        self.list.setUniformItemSizes(False)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.buttons: dict[str, QPushButton] = {}
        for name in STATUS_BUTTONS:
            button = QPushButton(self)
            button.setObjectName(f"{name}Button")
            button.setProperty("action", name)
            button.clicked.connect(lambda _=False, n=name: self.act(n))
            self.buttons[name] = button
        self.outcome_label = PlainLabel(parent=self)
        self.outcome_label.setObjectName("actionOutcome")
        self.outcome_label.setWordWrap(True)
        self.pickups_heading = PlainLabel(parent=self)
        self.pickups_heading.setProperty("role", "heading")
        self.pickups = QListWidget(self)
        self.pickups.setObjectName("pickups")
        self.payments_heading = PlainLabel(parent=self)
        self.payments_heading.setProperty("role", "heading")
        self.payments_table = QTableView(self)
        self.payments_table.setObjectName("tenantPayments")
        self.payments_table.setModel(self.payments)
        self.payments_table.verticalHeader().hide()
        self.payments_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # a stall needs which order, how much and whether it was refunded; the method
        # column is the cashier's business, and the time steps aside on a narrow screen
        columns = PaymentsModel.COLUMNS
        self.fit_columns = FitColumns(
            self.payments_table,
            stretch=columns.index("order"),
            optional=(columns.index("time"),),
            never=(columns.index("method"),),
        )

    def _lay_out(self) -> None:
        button_row = QHBoxLayout()
        for button in self.buttons.values():
            button_row.addWidget(button)
        left = QVBoxLayout()
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading, 1)
        title_row.addWidget(self.prep_panel)
        title_row.addWidget(self.hidden_label)
        left.addLayout(title_row)
        left.addWidget(self.later)
        left.addWidget(self.list, 1)
        left.addLayout(button_row)
        left.addWidget(self.outcome_label)
        right = QVBoxLayout()
        right.addWidget(self.pickups_heading)
        right.addWidget(self.pickups, 1)
        right.addWidget(self.payments_heading)
        right.addWidget(self.payments_table, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.setFocusProxy(self.list)
        self.list.installEventFilter(self)

    def _connect(self, session: Session) -> None:
        self.bridge = SessionBridge(session, self)
        self.bridge.changes.connect(self.model.apply_changes)
        self.bridge.changes.connect(self.payments.apply_changes)
        self.bridge.changes.connect(lambda _changes: self._update_buttons())
        # every batch, not only when rows come and go: a cancel keeps its row
        # (struck through) but is no longer open, and the window's header counts it too
        self.bridge.changes.connect(lambda _changes: self._show_counts())
        self.bridge.notice.connect(self._on_notice)
        self.bridge.changes.connect(lambda _changes: self._look_at_schedule())
        self.model.countChanged.connect(lambda _n: self._retranslate())
        self.model.rowsInserted.connect(lambda *_: self._select_first_if_none())
        self.model.modelReset.connect(self._select_first_if_none)
        self.model.hiddenCountChanged.connect(lambda _n: self._retranslate())
        self.list.selectionModel().selectionChanged.connect(self._on_selection)

    # -- window hooks ---------------------------------------------------------
    def tick(self) -> None:
        """Once a second (the window's timer): drop lingering cancels, repaint the ages."""
        self.model.expire()
        self.list.viewport().update()
        self.prep_panel.tick()
        self._look_at_schedule()

    def open_count(self) -> int:
        return sum(1 for order in self.model.orders() if order.status is not OrderStatus.CANCELLED)

    def hidden_count(self) -> int:
        return self.model.hidden_count()

    def focus_order(self, key: EntityId) -> bool:
        row = self.model.row_of(key)
        if row is None:
            return False
        self.list.setCurrentIndex(self.model.index(row))
        self.list.setFocus()
        return True

    def state_extra(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant_id,
            "shown_orders": [order.order_number for order in self.model.orders()],
            "hidden_orders": self.model.hidden_count(),
            "pickups": [self.pickups.item(i).text() for i in range(self.pickups.count())],
            "payments": self.payments.rowCount(),
            "last_action": None
            if self.last_outcome is None
            else {
                "order_id": self.last_outcome.order_id,
                "ok": self.last_outcome.ok,
                "reason": self.last_outcome.reason,
            },
        }

    # -- actions ----------------------------------------------------------------
    def selected_order(self) -> Order | None:
        index = self.list.currentIndex()
        if not index.isValid():
            return None
        return self.model.order_at(index.row())

    def advance(self) -> None:
        """Enter / Space: the next step for the selected order (Accept, then Ready, then Complete)."""
        order = self.selected_order()
        target = bump_target(order.status) if order is not None else None
        names = {status: name for name, status in STATUS_BUTTONS.items()}
        if target is not None:
            self.act(names[target])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Keys on the order list: Enter/Space advance the order, Delete asks to cancel it."""
        if watched is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
                self.advance()
                return True
            if key == Qt.Key.Key_Delete:
                self.act("cancel")
                return True
        return super().eventFilter(watched, event)

    def act(self, name: str) -> None:
        """Run the action behind a button on the selected order (Cancel asks for a reason first)."""
        order = self.selected_order()
        if order is None:
            return
        target = STATUS_BUTTONS[name]
        if target is OrderStatus.CANCELLED:
            self._ask_cancel_reason(order)
            return
        log.info(
            "tenant %s: %s order %s (%s -> %s)",
            self.tenant_id,
            name,
            order.order_number,
            order.status,
            target,
        )
        self._show_outcome(self.tr("Sending…"), error=False)
        fire(self._run(self._session.set_status(order.id, target)), f"set order {order.id} to {target}")

    def _ask_cancel_reason(self, order: Order) -> None:
        dialog = CancelDialog(order.order_number or str(order.id), self)
        self.cancel_dialog = dialog
        order_id = order.id

        def accepted() -> None:
            reason = dialog.reason()
            log.info("tenant %s: cancel order %s: %s", self.tenant_id, order_id, reason)
            self._show_outcome(self.tr("Sending…"), error=False)
            fire(self._run(self._session.cancel(order_id, reason)), f"cancel order {order_id}")

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    async def _run(self, action: Any) -> None:
        outcome: ActionOutcome = await action
        self.last_outcome = outcome
        if outcome.ok and outcome.queued:
            self._show_outcome(
                self.tr("Offline: saved, will be sent when the connection is back"), error=False
            )
        elif outcome.ok:
            self._show_outcome("", error=False)
        else:
            why = order_refusal_text(outcome.code, outcome.reason)
            self._show_outcome(fill(self.tr("Refused: %1"), why), error=True)
        self._update_buttons()

    def _show_outcome(self, text: str, *, error: bool) -> None:
        self.outcome_label.show_status(text, error=error)

    def _update_buttons(self) -> None:
        order = self.selected_order()
        for name, button in self.buttons.items():
            button.setEnabled(order is not None and can_transition(order.status, STATUS_BUTTONS[name]))

    # -- events -------------------------------------------------------------------
    def _look_at_schedule(self) -> None:
        """This stall's booked orders wait in the Later strip; at their release, onto the list, announced."""
        mine = (order for order in self._session.store.orders.values() if self._is_mine(order))
        for order in self.later.look(mine, self._clock.now()):
            self.model.upsert(order)
            self.announced.emit(self.later.due_text(order), order.id, ORDER_RELEASED)

    def announces(self, entity: object) -> bool:
        return not (isinstance(entity, Order) and is_held(entity, self._clock.now()))

    def _is_mine(self, order: Order) -> bool:
        return self.tenant_id is None or order.tenant_id == self.tenant_id

    def _on_notice(self, notice: Notice) -> None:
        if (
            notice.event is Event.QR_SCANNED
            and isinstance(notice.entity, Order)
            and self._is_mine(notice.entity)
        ):
            self._add_pickup(notice.entity)

    def _add_pickup(self, order: Order) -> None:
        moment = order.picked_up_at or self._clock.now()
        text = fill(self.tr("%1 picked up"), order.order_number or str(order.id))
        self.pickups.insertItem(0, f"{format_clock(moment)}  {text}")
        while self.pickups.count() > MAX_PICKUPS:
            self.pickups.takeItem(self.pickups.count() - 1)

    def _select_first_if_none(self) -> None:
        """Keep one order selected, so staff can tap Accept without picking a row first."""
        if not self.list.currentIndex().isValid() and self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0))
            self._update_buttons()

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _retranslate(self) -> None:
        names = {
            "accept": self.tr("Accept"),
            "ready": self.tr("Ready"),
            "complete": self.tr("Complete"),
            "cancel": self.tr("Cancel…"),
        }
        for name, button in self.buttons.items():
            button.setText(names[name])
        self._show_counts()
        self.pickups_heading.setText(self.tr("Pick-ups (QR)"))
        self.payments_heading.setText(self.tr("Payments"))
        self.payments.retranslate()
        self.prep_panel.retranslate()
        self.later.retranslate()

    def _show_counts(self) -> None:
        self.heading.setText(self.tr("Orders (%n open)", "", self.open_count()))
        hidden = self.model.hidden_count()
        self.hidden_label.setText(self.tr("%n order(s) of other stalls hidden", "", hidden) if hidden else "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.model.refresh_all()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.bridge.close()
        super().closeEvent(event)
