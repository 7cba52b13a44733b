"""Paints one order card straight from the model's Python ``Order``.

Why a painting delegate instead of a widget per card: at 2000 cards a widget
per card took 1.7 s to the first frame and 332 ms to bump one card (measured
before the first release); a delegate paints only the cards in view, and reading the
``Order`` object directly skips the QVariant copies ``data()`` would make.

Age colours come from the injected clock, so a test can move time and see a
card turn yellow then red without sleeping.  Where each line goes, and so how
big a card is, is decided in card_layout.py; this module draws it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen, QPixmap, QPixmapCache
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.core.clock import Clock
from kiosk.core.formatting import format_elapsed
from kiosk.protocol import Order, OrderStatus
from kiosk.protocol.models import EntityId
from kiosk.protocol.status import ItemStatus, Priority
from kiosk.ui.i18n import current_language
from kiosk.ui.kitchen.card_colours import (
    BODY,
    CANCELLED,
    CURSOR,
    DIVIDER,
    FLASH,
    FRESH,
    LATE,
    MUTED,
    RUSH,
    SELECTED,
    TEXT,
    WARN,
    header_text_colour,
)
from kiosk.ui.kitchen.card_layout import (
    CARD_TARGETS,
    HEADER_H,
    MARGIN,
    PAD,
    TIMER_W,
    CardFonts,
    CardLayout,
    GridUnits,
    Role,
    default_units,
    layout_card,
)
from kiosk.ui.kitchen.card_lines import paint_line
from kiosk.ui.kitchen.card_text import (
    EVERY_STATION,
    CardText,
    StationFilter,
    age_seconds,
    card_text,
    is_allergy_note,
    looks,
    status_label,
    type_label,
)
from kiosk.ui.models import ORDER_ROLE, OrderListModel

# Re-exported: screens and tests took the card's texts from here before card_text.py built them.
__all__ = [
    "CARD_SIZE",
    "CardDelegate",
    "CardText",
    "StationFilter",
    "Thresholds",
    "age_colour",
    "age_seconds",
    "card_text",
    "is_allergy_note",
    "status_label",
    "timer_rect",
    "type_label",
]

CARD_SIZE = CARD_TARGETS["normal"]  # a one-cell card at the default density, outside a grid
CACHE_KIB = 48 * 1024  # ~80 cached one-cell cards at 1080p: more than a 4K screen shows


@dataclass(frozen=True)
class Thresholds:
    warn_after_s: int
    late_after_s: int


def age_colour(order: Order, now: datetime, limits: Thresholds) -> QColor:
    """Green while fresh, yellow from ``warn_after_s``, red from ``late_after_s``; grey if cancelled."""
    if order.status is OrderStatus.CANCELLED:
        return CANCELLED
    age = age_seconds(order, now)
    if age >= limits.late_after_s:
        return LATE
    if age >= limits.warn_after_s:
        return WARN
    return FRESH


def timer_rect(card: QRect) -> QRect:
    """Where a card's elapsed time is drawn: the only part the 1 s tick needs to repaint."""
    right = card.right() - MARGIN - PAD
    return QRect(right - TIMER_W, card.top() + MARGIN, TIMER_W, HEADER_H)


