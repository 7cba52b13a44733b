"""Toasts for new things: a short note that hides after 7 s; clicking it jumps to the card.

Toasts have a row of their own at the bottom of the window, reserved whether
or not a toast is showing.  They used to float over the bottom-right corner
and covered the kitchen's Recall button and the cashier's net total exactly
when a rush made toasts frequent; a row that appeared and vanished with them
would have resized the kitchen's cards (sized to fill the view) with every
toast.  Each toast is as wide as its text needs on at most two lines, and the
oldest make way when the row is full, so no toast's text is ever clipped.

Hiding runs on the window's 1 s tick against the injected clock, so a test
advances a FakeClock by 7 s instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.core.clock import Clock
from kiosk.protocol.models import EntityId

TOAST_S = 7.0
MAX_TOASTS = 4
TOAST_LINES = 2  # the row's height: two lines of toast text
MARGIN = 6
SPACING = 8
MIN_TOAST_W = 160
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's own limit, not exported by PySide6


class Toast(QLabel):
    clicked = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons come from the wire: never markup
        self.setText(text)
        self.setObjectName("toast")
        self.setProperty("role", "toast")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.ensurePolished()  # measured before it is shown: with the style sheet's font and padding

    def fits(self) -> bool:
        """Whether the whole text shows at the current size (the test of "never clipped")."""
        return self.heightForWidth(self.width()) <= self.height()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


@dataclass
class _Shown:
    toast: Toast
    key: EntityId | None
    since: float


class ToastStrip(QWidget):
    """The row of toasts, newest on the right; always its full height, empty when there is no toast."""

    activated = Signal(object)  # the entity key of the clicked toast

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toasts")
        self._clock = clock
        self._shown: list[_Shown] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self._layout.setSpacing(SPACING)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._toast_h = self._measure_toast_height()
        self.setFixedHeight(self._toast_h + 2 * MARGIN)

    def _measure_toast_height(self) -> int:
        """Two lines of toast text in the style the window gives toasts (font and padding)."""
        probe = Toast("\n".join(["Xg"] * TOAST_LINES), self)
        probe.ensurePolished()
        height = probe.sizeHint().height()
        probe.deleteLater()
        return height

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, self._toast_h + 2 * MARGIN)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

    def show_toast(self, text: str, key: EntityId | None = None) -> Toast:
        toast = Toast(text, self)
        toast.clicked.connect(lambda: self._clicked(toast))
        self._shown.append(_Shown(toast, key, self._clock.monotonic()))
        self._layout.insertWidget(self._layout.count() - 1, toast)  # before the stretch: left-aligned
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

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
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
        toast.hide()
        toast.deleteLater()
        self._place()

    def _place(self) -> None:
        """Size each toast to its text; drop the oldest while the newest do not fit in the row."""
        room = max(MIN_TOAST_W, self.width() - 2 * MARGIN)
        widths = [self._width_for(shown.toast, room) for shown in self._shown]
        while len(widths) > 1 and sum(widths) + SPACING * (len(widths) - 1) > room:
            self._remove(self._shown[0].toast)  # re-enters _place with one toast fewer
            return
        for shown, width in zip(self._shown, widths, strict=True):
            shown.toast.setFixedSize(width, self._toast_h)
            shown.toast.show()

    def _width_for(self, toast: Toast, room: int) -> int:
        """The narrowest width at which the whole text fits: on one line if that takes at most half
        the row, else on the row's two lines (the window caps wire text so that always fits)."""
        # QLabel measures within its maximum width: free the width a previous placement fixed
        toast.setMinimumWidth(0)
        toast.setMaximumWidth(QWIDGETSIZE_MAX)
        one_line_h = toast.heightForWidth(room)
        single = _narrowest(toast, one_line_h, room)
        if single <= room // 2:
            return single
        return _narrowest(toast, self._toast_h, room)


def _narrowest(toast: Toast, height: int, room: int) -> int:
    """The smallest width in [MIN_TOAST_W, room] at which the toast's text needs at most ``height``."""
    low, high = MIN_TOAST_W, max(MIN_TOAST_W, room)
    if toast.heightForWidth(high) > height:
        return high  # even the whole row is not enough: the widest is the best left
    while low < high:
        middle = (low + high) // 2
        if toast.heightForWidth(middle) <= height:
            high = middle
        else:
            low = middle + 1
    return low
