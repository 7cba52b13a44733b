"""Paints one order card straight from the model's Python ``Order``.

Why a painting delegate instead of a widget per card: at 2000 cards a widget
per card took 1.7 s to the first frame and 332 ms to bump one card (measured
before the first release); a delegate paints only the cards in view, and reading the
``Order`` object directly skips the QVariant copies ``data()`` would make.

Age colours come from the injected clock, so a test can move time and see a
card turn yellow then red without sleeping.
"""

from __future__ import annotations

from collections.abc import Sequence
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
DARK_TEXT = QColor("#111111")
ALLERGY_BG = QColor("#ffd54f")  # amber band: a note that can hurt someone is the first thing a cook sees
NOTE_PX = 18  # readable from 2 m at 1080p
ITEM_INDENT = 16


def header_text_colour(background: QColor) -> QColor:
    """White on dark headers, near-black on light ones (white on the yellow "late soon" header failed)."""
    return DARK_TEXT if contrast(background, DARK_TEXT) > contrast(background, TEXT) else TEXT


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_allergy_note(note: str, keywords: Sequence[str]) -> bool:
    lowered = note.casefold()
    return any(keyword and keyword.casefold() in lowered for keyword in keywords)


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
    allergy: bool = False  # the note names an allergen: drawn on an amber band


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


def _item_lines(
    qty: int, name: str, modifiers: Sequence[str], notes: str | None, keywords: Sequence[str]
) -> ItemLines:
    allergy = bool(notes) and is_allergy_note(notes or "", keywords)
    return ItemLines(
        f"{qty}× {name}",
        "+ " + ", ".join(modifiers) if modifiers else "",
        (("⚠ " if allergy else "") + f"“{notes}”") if notes else "",
        allergy=allergy,
    )


def card_text(order: Order, now: datetime, allergy_keywords: Sequence[str] = ()) -> CardText:
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
            _item_lines(item.qty, item.name, item.modifiers, item.notes, allergy_keywords)
            for item in order.items
        ),
    )


def timer_rect(card: QRect) -> QRect:
    """Where a card's elapsed time is drawn: the only part the 1 s tick needs to repaint."""
    right = card.right() - MARGIN - 12
    return QRect(right - TIMER_W, card.top() + MARGIN, TIMER_W, HEADER_H)


class CardDelegate(QStyledItemDelegate):
    def __init__(
        self,
        clock: Clock,
        limits: Thresholds,
        parent: QWidget | None = None,
        *,
        allergy_keywords: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limits = limits
        self._allergy_keywords = tuple(allergy_keywords)
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
        self._note_font = QFont(base)  # notes and modifiers: what a cook must read from 2 m
        self._note_font.setPixelSize(NOTE_PX)
        self._allergy_font = QFont(self._note_font)
        self._allergy_font.setBold(True)
        self._chip_font = QFont(base)
        self._chip_font.setPixelSize(13)
        self._chip_font.setBold(True)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), CACHE_KIB))
        self._item_h = QFontMetrics(self._item_font).height()
        self._small_h = QFontMetrics(self._small_font).height()
        self._note_h = QFontMetrics(self._note_font).height()

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
        text = card_text(order, now, self._allergy_keywords)
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
        painter.setPen(header_text_colour(colour) if order.status is not OrderStatus.CANCELLED else MUTED)
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
        painter.setPen(header_text_colour(colour) if not cancelled else MUTED)
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

    def extra_lines(self, item: ItemLines, width: int) -> list[tuple[str, QFont, int, bool]]:
        """The modifier and note lines of an item, wrapped (never elided): (text, font, height, allergy)."""
        out: list[tuple[str, QFont, int, bool]] = []
        for extra, allergy in ((item.modifiers, False), (item.notes, item.allergy)):
            if not extra:
                continue
            font = self._allergy_font if allergy else self._note_font
            bounds = QFontMetrics(font).boundingRect(
                QRect(0, 0, width - ITEM_INDENT, 10_000), int(Qt.TextFlag.TextWordWrap), extra
            )
            out.append((extra, font, max(bounds.height(), self._note_h), allergy))
        return out

    def _items(
        self, painter: QPainter, items: tuple[ItemLines, ...], body: QRect, y: int, struck: bool
    ) -> None:
        bottom = body.bottom()
        left = Qt.AlignmentFlag.AlignLeft
        wrap = int(left) | int(Qt.TextFlag.TextWordWrap)
        width = body.width() - ITEM_INDENT
        for shown, item in enumerate(items):
            extras = self.extra_lines(item, body.width())
            main_h = (
                QFontMetrics(self._item_font)
                .boundingRect(QRect(0, 0, body.width(), 10_000), int(Qt.TextFlag.TextWordWrap), item.main)
                .height()
            )
            needed = max(main_h, self._item_h) + sum(height for _, _, height, _ in extras)
            room_for_more = self._small_h if shown < len(items) - 1 else 0
            if y + needed > bottom - room_for_more:
                painter.setFont(self._small_font)
                painter.setPen(TEXT)
                more = QCoreApplication.translate("KitchenCard", "+%1 more…").replace(
                    "%1", str(len(items) - shown)
                )
                painter.drawText(body.x(), y, body.width(), self._small_h, left, more)
                return
            font = QFont(self._item_font)
            font.setStrikeOut(struck)
            painter.setFont(font)
            painter.setPen(TEXT if not struck else MUTED)
            main_h = max(main_h, self._item_h)
            painter.drawText(body.x(), y, body.width(), main_h, wrap, item.main)
            y += main_h
            for extra, extra_font, height, allergy in extras:
                area = QRect(body.x() + ITEM_INDENT, y, width, height)
                if allergy:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(ALLERGY_BG)
                    painter.drawRoundedRect(area.adjusted(-4, 0, 0, 0), 4, 4)
                    painter.setPen(DARK_TEXT)
                else:
                    painter.setPen(TEXT if not struck else MUTED)
                painter.setFont(extra_font)
                painter.drawText(area, wrap, extra)
                y += height
