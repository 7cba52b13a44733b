"""Paints one tenant order as a row: number, status, age, customer, items.

A stall shows tens of orders, not thousands, but painting from the Python
``Order`` (not widgets per row, not QVariant dicts) keeps it as cheap as the
kitchen grid and lets one tick repaint the ages.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kiosk.core.clock import Clock
from kiosk.core.formatting import format_elapsed
from kiosk.protocol import Order, OrderStatus
from kiosk.ui.labels import order_type_label
from kiosk.ui.models import ORDER_ROLE

STATUS_COLOURS = {
    OrderStatus.PENDING: QColor("#475569"),
    OrderStatus.PREPARING: QColor("#1D4ED8"),
    OrderStatus.READY: QColor("#15803D"),
    OrderStatus.COMPLETED: QColor("#0F766E"),
    OrderStatus.CANCELLED: QColor("#991B1B"),
}
ROW_HEIGHT = 112


def status_text(status: OrderStatus) -> str:
    names = {
        OrderStatus.PENDING: QCoreApplication.translate("OrderStatus", "New"),
        OrderStatus.PREPARING: QCoreApplication.translate("OrderStatus", "Preparing"),
        OrderStatus.READY: QCoreApplication.translate("OrderStatus", "Ready"),
        OrderStatus.COMPLETED: QCoreApplication.translate("OrderStatus", "Completed"),
        OrderStatus.CANCELLED: QCoreApplication.translate("OrderStatus", "Cancelled"),
    }
    return names[status]


def items_summary(order: Order) -> str:
    return ", ".join(f"{item.qty}× {item.name}" for item in order.items)


class TenantOrderDelegate(QStyledItemDelegate):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock

    def sizeHint(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width() or 600, ROW_HEIGHT)

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
        who = " · ".join(
            part for part in (order.customer_name, order_type_label(order.type), order.table or "") if part
        )
        painter.setPen(QColor("#D8DEE9"))
        painter.drawText(
            QRect(rect.left() + pad, rect.top() + 52, rect.width() - 2 * pad, 24),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            who,
        )
        painter.setPen(QColor("#ECEFF4"))
        items = painter.fontMetrics().elidedText(
            items_summary(order), Qt.TextElideMode.ElideRight, rect.width() - 2 * pad
        )
        painter.drawText(
            QRect(rect.left() + pad, rect.top() + 76, rect.width() - 2 * pad, 26),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            items,
        )
        painter.restore()
