"""Toasts for new things: a short line that hides after 7 s; clicking it jumps to the card.

Hiding runs on the window's 1 s tick against the injected clock, so a test
advances a FakeClock by 7 s instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.core.clock import Clock
from kiosk.protocol.models import EntityId

TOAST_S = 7.0
MAX_TOASTS = 4


class Toast(QLabel):
    clicked = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons come from the wire: never markup
        self.setText(text)
        self.setObjectName("toast")
        self.setProperty("role", "toast")
        self.setWordWrap(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


@dataclass
class _Shown:
    toast: Toast
    key: EntityId | None
    since: float


class ToastStack(QWidget):
    """A column of toasts floating over the bottom-right corner of its parent."""

    activated = Signal(object)  # the entity key of the clicked toast

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toasts")
        self._clock = clock
        self._shown: list[_Shown] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.setFixedWidth(380)
        self.hide()

    def show_toast(self, text: str, key: EntityId | None = None) -> Toast:
        toast = Toast(text, self)
        toast.clicked.connect(lambda: self._clicked(toast))
        self._shown.append(_Shown(toast, key, self._clock.monotonic()))
        self._layout.addWidget(toast)
        while len(self._shown) > MAX_TOASTS:
            self._remove(self._shown[0].toast)
        self._place()
        return toast

    def toasts(self) -> list[Toast]:
        return [shown.toast for shown in self._shown]

    def expire(self) -> None:
        now = self._clock.monotonic()
        for shown in list(self._shown):
            if now - shown.since >= TOAST_S:
                self._remove(shown.toast)

    def reposition(self) -> None:
        self._place()

    def _clicked(self, toast: Toast) -> None:
        for shown in self._shown:
            if shown.toast is toast:
                self._remove(toast)
                if shown.key is not None:
                    self.activated.emit(shown.key)
                return

    def _remove(self, toast: Toast) -> None:
        self._shown = [s for s in self._shown if s.toast is not toast]
        self._layout.removeWidget(toast)
        toast.deleteLater()
        self._place()

    def _place(self) -> None:
        if not self._shown:
            self.hide()
            return
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move(parent.width() - self.width() - 16, parent.height() - self.height() - 16)
        self.show()
        self.raise_()
