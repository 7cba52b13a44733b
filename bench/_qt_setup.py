"""What the screen benches set up before they measure: offscreen Qt, a screen config, a shown window, orders.

``burst.py`` and ``ui_render.py`` measure the real kitchen screen, so they
must build it the same way for their figures to be comparable: Qt's
offscreen platform (no display on the bench machine, and no compositor's
timing in the numbers), a 1280×800 window (the kiosk's screen, so the same
number of cards is in view), sound off, and orders shaped like our server's
(items, modifiers, a note: what a card really lays out).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DISHES = ["Nasi Goreng Spesial", "Mie Ayam Bakso", "Es Teh Manis", "Sate Ayam", "Gado-Gado", "Soto Betawi"]
SCREEN = (1280, 800)


def use_offscreen() -> None:
    """Qt's offscreen platform unless the caller's environment chose one; call before the QApplication."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def qt_app() -> Any:
    """The process's QApplication (made on first use)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def screen_config(url: str, token: str = "bench") -> Any:
    """A kiosk config for ``display`` at ``url``, sound off, no config file."""
    from kiosk.core.config import load_config

    return load_config(
        path=ROOT / "no-such.toml",
        env={},
        overrides={"server_url": url, "room": "display", "token": token, "sound": False},
    )


def show(window: Any) -> None:
    """The window at the kiosk's size, shown (offscreen it still lays out and paints)."""
    window.resize(*SCREEN)
    window.show()


def order_dict(
    oid: int, created: datetime, status: str = "pending", version: int = 1, *, number_digits: int = 3
) -> dict[str, Any]:
    """An order shaped like our server's: 1 to 4 items, a note on the first, a modifier on the second."""
    items = [
        {
            "name": DISHES[(oid + k) % len(DISHES)],
            "qty": 1 + (oid + k) % 3,
            "price": 15000,
            "notes": "pedas" if k == 0 else "",
            "modifiers": ["telur"] if k == 1 else [],
        }
        for k in range(1 + oid % 4)
    ]
    return {
        "id": oid,
        "order_number": f"T{1 + oid % 3}-{oid:0{number_digits}d}",
        "tenant_id": 1 + oid % 3,
        "customer_name": f"Customer {oid}",
        "type": "dine_in",
        "table": f"A{oid % 30}",
        "items": items,
        "status": status,
        "version": version,
        "created_at": created.isoformat(),
        "updated_at": created.isoformat(),
    }


class NoReportRest:
    """A REST side that has no prep-time report (404): the screens' prep panel hides, as against an old backend."""

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        from kiosk.core.rest import ApiRefusedError

        raise ApiRefusedError(404, "not_found", f"the bench serves no {path}")


class StoreOnlySession:
    """The Session surface a screen reads (a store, a live status, subscriptions), without a server.

    The benches feed the store themselves, so what they time is the screen's own work.
    """

    def __init__(self, store: Any) -> None:
        from kiosk.core.connection_status import ConnectionState, ConnectionStatus

        self.store = store
        self.status = ConnectionStatus(ConnectionState.LIVE)
        self.rest = NoReportRest()

    def subscribe_status(self, callback: Any) -> Any:
        return lambda: None

    def subscribe_actions(self, callback: Any) -> Any:
        return lambda: None
