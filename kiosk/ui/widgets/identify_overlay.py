"""The console's "identify": this screen's name, huge, over the whole window for ten seconds.

An admin with thirty screens in a food court asks "which one is kitchen-2?";
the answer has to be readable from across the hall, so it covers everything
(the orders stay underneath, untouched) and goes by itself.  The time comes
from the window's injected clock and its one-second tick, like the toasts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

from kiosk.core.clock import Clock
from kiosk.ui.widgets.plain_label import PlainLabel, set_role


class IdentifyOverlay(PlainLabel):
    def __init__(self, clock: Clock, parent: QWidget) -> None:
        super().__init__("", parent)
        self.setObjectName("identifyOverlay")
        set_role(self, "identify")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self._clock = clock
        self._over = parent
        self._until: datetime | None = None
        self.hide()
        parent.installEventFilter(self)  # follow the window's size

    def show_name(self, name: str, seconds: float) -> None:
        self.setText(name)
        self._until = self._clock.now() + timedelta(seconds=seconds)
        self.setGeometry(self._over.rect())
        self.show()
        self.raise_()

    def expire(self) -> None:
        """Hide once its time is up (called from the window's tick)."""
        if self._until is not None and self._clock.now() >= self._until:
            self._until = None
            self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._over and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._over.rect())
        return False
