"""Paints one order card straight from the model's Python ``Order``.

Why a painting delegate instead of a widget per card: at 2000 cards a widget
per card took 1.7 s to the first frame and 332 ms to bump one card (DESIGN.md
"Runtime facts"); a delegate paints only the cards in view, and reading the
``Order`` object directly skips the QVariant copies ``data()`` would make.

Age colours come from the injected clock, so a test can move time and see a
card turn yellow then red without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPixmap, QPixmapCache
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.core.clock import Clock
from kiosk.core.formatting import format_elapsed
from kiosk.protocol import Order, OrderStatus
from kiosk.ui.labels import order_type_label
from kiosk.ui.models import ORDER_ROLE, OrderListModel

CARD_SIZE = QSize(300, 250)
MARGIN = 5
HEADER_H = 50
TIMER_W = 120  # "1:02:33" in the timer font, with room to spare
CACHE_KIB = 24 * 1024  # ~80 cached cards: more than a 4K screen shows

FRESH = QColor("#2e7d32")
WARN = QColor("#f9a825")
LATE = QColor("#c62828")
CANCELLED = QColor("#616161")
BODY = QColor("#1f2226")
TEXT = QColor("#f2f2f2")
MUTED = QColor("#b0b6bd")
SELECTED = QColor("#ffffff")


def status_label(status: OrderStatus) -> str:
    labels = {
        OrderStatus.PENDING: QCoreApplication.translate("KitchenCard", "NEW"),
        OrderStatus.PREPARING: QCoreApplication.translate("KitchenCard", "COOKING"),
        OrderStatus.READY: QCoreApplication.translate("KitchenCard", "READY"),
        OrderStatus.COMPLETED: QCoreApplication.translate("KitchenCard", "DONE"),
        OrderStatus.CANCELLED: QCoreApplication.translate("KitchenCard", "CANCELLED"),
    }
    return labels[status]


def type_label(order: Order) -> str:
    text = order_type_label(order.type)
    if order.table:
        text += " · " + QCoreApplication.translate("KitchenCard", "Table %1").replace("%1", order.table)
    return text


@dataclass(frozen=True)
class Thresholds:
    warn_after_s: int
    late_after_s: int


def age_seconds(order: Order, now: datetime) -> float:
    if order.created_at is None:
        return 0.0
    return max(0.0, (now - order.created_at).total_seconds())


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


@dataclass(frozen=True)
class ItemLines:
    main: str
    modifiers: str
    notes: str


@dataclass(frozen=True)
class CardText:
    """Every string a card shows, computed once and used by paint() and by tests."""

    number: str
    elapsed: str
    customer: str
    kind: str
    status: str
    reason: str
    items: tuple[ItemLines, ...]

    def lines(self) -> list[str]:
        out = [self.number, self.elapsed, self.customer, self.kind, self.status, self.reason]
        for item in self.items:
            out += [item.main, item.modifiers, item.notes]
        return [line for line in out if line]


def card_text(order: Order, now: datetime) -> CardText:
    reason = ""
    if order.status is OrderStatus.CANCELLED and order.cancel_reason:
        reason = QCoreApplication.translate("KitchenCard", "Reason: %1").replace("%1", order.cancel_reason)
    return CardText(
        number=order.order_number or str(order.id),
        elapsed=format_elapsed(age_seconds(order, now)),
        customer=order.customer_name or "—",
        kind=type_label(order),
        status=status_label(order.status),
        reason=reason,
        items=tuple(
            ItemLines(
                f"{item.qty}× {item.name}",
                "+ " + ", ".join(item.modifiers) if item.modifiers else "",
                f"“{item.notes}”" if item.notes else "",
            )
            for item in order.items
        ),
    )


def timer_rect(card: QRect) -> QRect:
    """Where a card's elapsed time is drawn: the only part the 1 s tick needs to repaint."""
    right = card.right() - MARGIN - 12
    return QRect(right - TIMER_W, card.top() + MARGIN, TIMER_W, HEADER_H)


