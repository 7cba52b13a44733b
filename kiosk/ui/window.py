"""The main window every screen lives in: header, banners, the room's screen, toasts.

What is common to all rooms happens here once: the connection badge, a
banner per alert, a toast and a sound per new thing, the reason of a refused
action, fullscreen (flag and F11) with the screen kept awake, the hidden
cursor.  The room's own screen is picked from the room kind by the static table
(``kiosk/ui/screens.py``) and spoken to only through the contract in
``kiosk/ui/screen_base.py``.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QPushButton, QVBoxLayout, QWidget

from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.core.formatting import format_rupiah
from kiosk.core.session import ActionOutcome, Session
from kiosk.core.store import Notice
from kiosk.protocol import (
    ACTIVE_STATUSES,
    Alert,
    Event,
    Notification,
    Order,
    Payment,
    RoomKind,
    Severity,
    parse_room,
)
from kiosk.protocol.models import EntityId
from kiosk.ui.async_bridge import SessionBridge
from kiosk.ui.i18n import fill, install_translator
from kiosk.ui.keep_awake import KeepAwake
from kiosk.ui.refusals import order_refusal_text
from kiosk.ui.screen_base import Screen
from kiosk.ui.screens import screen_class
from kiosk.ui.sound import SoundBoard
from kiosk.ui.widgets.banners import BannerStack
from kiosk.ui.widgets.header import Header
from kiosk.ui.widgets.identify_overlay import IdentifyOverlay
from kiosk.ui.widgets.toasts import ToastStrip

log = logging.getLogger("kiosk.ui")

TOAST_PART_CHARS = 40  # a name or reason in a toast; the card shows it whole
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin}


def make_sound(config: Config, clock: Clock, parent: QObject) -> SoundBoard:
    return SoundBoard(clock, config.sound, parent, repeat_chime_s=config.repeat_chime_s)


def _taps_only(widget: QWidget) -> None:
    """Buttons take taps, never keyboard focus: a bump bar's Space/Enter must
    reach the cards, never toggle the sound or press Recall."""
    for button in widget.findChildren(QAbstractButton):
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)


def room_title(room: str) -> str:
    parsed = parse_room(room)
    titles = {
        RoomKind.DISPLAY: QCoreApplication.translate("MainWindow", "Kitchen"),
        RoomKind.BOARD: QCoreApplication.translate("MainWindow", "Pick-up board"),
        RoomKind.KASIR: QCoreApplication.translate("MainWindow", "Counter %1"),
        RoomKind.TENANT: QCoreApplication.translate("MainWindow", "Stall %1"),
        RoomKind.USER: QCoreApplication.translate("MainWindow", "User %1"),
    }
    return fill(titles[parsed.kind], str(parsed.id or ""))


def shorten(text: str, limit: int = TOAST_PART_CHARS) -> str:
    """Wire text cut to fit a toast (the card and the banner show it whole)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_order(event: Event, order: Order) -> tuple[str, EntityId | None]:
    """The toast for an order notice ("" for status changes: the card already shows them).

    Names and reasons are shortened: a toast points at the card, which shows
    them whole, and a toast has two lines of its row.
    """
    number = shorten(order.order_number or str(order.id), 20)
    translate = QCoreApplication.translate
    if event is Event.ORDER_CREATED:
        who = f" — {shorten(order.customer_name)}" if order.customer_name else ""
        return fill(translate("MainWindow", "New order %1"), number) + who, order.id
    if event is Event.ORDER_CANCELLED:
        reason = f": {shorten(order.cancel_reason)}" if order.cancel_reason else ""
        return fill(translate("MainWindow", "Order %1 cancelled"), number) + reason, order.id
    if event is Event.QR_SCANNED:
        return fill(translate("MainWindow", "%1 picked up"), number), order.id
    return "", None


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        session: Session,
        config: Config,
        clock: Clock,
        *,
        sound: SoundBoard | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        self.config = config
        self._clock = clock
        self.sound = sound
        self.keep_awake = KeepAwake()
        self.setWindowTitle(fill(self.tr("Kiosk — %1"), room_title(config.room)))

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = Header(room_title(config.room), session.status, clock, central)
        self.mute_button = QPushButton(central)
        self.mute_button.setObjectName("muteButton")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._set_muted)
        self.header.add_widget(self.mute_button)
        self._set_muted(not config.sound)
        self.banners = BannerStack(clock, central)
        self.screen_widget: Screen = screen_class(parse_room(config.room).kind, config.view)(
            session, config, clock, central
        )
        self.toasts = ToastStrip(clock, central)
        self.toasts.activated.connect(self.focus_entity)
        layout.addWidget(self.header)
        layout.addWidget(self.banners)
        layout.addWidget(self.screen_widget, 1)
        layout.addWidget(self.toasts)
        self._layout = layout
        self.setCentralWidget(central)
        self.identify_overlay = IdentifyOverlay(clock, central)

        self.bridge = SessionBridge(session, self)
        self.bridge.status.connect(self.header.set_status)
        self.bridge.notice.connect(self.on_notice)
        self.bridge.action.connect(self.on_action)
        self.bridge.changes.connect(self._count_open)
        self._connect_screen_to_header()
        self._unsubscribe = [
            session.commands.subscribe_identify(self.identify_overlay.show_name),
            session.commands.subscribe_settings(self.apply_settings),
        ]

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if config.hide_cursor:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
        self._set_up_keyboard(central, config)
        self.resize(1280, 800)

    def _connect_screen_to_header(self) -> None:
        self.screen_widget.announced.connect(self.announce)
        self.screen_widget.summaryChanged.connect(self._count_open)
        self.screen_widget.hiddenCountChanged.connect(self.header.set_hidden_count)
        self.header.set_hidden_count(self.screen_widget.header_hidden_count())
        self._count_open()

    def _set_up_keyboard(self, central: QWidget, config: Config) -> None:
        _taps_only(central)
        # Kiosk mode (fullscreen in the settings): F11/Esc do not leave it; only exit_keys do.
        self._locked = config.fullscreen
        self._exit_keys = QKeySequence(config.exit_keys) if config.exit_keys else None
        self._lock_logged = False
        self._focused_once = False

    # -- what arrives from the core ----------------------------------------------
    def on_notice(self, notice: Notice) -> None:
        """One genuinely new thing: a sound, and a toast or a banner."""
        entity = notice.entity
        if not self.screen_widget.for_staff() or not self.screen_widget.announces(entity):
            return
        if self.sound is not None:
            self.sound.play(notice.event.type)
        if isinstance(entity, Alert):
            self.banners.show_message(entity.severity, entity.message)
            return
        text, key = self._describe(notice.event, entity)
        if text:
            self.toasts.show_toast(text, key)

    def announce(self, text: str, key: object, sound_kind: str) -> None:
        """What the screen saw come due on its own clock: a sound and a toast, as for news."""
        if self.sound is not None and sound_kind:
            self.sound.play(sound_kind)
        self.toasts.show_toast(text, key if isinstance(key, int | str) else None)

    def on_action(self, outcome: ActionOutcome) -> None:
        number = self._order_number(outcome.order_id)
        if outcome.queued:
            message = fill(self.tr("Offline: order %1 will be updated when the connection is back"), number)
            self.toasts.show_toast(message, outcome.order_id)
            return
        if outcome.ok:
            return
        if outcome.action == "recall" and outcome.order_id == "":
            # R with an empty recall stack: there is no order to name
            self.banners.show_message(
                Severity.INFO, self.tr("Nothing to recall: no order bumped on this screen is waiting")
            )
            return
        why = order_refusal_text(outcome.code, outcome.reason)
        message = fill(self.tr("Order %1 was not changed: %2"), number, why)
        log.warning(
            "action on order %s refused: %s (%s)", outcome.order_id, outcome.reason, outcome.code or "no code"
        )
        self.banners.show_message(Severity.WARNING, message)

    def _describe(
        self, event: Event, entity: Order | Payment | Notification | Alert
    ) -> tuple[str, EntityId | None]:
        if isinstance(entity, Order):
            return describe_order(event, entity)
        if isinstance(entity, Payment):
            amount = format_rupiah(entity.amount)
            number = shorten(entity.order_number or str(entity.order_id), 20)
            text = self.tr("Refund %1: %2") if event is Event.PAYMENT_REFUNDED else self.tr("Paid %1: %2")
            return fill(text, number, amount), entity.order_id
        if isinstance(entity, Notification):
            return fill(self.tr("Notification: %1"), shorten(entity.type or str(entity.id))), None
        return "", None

    def _order_number(self, key: EntityId) -> str:
        order = self.session.store.orders.get(key)
        return shorten(order.order_number if order is not None and order.order_number else str(key), 20)

    def _count_open(self, *_: Any) -> None:
        """The header's summary: the screen's own (the cashier's takings), else the open orders."""
        summary = self.screen_widget.summary_text()
        if summary is not None:
            self.header.set_summary(summary)
            return
        count = self.screen_widget.open_count()
        if count is None:
            count = sum(1 for order in self.session.store.orders.values() if order.status in ACTIVE_STATUSES)
        self.header.set_open_count(count)

    # -- people ----------------------------------------------------------------
    def focus_entity(self, key: EntityId) -> None:
        """A toast was clicked: show its card, if the screen can."""
        if not self.screen_widget.focus_order(key):
            log.info("toast target %s is no longer on screen", key)

    def toggle_fullscreen(self) -> None:
        self.set_fullscreen(not self.isFullScreen())

    def set_fullscreen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
            self.keep_awake.acquire()
        else:
            self.showNormal()
            self.keep_awake.release()

    def _set_muted(self, muted: bool) -> None:
        if self.sound is not None:
            self.sound.muted = muted
        if self.mute_button.isChecked() != muted:
            self.mute_button.setChecked(muted)
        self.mute_button.setText(self.tr("Sound off") if muted else self.tr("Sound on"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """App-wide: any touch or key acknowledges the chime; F11/Esc/exit_keys handle fullscreen."""
        kind = event.type()
        if kind in _ACTIVITY and self.sound is not None:
            self.sound.acknowledge()  # someone is at the screen: stop repeating the chime
        if (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and not event.isAutoRepeat()
            and isinstance(watched, QWidget)
            and watched.window() is self
        ):
            return self._fullscreen_key(event)
        return False

    def _fullscreen_key(self, event: QKeyEvent) -> bool:
        """True when the key was about fullscreen (and so handled here)."""
        pressed = QKeySequence(event.keyCombination())
        if (
            self._exit_keys is not None
            and pressed.matches(self._exit_keys) == QKeySequence.SequenceMatch.ExactMatch
        ):
            log.info("exit keys pressed: %s fullscreen", "leaving" if self.isFullScreen() else "entering")
            self.toggle_fullscreen()
            return True
        key = event.key()
        if key not in (Qt.Key.Key_F11, Qt.Key.Key_Escape):
            return False
        if self._locked:
            if not self._lock_logged:
                self._lock_logged = True
                log.info("F11/Esc ignored: kiosk mode (set exit_keys to allow leaving fullscreen)")
            return True
        if key == Qt.Key.Key_F11:
            self.toggle_fullscreen()
            return True
        if self.isFullScreen():  # Esc leaves fullscreen; elsewhere it is the screen's own key
            self.set_fullscreen(False)
            return True
        return False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._focused_once:
            # the cards (or the stall's list) have the keyboard from the start: a bump bar works at once
            self._focused_once = True
            self.screen_widget.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            title = room_title(self.config.room)
            self.setWindowTitle(fill(self.tr("Kiosk — %1"), title))
            self.header.retranslate(title)
            self._count_open()
            self._set_muted(self.mute_button.isChecked())
        super().changeEvent(event)

    def tick(self) -> None:
        """Once a second, the only 1 s timer: clock, badge countdown, banners, toasts, the screen's ages."""
        self.screen_widget.tick()
        self.header.tick()
        self.banners.expire()
        self.toasts.expire()
        self.identify_overlay.expire()

    def apply_settings(self, config: Config) -> None:
        """Settings pushed from the console (already checked): language and sound here, the rest by a new screen.

        The screen is built afresh with the new config rather than taught to
        change each threshold, station filter and density in place: its state
        is the session's store, so a new one shows the same orders at once,
        and no setting can be half-applied.
        """
        old, self.config = self.config, config
        if config.language != old.language:
            app = QCoreApplication.instance()
            if app is not None:
                install_translator(app, config.language)  # every widget gets its LanguageChange
        if config.sound != old.sound:
            self.mute_button.setChecked(not config.sound)
        if self.sound is not None:
            self.sound.repeat_chime_s = config.repeat_chime_s
        retired = self.screen_widget
        self.screen_widget = screen_class(parse_room(config.room).kind, config.view)(
            self.session, config, self._clock, retired.parentWidget()
        )
        self._layout.replaceWidget(retired, self.screen_widget)
        retired.hide()
        retired.deleteLater()
        self._connect_screen_to_header()
        _taps_only(self.screen_widget)
        self.screen_widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self.identify_overlay.raise_()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.keep_awake.release()
        if self.config.hide_cursor:
            QGuiApplication.restoreOverrideCursor()
        self.bridge.close()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.closed.emit()
        super().closeEvent(event)
