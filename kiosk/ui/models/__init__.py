"""Qt item models over the kiosk core's state, shared by every screen."""

from kiosk.ui.models.order_list import (
    CUSTOMER_ROLE,
    NUMBER_ROLE,
    ORDER_ROLE,
    STATUS_ROLE,
    OrderListModel,
    rush_first,
    shown_in_grid,
    sort_key,
)

__all__ = [
    "CUSTOMER_ROLE",
    "NUMBER_ROLE",
    "ORDER_ROLE",
    "STATUS_ROLE",
    "OrderListModel",
    "rush_first",
    "shown_in_grid",
    "sort_key",
]
