"""Which screen each room kind shows: one static table the window reads.

Static so that mypy, grep and PyInstaller see every screen; each entry is a
function that imports its screen, because the cashier's printing stack
(python-escpos, ~170 ms of imports, measured with ``python -X importtime``)
would otherwise slow every kitchen display's start.  A screen module that is
not installed (a trimmed build) falls back to the kitchen grid with a logged
warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.protocol import RoomKind
from kiosk.ui.kitchen.screen import KitchenScreen
from kiosk.ui.screen_base import Screen

log = logging.getLogger("kiosk.ui")


def _cashier_screen() -> type[Screen]:
    from kiosk.ui.cashier.screen import CashierScreen  # noqa: PLC0415 - imported where shown, see above

    return CashierScreen


def _tenant_screen() -> type[Screen]:
    from kiosk.ui.tenant.screen import TenantScreen  # noqa: PLC0415 - imported where shown, see above

    return TenantScreen


def _expo_screen() -> type[Screen]:
    from kiosk.ui.expo.screen import ExpoScreen  # noqa: PLC0415 - imported where shown, see above

    return ExpoScreen


def _board_screen() -> type[Screen]:
    from kiosk.ui.board.screen import BoardScreen  # noqa: PLC0415 - imported where shown, see above

    return BoardScreen


SCREENS: dict[RoomKind, Callable[[], type[Screen]]] = {
    RoomKind.BOARD: _board_screen,
    RoomKind.KASIR: _cashier_screen,
    RoomKind.TENANT: _tenant_screen,
}


# A display room's ``view`` setting other than the default cards.
DISPLAY_VIEWS: dict[str, Callable[[], type[Screen]]] = {"expo": _expo_screen}


def screen_class(room_kind: RoomKind, view: str = "cards") -> type[Screen]:
    """The screen for a room kind (and a display's view); the kitchen grid for the others and when a
    module is missing."""
    load = DISPLAY_VIEWS.get(view) if room_kind is RoomKind.DISPLAY else SCREENS.get(room_kind)
    if load is None:
        return KitchenScreen
    try:
        return load()
    except ImportError as exc:
        log.warning("no %s screen available (%s); showing the kitchen grid instead", room_kind.value, exc)
        return KitchenScreen


__all__ = ["DISPLAY_VIEWS", "SCREENS", "screen_class"]
