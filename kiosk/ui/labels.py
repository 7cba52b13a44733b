"""Translated names of wire values shown on several screens, declared once."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kiosk.protocol import OrderType


def order_type_label(order_type: str) -> str:
    """``dine_in`` → "Dine in" (or "Makan di tempat"); an unknown type from an older backend is shown as sent."""
    names = {
        OrderType.DINE_IN.value: QCoreApplication.translate("OrderType", "Dine in"),
        OrderType.TAKEAWAY.value: QCoreApplication.translate("OrderType", "Takeaway"),
        OrderType.DELIVERY.value: QCoreApplication.translate("OrderType", "Delivery"),
    }
    return names.get(order_type, order_type.replace("_", " "))
