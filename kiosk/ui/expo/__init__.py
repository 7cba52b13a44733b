"""The expo view (a kitchen display with ``view = "expo"``): each order's progress per station, bumped at the pass."""
