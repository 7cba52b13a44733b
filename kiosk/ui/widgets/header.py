"""The header bar: room name, clock, open-order count (or the screen's summary), hidden-by-filter note,
connection badge."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from kiosk.core.clock import Clock
from kiosk.core.connection_status import ConnectionStatus
from kiosk.core.formatting import format_clock
from kiosk.ui.widgets.connection_badge import ConnectionBadge
from kiosk.ui.widgets.elided_label import ElidedLabel
from kiosk.ui.widgets.plain_label import PlainLabel

SUMMARY_SEPARATOR = " · "  # between the parts of a screen's summary; the first part is never cut


class Header(QWidget):
    """Never wider than its window: the texts that vary (room, counts, badge) elide, the clock and
    the controls at the right end keep their size."""

    def __init__(
        self, room_title: str, status: ConnectionStatus, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self._clock = clock
        self._open = 0
        self._hidden = 0
        self.room_label = ElidedLabel(room_title, self, min_chars=10)
        self.room_label.setObjectName("roomLabel")
        self.room_label.setProperty("role", "title")
        # The count or summary is what a cook or cashier reads: its first part ("Net Rp 12.345.000")
        # stays whole while the room name and the badge's detail give way.
        self.count_label = ElidedLabel("", self, min_chars=10, separator=SUMMARY_SEPARATOR)
        self.count_label.setObjectName("openCount")
        self.count_label.setProperty("role", "heading")
        self.hidden_label = ElidedLabel("", self)
        self.hidden_label.setObjectName("hiddenCount")
        self.hidden_label.setProperty("role", "muted")
        self.hidden_label.hide()
        self.clock_label = PlainLabel(parent=self)
        self.clock_label.setObjectName("clockLabel")
        self.clock_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.clock_label.setProperty("role", "heading")
        self.badge = ConnectionBadge(status, clock, self)
        self._layout = layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.room_label)
        layout.addSpacing(24)
        layout.addWidget(self.count_label)
        layout.addWidget(self.hidden_label)
        layout.addStretch(1)
        layout.addWidget(self.badge)
        layout.addSpacing(24)
        layout.addWidget(self.clock_label)
        self.set_open_count(0)
        self.tick()

    def add_widget(self, widget: QWidget) -> None:
        """Room for a screen-wide control at the right end (e.g. the mute button); it keeps its size."""
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, widget.sizePolicy().verticalPolicy())
        self._layout.addWidget(widget)

    def set_open_count(self, count: int) -> None:
        self._open = count
        self.count_label.setText(self.tr("%n open order(s)", "", count))

    def set_summary(self, text: str) -> None:
        """A screen's own summary in place of the open-order count (the cashier's shift so far)."""
        self.count_label.setText(text)

    def set_hidden_count(self, count: int) -> None:
        self._hidden = count
        self.hidden_label.setText(self.tr("%n order(s) hidden by filter", "", count))
        self.hidden_label.setVisible(count > 0)

    def retranslate(self, room_title: str) -> None:
        """The language changed: redo every text this header shows."""
        self.room_label.setText(room_title)
        self.set_open_count(self._open)
        self.set_hidden_count(self._hidden)
        self.badge.refresh()

    def set_status(self, status: ConnectionStatus) -> None:
        self.badge.set_status(status)

    def tick(self) -> None:
        self.clock_label.setText(format_clock(self._clock.now()))
        self.badge.refresh()
