"""The connection badge: Live / Reconnecting in 4 s / Offline since 12:03.

The text is a pure function of the core's ConnectionStatus and the injected
clock, so the countdown is tested by moving a FakeClock, not by waiting.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from kiosk.core.clock import Clock
from kiosk.core.connection_status import ConnectionState, ConnectionStatus
from kiosk.core.formatting import format_clock
from kiosk.ui.i18n import fill
from kiosk.ui.widgets.elided_label import ElidedLabel

BADGE_STYLE = """
QLabel { border-radius: 8px; padding: 4px 14px; font-weight: bold; color: #ffffff; }
QLabel[state="live"] { background-color: #15803D; }
QLabel[state="connecting"], QLabel[state="reconnecting"] { background-color: #B45309; }
QLabel[state="offline"] { background-color: #991B1B; }
"""


def badge_text(status: ConnectionStatus, now: datetime) -> str:
    translate = QCoreApplication.translate
    if status.state is ConnectionState.LIVE:
        return translate("ConnectionBadge", "Live")
    if status.state is ConnectionState.CONNECTING:
        return translate("ConnectionBadge", "Connecting…")
    since = ""
    if status.offline_since is not None:
        since = fill(translate("ConnectionBadge", "Offline since %1"), format_clock(status.offline_since))
    if status.state is ConnectionState.OFFLINE:
        text = since or translate("ConnectionBadge", "Offline")
        return f"{text} — {status.detail}" if status.detail else text
    if status.next_attempt_at is not None and (wait := (status.next_attempt_at - now).total_seconds()) > 0:
        text = fill(translate("ConnectionBadge", "Reconnecting in %1 s"), str(math.ceil(wait)))
    else:
        text = translate("ConnectionBadge", "Reconnecting…")
    if status.polling:
        text += " · " + translate("ConnectionBadge", "polling")
    return f"{text} · {since}" if since else text


class ConnectionBadge(ElidedLabel):
    """Shows the status; its ``state`` property lets the style sheet colour it.

    The detail comes from the wire or an exception and can be any length: the
    badge ends it in "…" rather than widen the header (and the fullscreen
    window) past the screen; the whole text and the detail are its tooltip.
    """

    def __init__(self, status: ConnectionStatus, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__("", parent, min_chars=8, max_chars=40)
        self.setObjectName("connectionBadge")
        self._clock = clock
        self._status = status
        self.setStyleSheet(BADGE_STYLE)
        self.refresh()

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    def set_status(self, status: ConnectionStatus) -> None:
        self._status = status
        self.refresh()

    def refresh(self) -> None:
        """Recompute the text (called on every status change and on the window's 1 s tick)."""
        text = badge_text(self._status, self._clock.now())
        self.setText(text)
        detail = self._status.detail
        self.setToolTip(text if not detail or detail in text else f"{text}\n{detail}")
        if self.property("state") != self._status.state.value:
            self.setProperty("state", self._status.state.value)
            self.style().unpolish(self)
            self.style().polish(self)