class CardDelegate(QStyledItemDelegate):
    def __init__(self, clock: Clock, limits: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limits = limits
        base = QFont()
        self._number_font = QFont(base)
        self._number_font.setPixelSize(30)
        self._number_font.setBold(True)
        self._timer_font = QFont(base)
        self._timer_font.setPixelSize(22)
        self._timer_font.setBold(True)
        self._line_font = QFont(base)
        self._line_font.setPixelSize(16)
        self._item_font = QFont(base)
        self._item_font.setPixelSize(17)
        self._item_font.setBold(True)
        self._small_font = QFont(base)
        self._small_font.setPixelSize(14)
        self._note_font = QFont(self._small_font)
        self._note_font.setItalic(True)
        self._chip_font = QFont(base)
        self._chip_font.setPixelSize(13)
        self._chip_font.setBold(True)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), CACHE_KIB))
        self._item_h = QFontMetrics(self._item_font).height()
        self._small_h = QFontMetrics(self._small_font).height()

    def colour_of(self, order: Order) -> QColor:
        return age_colour(order, self._clock.now(), self._limits)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return CARD_SIZE

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """Blit the cached card, then draw the one thing that changes every second: the elapsed time.

        The card without its timer is cached per (order version, colour,
        selection, size, texts), so the 1 s tick costs a pixmap copy and one
        drawText per card in view instead of a full card layout.
        """
        model = index.model()
        order = model.order_at(index.row()) if isinstance(model, OrderListModel) else index.data(ORDER_ROLE)
        if not isinstance(order, Order):
            return
        now = self._clock.now()
        text = card_text(order, now)
        colour = age_colour(order, now, self._limits)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        full: QRect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = "|".join(
            (
                "card",
                str(order.id),
                str(order.version),
                order.status.value,
                str(colour.rgb()),
                str(selected),
                f"{full.width()}x{full.height()}@{ratio:g}",
                text.status,
                text.kind,
            )
        )
        card = QPixmap()
        if not QPixmapCache.find(key, card):
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
                text,
                colour=colour,
                selected=selected,
            )
            static.end()
            QPixmapCache.insert(key, card)
        painter.drawPixmap(full.topLeft(), card)
        header = timer_rect(full)
        painter.save()
        painter.setFont(self._timer_font)
        painter.setPen(TEXT if order.status is not OrderStatus.CANCELLED else MUTED)
        painter.drawText(header, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text.elapsed)
        painter.restore()

    def _paint_card(
        self, painter: QPainter, full: QRect, order: Order, text: CardText, *, colour: QColor, selected: bool
    ) -> None:
        rect = full.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        cancelled = order.status is OrderStatus.CANCELLED
        left = Qt.AlignmentFlag.AlignLeft
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BODY)
        painter.drawRoundedRect(rect, 8, 8)
        header = QRect(rect.x(), rect.y(), rect.width(), HEADER_H)
        painter.setBrush(colour)
        painter.drawRoundedRect(header, 8, 8)
        painter.drawRect(header.adjusted(0, HEADER_H // 2, 0, 0))

        inner = header.adjusted(12, 0, -12, 0)
        painter.setPen(TEXT if not cancelled else MUTED)
        painter.setFont(self._number_font)
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | left, text.number)

        y = header.bottom() + 8
        body = rect.adjusted(12, 0, -12, -8)
        painter.setFont(self._line_font)
        painter.setPen(TEXT)
        fm = painter.fontMetrics()
        customer = fm.elidedText(text.customer, Qt.TextElideMode.ElideRight, body.width() - 96)
        painter.drawText(body.x(), y, body.width(), fm.height(), left, customer)
        self._chip(painter, order.status, text.status, QRect(body.right() - 92, y, 92, fm.height()))
        y += fm.height() + 2
        painter.setFont(self._small_font)
        painter.setPen(MUTED)
        painter.drawText(body.x(), y, body.width(), self._small_h, left, text.kind)
        y += self._small_h + 6
        if text.reason:
            painter.drawText(body.x(), y, body.width(), self._small_h, left, text.reason)
            y += self._small_h + 2
        self._items(painter, text.items, body, y, cancelled)
        if cancelled:
            painter.setPen(QPen(TEXT, 3))
            mid = header.center().y()
            width = QFontMetrics(self._number_font).horizontalAdvance(text.number)
            painter.drawLine(inner.left(), mid, inner.left() + width, mid)
        if selected:
            painter.setPen(QPen(SELECTED, 4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)

    def _chip(self, painter: QPainter, status: OrderStatus, label: str, area: QRect) -> None:
        painter.save()
        painter.setFont(self._chip_font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#37474f") if status is not OrderStatus.READY else QColor("#1565c0"))
        painter.drawRoundedRect(area, 6, 6)
        painter.setPen(TEXT)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def _items(
        self, painter: QPainter, items: tuple[ItemLines, ...], body: QRect, y: int, struck: bool
    ) -> None:
        bottom = body.bottom()
        left = Qt.AlignmentFlag.AlignLeft
        elide = Qt.TextElideMode.ElideRight
        indent = 16
        for shown, item in enumerate(items):
            needed = (
                self._item_h + (self._small_h if item.modifiers else 0) + (self._small_h if item.notes else 0)
            )
            room_for_more = self._small_h if shown < len(items) - 1 else 0
            if y + needed > bottom - room_for_more:
                painter.setFont(self._small_font)
                painter.setPen(MUTED)
                more = QCoreApplication.translate("KitchenCard", "+%1 more…").replace(
                    "%1", str(len(items) - shown)
                )
                painter.drawText(body.x(), y, body.width(), self._small_h, left, more)
                return
            font = QFont(self._item_font)
            font.setStrikeOut(struck)
            painter.setFont(font)
            painter.setPen(TEXT if not struck else MUTED)
            line = painter.fontMetrics().elidedText(item.main, elide, body.width())
            painter.drawText(body.x(), y, body.width(), self._item_h, left, line)
            y += self._item_h
            painter.setPen(MUTED)
            for extra, extra_font in ((item.modifiers, self._small_font), (item.notes, self._note_font)):
                if not extra:
                    continue
                painter.setFont(extra_font)
                shown_text = painter.fontMetrics().elidedText(extra, elide, body.width() - indent)
                painter.drawText(body.x() + indent, y, body.width() - indent, self._small_h, left, shown_text)
                y += self._small_h
