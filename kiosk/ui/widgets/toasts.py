"""Toasts for new things: a short note that hides after 7 s; clicking it jumps to the card.

Toasts have a row of their own at the bottom of the window, reserved whether
or not a toast is showing.  They used to float over the bottom-right corner
and covered the kitchen's Recall button and the cashier's net total exactly
when a rush made toasts frequent; a row that appeared and vanished with them
would have resized the kitchen's cards (sized to fill the view) with every
toast.  Each toast is as wide as its text needs on at most two lines, and the
oldest make way when the row is full, so no toast's text is ever clipped.

Toasts are coalesced per turn of the event loop.  The core applies live
events in batches, so one turn can bring hundreds of new orders; building and
measuring a toast costs about a millisecond, and all but the newest few would
be deleted before they were ever painted.  ``show_toast`` only records the
request; one zero-timeout timer per turn builds widgets for the requests that
can stay and places the row once.  What the others were is not dropped
silently: a "+N more" toast at the row's left says how many of the rush the
row cannot show (the cards have them all), which tells a cook that 300 orders
came in, where the newest three alone would look like a quiet minute.

Hiding runs on the window's 1 s tick against the injected clock, so a test
advances a FakeClock by 7 s instead of waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from kiosk.core.clock import Clock
from kiosk.protocol.models import EntityId
from kiosk.ui.i18n import fill

TOAST_S = 7.0
MAX_TOASTS = 4  # widgets in the row, the "+N more" toast included
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
        # (room, width) of the last measurement: a toast's text does not change, so a row placed
        # again (a newer toast, an expired one) measures only the new toast, not all of them
        self.measured: tuple[int, int] | None = None

    def fits(self) -> bool:
        """Whether the whole text shows at the current size (the test of "never clipped")."""
        return self.heightForWidth(self.width()) <= self.height()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.measured = None  # another font or padding: the width measured before is wrong
        super().changeEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


@dataclass
class _Request:
    """A toast asked for in this turn, not built yet."""

    text: str
    key: EntityId | None
    since: float


@dataclass(eq=False)  # one per widget: compared by identity
class _Shown:
    toast: Toast
    key: EntityId | None
    since: float
    in_rush: bool = False  # arrived while a "+N more" toast was up: counted there if it makes way


class ToastStrip(QWidget):
    """The row of toasts, newest on the right; always its full height, empty when there is no toast.

    When more arrive than the row holds, its leftmost toast says how many more
    there were ("+N more"): the requests that never got a toast of their own,
    and, while it is up, the toasts of the rush that made way for newer ones.
    A toast removed by its timeout or a click was seen and is not counted.
    """

    activated = Signal(object)  # the entity key of the clicked toast

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toasts")
        self._clock = clock
        self._shown: list[_Shown] = []  # oldest first, the "+N more" toast not among them
        self._pending: list[_Request] = []
        self._more: _Shown | None = None  # the "+N more" toast, leftmost
        self._missed = 0  # what it counts
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self._layout.setSpacing(SPACING)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._toast_h = self._measure_toast_height()
        self.setFixedHeight(self._toast_h + 2 * MARGIN)
        # One placement per turn of the event loop, however many toasts the turn asked for.
        self._turn_end = QTimer(self)
        self._turn_end.setSingleShot(True)
        self._turn_end.setInterval(0)
        self._turn_end.timeout.connect(self.flush)

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

    def show_toast(self, text: str, key: EntityId | None = None) -> None:
        """Ask for a toast; it is built and placed at the end of this turn (see ``flush``)."""
        self._pending.append(_Request(text, key, self._clock.monotonic()))
        if not self._turn_end.isActive():
            self._turn_end.start()

    def flush(self) -> list[Toast]:
        """Build and place the toasts asked for so far, now rather than at the end of the turn.

        Returns what the row shows, oldest first ("+N more" leftmost).
        """
        self._turn_end.stop()
        if self._pending:
            self._take_pending()
            self._place()
        return self._toasts()

    def toasts(self) -> list[Toast]:
        """What the row shows, oldest first; requests of this turn are placed first, so the
        answer is never a turn behind the ``show_toast`` calls before it."""
        return self.flush()

    def expire(self) -> None:
        now = self._clock.monotonic()
        self._pending = [r for r in self._pending if now - r.since < TOAST_S]
        expired = [shown for shown in self._shown if now - shown.since >= TOAST_S]
        for shown in expired:
            self._remove(shown)
        more_expired = self._more is not None and now - self._more.since >= TOAST_S
        if more_expired:
            self._end_rush()
        if expired or more_expired:
            self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place()

    def _toasts(self) -> list[Toast]:
        more = [self._more.toast] if self._more is not None else []
        return more + [shown.toast for shown in self._shown]

    def _take_pending(self) -> None:
        """Build toasts for the newest requests the row can hold; count the others as missed."""
        pending, self._pending = self._pending, []
        if len(pending) > MAX_TOASTS:
            self._start_rush()
        slots = MAX_TOASTS - (1 if self._more is not None else 0)
        kept = pending[-slots:]
        self._count_missed(len(pending) - len(kept))
        for request in kept:
            toast = Toast(request.text, self)
            toast.hide()  # shown once placed: a toast never flashes at its unmeasured size
            shown = _Shown(toast, request.key, request.since, in_rush=self._more is not None)
            toast.clicked.connect(lambda shown=shown: self._clicked(shown))
            self._shown.append(shown)
            self._layout.insertWidget(self._layout.count() - 1, toast)  # before the stretch
        while len(self._shown) > slots:
            self._make_way(self._shown[0])

    def _clicked(self, shown: _Shown) -> None:
        if shown is self._more:
            self._end_rush()
            self._place()
            return
        if shown not in self._shown:
            return
        self._remove(shown)
        self._place()
        if shown.key is not None:
            self.activated.emit(shown.key)

    def _start_rush(self) -> None:
        """Put up the "+N more" toast, if it is not up; the toasts already shown are not of the rush."""
        if self._more is not None:
            return
        self._missed = 0
        toast = Toast("", self)
        toast.hide()
        self._more = _Shown(toast, None, self._clock.monotonic())
        toast.clicked.connect(lambda more=self._more: self._clicked(more))
        self._layout.insertWidget(0, toast)

    def _end_rush(self) -> None:
        if self._more is None:
            return
        self._detach(self._more.toast)
        self._more = None
        self._missed = 0
        for shown in self._shown:
            shown.in_rush = False

    def _count_missed(self, count: int) -> None:
        if count <= 0 or self._more is None:
            return
        self._missed += count
        self._more.since = self._clock.monotonic()  # up for 7 s after the rush's last arrival
        self._more.toast.setText(fill(self.tr("+%1 more"), str(self._missed)))
        self._more.toast.measured = None

    def _make_way(self, shown: _Shown) -> None:
        """``shown`` leaves for a newer toast; in a rush, the "+N more" toast counts it."""
        self._remove(shown)
        if shown.in_rush:
            self._count_missed(1)

    def _remove(self, shown: _Shown) -> None:
        self._shown.remove(shown)
        self._detach(shown.toast)

    def _detach(self, toast: Toast) -> None:
        self._layout.removeWidget(toast)
        toast.hide()
        toast.deleteLater()

    def _place(self) -> None:
        """Size each toast to its text; drop the oldest while the newest do not fit in the row.

        A few toasts too wide for the row do not start a "+N more": the row then shows what
        the same toasts arriving one turn apart would.  If the count and the newest toast
        alone do not fit, the count gives way.
        """
        room = max(MIN_TOAST_W, self.width() - 2 * MARGIN)
        while True:
            row = ([self._more] if self._more is not None else []) + self._shown
            widths = [self._width_for(shown.toast, room) for shown in row]
            if len(row) <= 1 or sum(widths) + SPACING * (len(row) - 1) <= room:
                break
            if len(self._shown) > 1:
                self._make_way(self._shown[0])
            else:
                self._end_rush()
        for shown, width in zip(row, widths, strict=True):
            shown.toast.setFixedSize(width, self._toast_h)
            shown.toast.show()

    def _width_for(self, toast: Toast, room: int) -> int:
        """The narrowest width at which the whole text fits: on one line if that takes at most half
        the row, else on the row's two lines (the window caps wire text so that always fits)."""
        if toast.measured is not None and toast.measured[0] == room:
            return toast.measured[1]
        # QLabel measures within its maximum width: free the width a previous placement fixed
        toast.setMinimumWidth(0)
        toast.setMaximumWidth(QWIDGETSIZE_MAX)
        one_line_h = toast.heightForWidth(room)
        width = _narrowest(toast, one_line_h, room)
        if width > room // 2:
            width = _narrowest(toast, self._toast_h, room)
        toast.measured = (room, width)
        return width


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
