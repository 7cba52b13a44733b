"""The all-day panel: how many of each dish are still to make, across all open orders.

Kept incremental (each Change subtracts the old order's items and adds the new
one's) so a status change at 2000 open orders costs a few dictionary updates,
not a recount; the label text is rebuilt at most once per event-loop turn.
Lines already done or voided are not "to make"; a station screen counts only
its stations' lines (``belongs``), so its totals match its cards.  Dishes
that carry allergens are marked "⚠" and the tooltip names the allergens: the
cook batching ten of a dish sees at once that some of them must be kept apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.core.store import Change
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import OrderItem
from kiosk.protocol.status import ItemStatus
from kiosk.ui.widgets.elided_label import plain_tooltip

LINES_TO_MAKE: frozenset[ItemStatus] = frozenset({ItemStatus.PENDING, ItemStatus.STARTED})
TO_MAKE: frozenset[OrderStatus] = frozenset({OrderStatus.PENDING, OrderStatus.PREPARING})
SHOWN_LINES = 18
NAME_CHARS = 22  # the panel is narrow; longer dish names end in "…"


def shorten(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


class AllDayCounter:
    """Item name → quantity still to make (orders that are pending or preparing)."""

    def __init__(
        self, orders: Iterable[Order] = (), belongs: Callable[[OrderItem], bool] = lambda _item: True
    ) -> None:
        self.totals: Counter[str] = Counter()
        self.allergens: Counter[tuple[str, str]] = Counter()  # (dish, allergen) -> quantity to make
        self._belongs = belongs
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
            self.allergens = +self.allergens
        return moved

    def top(self, limit: int = SHOWN_LINES) -> list[tuple[str, int]]:
        """Largest first, then by name, so the panel does not jump around between equal counts."""
        return sorted(self.totals.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]

    def _add(self, order: Order, sign: int) -> None:
        if order.status not in TO_MAKE:
            return
        for item in order.items:
            if item.status in LINES_TO_MAKE and self._belongs(item):
                self.totals[item.name] += sign * item.qty
                for allergen in item.allergens:
                    self.allergens[(item.name, allergen)] += sign * item.qty

    def allergens_of(self, name: str) -> list[str]:
        """The allergens some of a dish still to make carry, by name."""
        return sorted(
            allergen for (dish, allergen), qty in self.allergens.items() if dish == name and qty > 0
        )


class AllDayPanel(QWidget):
    def __init__(
        self,
        orders: Iterable[Order],
        parent: QWidget | None = None,
        *,
        belongs: Callable[[OrderItem], bool] = lambda _item: True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("allDayPanel")
        self.counter = AllDayCounter(orders, belongs)
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
        self._tooltip = ""
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
            self._tooltip = ""
            self._body.setToolTip("")
            return
        marked = {name: self.counter.allergens_of(name) for name, _qty in lines}
        self._body.setText(
            "\n".join(f"{qty:>3} × {shorten(name)}{' ⚠' if marked[name] else ''}" for name, qty in lines)
        )
        legend = [f"⚠ {name}: {', '.join(found)}" for name, found in marked.items() if found]
        text = "\n".join([self.tr("Allergens:"), *legend]) if legend else ""
        self._tooltip = text
        self._body.setToolTip(plain_tooltip(text) if text else "")  # dish names are wire text: escaped

    def tooltip(self) -> str:
        """The allergen legend shown on hover, as plain text (for the tests)."""
        return self._tooltip

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self._title.setText(self.tr("All day"))
            self.refresh()
        super().changeEvent(event)

    def text(self) -> str:
        return self._body.text()
