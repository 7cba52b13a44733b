"""Paints one tenant order as a row: number, status, age, customer, then every item in full.

Each item gets its own wrapped line with its modifiers and note, and the row
is as tall as that needs (a stall must see "tanpa kacang" as surely as the
kitchen does); a note naming an allergen is drawn in amber and bold.

A stall shows tens of orders, not thousands, but painting from the Python
``Order`` (not widgets per row, not QVariant dicts) keeps it as cheap as the
kitchen grid and lets one tick repaint the ages.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.core.clock import Clock
from kiosk.core.formatting import format_elapsed
from kiosk.protocol import Order, OrderStatus
from kiosk.ui.kitchen.card_delegate import is_allergy_note
from kiosk.ui.labels import order_type_label
from kiosk.ui.models import ORDER_ROLE

STATUS_COLOURS = {
    OrderStatus.PENDING: QColor("#475569"),
    OrderStatus.PREPARING: QColor("#1D4ED8"),
    OrderStatus.READY: QColor("#15803D"),
    OrderStatus.COMPLETED: QColor("#0F766E"),
    OrderStatus.CANCELLED: QColor("#991B1B"),
}
ROW_HEIGHT = 112  # the least a row takes: number, customer and one line of items
WHO_TOP = 52  # the customer line, under the number
WHO_LINE = 24  # its height when it fits on one line; a long name wraps onto more
PAD = 12
ALLERGY = QColor("#FFD54F")


def status_text(status: OrderStatus) -> str:
    names = {
        OrderStatus.PENDING: QCoreApplication.translate("OrderStatus", "New"),
        OrderStatus.PREPARING: QCoreApplication.translate("OrderStatus", "Preparing"),
        OrderStatus.READY: QCoreApplication.translate("OrderStatus", "Ready"),
        OrderStatus.COMPLETED: QCoreApplication.translate("OrderStatus", "Completed"),
        OrderStatus.CANCELLED: QCoreApplication.translate("OrderStatus", "Cancelled"),
    }
    return names[status]


def who_text(order: Order) -> str:
    """Customer, order type and table: "Siti · Dine in · A7"."""
    return " · ".join(
        part for part in (order.customer_name, order_type_label(order.type), order.table or "") if part
    )


def items_summary(order: Order) -> str:
    return ", ".join(f"{item.qty}× {item.name}" for item in order.items)


def item_lines(order: Order, allergy_keywords: Sequence[str] = ()) -> list[tuple[str, bool]]:
    """One line per item, whole: "2× Sate Ayam (+ pedas, extra bumbu) — “tanpa kacang”", and whether it is an allergy."""
    lines = []
    for item in order.items:
        text = f"{item.qty}× {item.name}"
        if item.modifiers:
            text += " (+ " + ", ".join(item.modifiers) + ")"
        allergy = bool(item.notes) and is_allergy_note(item.notes or "", allergy_keywords)
        if item.notes:
            text += (" — ⚠ " if allergy else " — ") + f"“{item.notes}”"
        lines.append((text, allergy))
    return lines


class TenantOrderDelegate(QStyledItemDelegate):
    def __init__(
        self, clock: Clock, parent: QWidget | None = None, *, allergy_keywords: Sequence[str] = ()
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._allergy_keywords = tuple(allergy_keywords)

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        view = self.parent()
        width = option.rect.width()
        if isinstance(view, QAbstractItemView):
            width = view.viewport().width()
        return max(200, (width or 600) - 8 - 2 * PAD)

    @staticmethod
    def _who_height(order: Order, font: QFont, width: int) -> int:
        """A long customer name wraps (a stall calls the customer by it); never less than a line."""
        wrap = int(Qt.TextFlag.TextWordWrap)
        bounds = QFontMetrics(font).boundingRect(QRect(0, 0, width, 10_000), wrap, who_text(order))
        return max(WHO_LINE, bounds.height())

    def _items_height(self, order: Order, font: QFont, width: int) -> int:
        wrap = int(Qt.TextFlag.TextWordWrap)
        bold = QFont(font)
        bold.setBold(True)
        total = 0
        for text, allergy in item_lines(order, self._allergy_keywords):
            metrics = QFontMetrics(bold if allergy else font)
            total += metrics.boundingRect(QRect(0, 0, width, 10_000), wrap, text).height()
        return total

    def _paint_items(self, painter: QPainter, order: Order, base: QFont, area: QRect) -> None:
        wrap = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        y = area.top()
        for text, allergy in item_lines(order, self._allergy_keywords):
            font = QFont(base)
            font.setBold(allergy)
            painter.setFont(font)
            painter.setPen(ALLERGY if allergy else QColor("#ECEFF4"))
            bounds = painter.fontMetrics().boundingRect(QRect(0, 0, area.width(), 10_000), wrap, text)
            painter.drawText(QRect(area.left(), y, area.width(), bounds.height()), wrap, text)
            y += bounds.height()

    def sizeHint(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        order = index.data(ORDER_ROLE)
        width = self._text_width(option)
        if not isinstance(order, Order):
            return QSize(width, ROW_HEIGHT)
        font = QFont(option.font)
        who = self._who_height(order, font, width)
        height = WHO_TOP + who + self._items_height(order, font, width) + 18
        return QSize(width, max(ROW_HEIGHT, height))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        order = index.data(ORDER_ROLE)
        if not isinstance(order, Order):
            return
        painter.save()
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#5E9CFF") if selected else QColor("#2A3038"))
        painter.setBrush(QColor("#243049") if selected else QColor("#1B1F24"))
        painter.drawRoundedRect(rect, 8, 8)
        base = QFont(option.font)
        pad = 12
        # line 1: number (large), status chip, age
        big = QFont(base)
        big.setPointSizeF(base.pointSizeF() * 1.6)
        big.setBold(True)
        big.setStrikeOut(order.status is OrderStatus.CANCELLED)
        painter.setFont(big)
        painter.setPen(QColor("#ECEFF4"))
        number_rect = QRect(rect.left() + pad, rect.top() + 6, rect.width() // 2, 44)
        painter.drawText(
            number_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            order.order_number or str(order.id),
        )
        chip_font = QFont(base)
        chip_font.setBold(True)
        painter.setFont(chip_font)
        chip_text = status_text(order.status)
        chip_width = painter.fontMetrics().horizontalAdvance(chip_text) + 24
        age = ""
        if order.created_at is not None:
            age = format_elapsed((self._clock.now() - order.created_at).total_seconds())
        age_width = painter.fontMetrics().horizontalAdvance(age) + pad
        chip = QRect(rect.right() - pad - age_width - chip_width - 8, rect.top() + 12, chip_width, 32)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(STATUS_COLOURS[order.status])
        painter.drawRoundedRect(chip, 6, 6)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
        painter.setPen(QColor("#9AA3B2"))
        age_rect = QRect(rect.right() - pad - age_width, rect.top() + 12, age_width, 32)
        painter.drawText(age_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, age)
        # line 2: customer, type / table; line 3: items
        painter.setFont(base)
        painter.setPen(QColor("#D8DEE9"))
        width = rect.width() - 2 * pad
        who_height = self._who_height(order, base, width)
        painter.drawText(
            QRect(rect.left() + pad, rect.top() + WHO_TOP, width, who_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap),
            who_text(order),
        )
        items_top = rect.top() + WHO_TOP + who_height
        self._paint_items(painter, order, base, QRect(rect.left() + pad, items_top, width, 0))
        painter.restore()