class CardDelegate(QStyledItemDelegate):
    def __init__(
        self,
        clock: Clock,
        limits: Thresholds,
        parent: QWidget | None = None,
        *,
        allergy_keywords: Sequence[str] = (),
        stations: StationFilter = EVERY_STATION,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limits = limits
        self._allergy_keywords = tuple(allergy_keywords)
        self.stations = stations
        # The bump bar's line cursor (order, line) and the cards flashing for a change from elsewhere.
        self.cursor: tuple[EntityId, int] | None = None
        self.flashing: set[EntityId] = set()
        self.fonts = CardFonts()
        self._units = default_units()
        # Bumped when the cells or the language change: one int stands for both in the cache.
        self._generation = 0
        self._language = current_language()
        # Both caches hold one entry per order in the model, never more: ``follow`` drops an
        # order's entries when its row goes.  (Kept until a cap instead, the layouts and
        # card pixmaps of every order of a busy day grew the screen by 70 MiB in 30 minutes.)
        # order id -> (the order laid out, the generation, its layout)
        self._layouts: dict[EntityId, tuple[Order, int, CardLayout]] = {}
        # order id -> (what its card pixmap shows, where QPixmapCache holds it)
        self._pixmaps: dict[EntityId, tuple[str, QPixmapCache.Key]] = {}
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), CACHE_KIB))

    def follow(self, model: OrderListModel) -> None:
        """Forget an order's layout and card pixmap when it leaves ``model`` (bumped, cancelled, pruned)."""
        model.rowsAboutToBeRemoved.connect(
            lambda _parent, first, last: self.forget(model.order_at(row).id for row in range(first, last + 1))
        )
        model.modelReset.connect(lambda: self.keep_only({order.id for order in model.orders()}))

    def forget(self, keys: Iterable[EntityId]) -> None:
        for key in keys:
            self._layouts.pop(key, None)
            held = self._pixmaps.pop(key, None)
            if held is not None:
                QPixmapCache.remove(held[1])

    def keep_only(self, keys: Set[EntityId]) -> None:
        """After a model reset (a snapshot, a long catch-up): the orders still shown keep their caches."""
        self.forget([key for key in {*self._layouts, *self._pixmaps} if key not in keys])

    def cached_orders(self) -> int:
        """How many orders have a layout or a pixmap held (for the tests and the state dump)."""
        return len({*self._layouts, *self._pixmaps})

    def pixmap_keys(self) -> list[QPixmapCache.Key]:
        """Where the card pixmaps are held, one per order (for the tests)."""
        return [key for _shows, key in self._pixmaps.values()]

    @property
    def units(self) -> GridUnits:
        return self._units

    def set_units(self, units: GridUnits) -> None:
        """The grid's cell size and column count changed (resize, density): cards are laid out anew."""
        if units != self._units:
            self._units = units
            self._generation += 1

    def colour_of(self, order: Order) -> QColor:
        return age_colour(order, self._clock.now(), self._limits)

    def layout_of(self, order: Order) -> CardLayout:
        """Where every line of ``order``'s card goes, cached per order version, status, cell size and language.

        The flow layout asks every card's size on each relayout (an insert at
        2000 cards asks 2000 times), so a hit must be a dictionary lookup.
        """
        language = current_language()
        if language is not self._language:
            self._language = language
            self._generation += 1
        held = self._layouts.get(order.id)
        if held is not None and held[1] == self._generation:
            seen = held[0]
            if seen is order or (
                seen.version == order.version and seen.status is order.status and looks(seen) == looks(order)
            ):
                return held[2]
        text = card_text(order, self._clock.now(), self._allergy_keywords, self.stations)
        layout = layout_card(text, self.fonts, self._units)
        self._layouts[order.id] = (order, self._generation, layout)
        return layout

    def bumpable_lines(self, order: Order) -> list[int]:
        """The ids of the order's lines a tap or the cursor may move on, top to bottom.

        Voided lines are final and other stations' are not this screen's to
        touch; a line from a backend that numbers none (id 0) cannot be named.
        A closed order's lines (a cancelled card lingering) are not moved either.
        """
        lines: list[int] = []
        if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
            return lines
        for line in self.layout_of(order).lines:
            named = line.role is Role.ITEM and line.item_id is not None and not line.foreign
            if named and line.state != ItemStatus.VOIDED.value and line.item_id not in lines:
                assert line.item_id is not None  # for mypy: named says so
                lines.append(line.item_id)
        return lines

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        model = index.model()  # inlined _order_of: called for every card on every relayout
        order = model.order_at(index.row()) if isinstance(model, OrderListModel) else index.data(ORDER_ROLE)
        if not isinstance(order, Order):
            return QSize(self._units.width, self._units.height)
        return self.layout_of(order).size

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Blit the cached card, then draw the one thing that changes every second: the elapsed time.

        The card without its timer is cached per (order version, colour,
        selection, size, language), so the 1 s tick costs a pixmap copy and one
        drawText per card in view instead of a full card layout.
        """
        order = _order_of(index)
        if order is None:
            return
        now = self._clock.now()
        colour = age_colour(order, now, self._limits)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        full: QRect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        cursor = self.cursor[1] if self.cursor is not None and self.cursor[0] == order.id else None
        shows = "|".join(
            (
                str(order.version),
                order.status.value,
                looks(order),
                str(cursor),
                str(order.id in self.flashing),
                str(colour.rgb()),
                str(selected),
                f"{full.width()}x{full.height()}@{ratio:g}",
                f"{self._units.width}x{self._units.height}",
                current_language(),  # the chip and the order type are words
            )
        )
        card = QPixmap()
        held = self._pixmaps.get(order.id)
        if held is None or held[0] != shows or not QPixmapCache.find(held[1], card):
            if held is not None:
                QPixmapCache.remove(held[1])  # one pixmap per order: its older look goes now
            card = self._render(order, now, full, ratio, option, colour=colour, selected=selected)
            self._pixmaps[order.id] = (shows, QPixmapCache.insert(card))
        painter.drawPixmap(full.topLeft(), card)
        header = timer_rect(full)
        painter.save()
        painter.setFont(self.fonts.timer)
        painter.setPen(header_text_colour(colour) if order.status is not OrderStatus.CANCELLED else MUTED)
        elapsed = format_elapsed(age_seconds(order, now))
        painter.drawText(header, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, elapsed)
        painter.restore()

    def _render(
        self,
        order: Order,
        now: datetime,
        full: QRect,
        ratio: float,
        option: QStyleOptionViewItem,
        *,
        colour: QColor,
        selected: bool,
    ) -> QPixmap:
        """The card without its timer, as a pixmap to blit on every tick."""
        card = QPixmap(round(full.width() * ratio), round(full.height() * ratio))
        card.setDevicePixelRatio(ratio)
        # Opaque (the view's background in the rounded corners): an opaque
        # pixmap is copied, not alpha-blended, which halves the tick's cost.
        card.fill(option.palette.color(QPalette.ColorRole.Base))
        static = QPainter(card)
        self._paint_card(
            static,
            QRect(0, 0, full.width(), full.height()),
            order,
            card_text(order, now, self._allergy_keywords, self.stations),
            self.layout_of(order),
            colour=colour,
            selected=selected,
        )
        static.end()
        return card

    def _paint_card(
        self,
        painter: QPainter,
        full: QRect,
        order: Order,
        text: CardText,
        layout: CardLayout,
        *,
        colour: QColor,
        selected: bool,
    ) -> None:
        rect = full.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        cancelled = order.status is OrderStatus.CANCELLED
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BODY)
        painter.drawRoundedRect(rect, 8, 8)
        header = QRect(rect.x(), rect.y(), rect.width(), HEADER_H)
        painter.setBrush(colour)
        painter.drawRoundedRect(header, 8, 8)
        painter.drawRect(header.adjusted(0, HEADER_H // 2, 0, 0))

        inner = header.adjusted(PAD, 0, -PAD, 0)
        painter.setPen(header_text_colour(colour) if not cancelled else MUTED)
        painter.setFont(self.fonts.number)
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text.number)

        painter.setPen(QPen(DIVIDER, 1))
        for x in layout.dividers:
            painter.drawLine(x, header.bottom() + 8, x, rect.bottom() - 8)
        for line in layout.lines:
            paint_line(painter, self.fonts, line, struck=cancelled)
        if not layout.chip.isNull():
            self._chip(painter, order.status, text.status, layout.chip)
        self._marks(painter, order, layout, rect)
        if cancelled:
            painter.setPen(QPen(TEXT, 3))
            mid = header.center().y()
            width = QFontMetrics(self.fonts.number).horizontalAdvance(text.number)
            painter.drawLine(inner.left(), mid, inner.left() + width, mid)
        if selected:
            painter.setPen(QPen(SELECTED, 4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)

    def _marks(self, painter: QPainter, order: Order, layout: CardLayout, rect: QRect) -> None:
        """What sets a card apart: a thick rush border, the flash of a change, the line cursor."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if order.priority is Priority.RUSH:
            painter.setPen(QPen(RUSH, 6))
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 8, 8)
        if order.id in self.flashing:
            painter.setPen(QPen(FLASH, 4, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect.adjusted(8, 8, -8, -8), 8, 8)
        if self.cursor is not None and self.cursor[0] == order.id:
            area = layout.item_rect(self.cursor[1])
            if not area.isNull():
                painter.setPen(QPen(CURSOR, 2))
                painter.drawRoundedRect(area, 4, 4)

    def _chip(self, painter: QPainter, status: OrderStatus, label: str, area: QRect) -> None:
        painter.save()
        painter.setFont(self.fonts.chip)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#37474f") if status is not OrderStatus.READY else QColor("#1565c0"))
        painter.drawRoundedRect(area, 6, 6)
        painter.setPen(TEXT)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()


def _order_of(index: QModelIndex | QPersistentModelIndex) -> Order | None:
    model = index.model()
    order = model.order_at(index.row()) if isinstance(model, OrderListModel) else index.data(ORDER_ROLE)
    return order if isinstance(order, Order) else None
