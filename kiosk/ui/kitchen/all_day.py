"""The all-day panel: how many of each dish are still to make, across all open orders.

Kept incremental (each Change subtracts the old order's items and adds the new
one's) so a status change at 2000 open orders costs a few dictionary updates,
not a recount; the label text is rebuilt at most once per event-loop turn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.core.store import Change
from kiosk.protocol import Order, OrderStatus

TO_MAKE: frozenset[OrderStatus] = frozenset({OrderStatus.PENDING, OrderStatus.PREPARING})
SHOWN_LINES = 18
NAME_CHARS = 22  # the panel is narrow; longer dish names end in "…"


def shorten(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


class AllDayCounter:
    """Item name → quantity still to make (orders that are pending or preparing)."""

    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self.totals: Counter[str] = Counter()
        for order in orders:
            self._add(order, 1)

    def apply(self, changes: Sequence[Change]) -> bool:
        """Follow store Changes; True when a total moved."""
        moved = False
        for change in changes:
            if change.collection != "orders":
                continue
            for entity, sign in ((change.old, -1), (change.new, 1)):
                if isinstance(entity, Order) and entity.status in TO_MAKE and entity.items:
                    self._add(entity, sign)
                    moved = True
        if moved:
            self.totals = +self.totals  # drop zero and negative entries
        return moved

    def top(self, limit: int = SHOWN_LINES) -> list[tuple[str, int]]:
        """Largest first, then by name, so the panel does not jump around between equal counts."""
        return sorted(self.totals.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]

    def _add(self, order: Order, sign: int) -> None:
        if order.status not in TO_MAKE:
            return
        for item in order.items:
            self.totals[item.name] += sign * item.qty


class AllDayPanel(QWidget):
    def __init__(self, orders: Iterable[Order], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allDayPanel")
        self.counter = AllDayCounter(orders)
        self._title = QLabel(self.tr("All day"), self)
        self._title.setObjectName("allDayTitle")
        self._title.setTextFormat(Qt.TextFormat.PlainText)  # no label of the app reads markup
        self._body = QLabel(self)
        self._body.setObjectName("allDayBody")
        self._body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._body.setTextFormat(Qt.TextFormat.PlainText)
        font = self._body.font()
        font.setPixelSize(17)
        self._body.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._body, 1)
        self._title.setProperty("role", "heading")
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.refresh()

    def apply(self, changes: Sequence[Change]) -> None:
        if self.counter.apply(changes):
            self._refresh_timer.start()  # coalesce a burst into one relabel

    def refresh(self) -> None:
        lines = self.counter.top()
        if not lines:
            self._body.setText(self.tr("Nothing to make"))
            return
        self._body.setText("\n".join(f"{qty:>3} × {shorten(name)}" for name, qty in lines))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._title.setText(self.tr("All day"))
            self.refresh()
        super().changeEvent(event)

    def text(self) -> str:
        return self._body.text()
